import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { PreparedKey } from '../types.js';
import { safeEqual } from './compare.js';

/** Secret bytes held as a KeyObject: created once per key, so requests skip copying raw bytes. */
export function hmacKey(bytes: Buffer): KeyObject {
  return createSecretKey(bytes);
}

export interface HmacMatch {
  keyId: string;
  /**
   * The HMAC under the first active key: the same for every copy of a message, whichever of the
   * sender's signatures a copy carries (so stripping one signature cannot change the replay key).
   */
  identity: Buffer;
}

/**
 * The first key whose HMAC over prefix|body|suffix equals one of `candidates`. Prefix and body are
 * fed to the HMAC separately: the body is never copied or decoded.
 */
export function matchHmac(
  algorithm: string,
  keys: readonly PreparedKey[],
  prefix: string | undefined,
  body: Buffer,
  suffix: string | undefined,
  candidates: readonly Buffer[],
): HmacMatch | undefined {
  let first: Buffer | undefined;
  for (const k of keys) {
    const h = createHmac(algorithm, k.key as KeyObject);
    // Header-derived text: Node decoded the header bytes as latin1, so latin1 restores those bytes.
    if (prefix) h.update(prefix, 'latin1');
    h.update(body);
    if (suffix) h.update(suffix, 'latin1');
    const digest = h.digest();
    first ??= digest;
    for (const c of candidates) if (safeEqual(digest, c)) return { keyId: k.id, identity: first };
  }
  return undefined;
}

/** Event id at the top of a JSON body, read from the signed bytes whatever the Content-Type says. */
export function jsonIdOf(body: Buffer, field: string): string | undefined {
  let i = 0;
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i++;
  if (body[i] !== 0x7b) return undefined; // not a JSON object
  try {
    const id = (JSON.parse(body.toString('utf8')) as Record<string, unknown>)[field];
    return typeof id === 'string' && id.length > 0 && id.length <= 255 ? id : undefined;
  } catch {
    return undefined;
  }
}

export function computeHmac(algorithm: string, key: string | Buffer, prefix: string | undefined, body: Buffer, suffix?: string): Buffer {
  const h = createHmac(algorithm, key);
  if (prefix) h.update(prefix);
  h.update(body);
  if (suffix) h.update(suffix);
  return h.digest();
}

/** Replay identity for schemes without a signed id: derived from the verified signature only. */
export function signatureDigest(signature: Uint8Array | string): string {
  return createHash('sha256').update(signature).digest('base64url').slice(0, 32);
}
