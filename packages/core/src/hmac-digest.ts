import { createHmac } from 'node:crypto';
import { WebhookConfigError } from './webhook-config-error.js';

export interface HmacDigestOptions {
  /** The key: a string is used as its UTF-8 bytes (as every vendor here does). */
  secret: string | Uint8Array;
  /** The signed content, in order; strings as UTF-8, like `createHmac().update(string)`. */
  data: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Default sha256. */
  algorithm?: 'sha256' | 'sha384' | 'sha512' | 'sha1';
}

const ALGORITHMS = new Set(['sha256', 'sha384', 'sha512', 'sha1']);

/** HMAC over the parts of a signed content, as raw bytes (`.toString('hex' | 'base64')` for a header). */
export function hmacDigest(options: HmacDigestOptions): Buffer {
  const algorithm = options.algorithm ?? 'sha256';
  if (!ALGORITHMS.has(algorithm)) throw new WebhookConfigError('hmacDigest: algorithm must be sha256, sha384, sha512 or sha1');
  const h = createHmac(algorithm, options.secret);
  const data = options.data;
  if (typeof data === 'string' || data instanceof Uint8Array) h.update(data);
  else for (const part of data) h.update(part);
  return h.digest();
}
