import type { KeyInput, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { decodeBase64, decodeBase64Url, decodeHex } from '../lib/compare.js';
import { matchHmac } from '../lib/hmac.js';
import { checkedId } from '../lib/limits.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { prepareUtf8Secrets } from '../lib/secret-keys.js';
import { parseTemplate, type HmacTemplate } from '../lib/hmac-template.js';

export interface HmacOptions {
  /** Name reported in results and replay keys (default 'hmac'). */
  name?: string;
  /** Header carrying the signature. */
  header: string;
  algorithm?: 'sha256' | 'sha512' | 'sha1';
  /** Text before the digest in the header, e.g. `sha256=`. */
  prefix?: string;
  encoding?: 'hex' | 'base64' | 'base64url';
  /** Signed content, with `{id}`, `{timestamp}` and `{body}` (once); default `{body}`. */
  template?: string;
  /** Header with the message id (needed when the template uses `{id}`). */
  idHeader?: string;
  /** Header with the timestamp (needed when the template uses `{timestamp}`). */
  timestampHeader?: string;
  /** Unit of the timestamp header (default seconds). */
  timestampUnit?: 's' | 'ms';
  /** Secrets as UTF-8 strings, newest first. Omit to take them from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
}

const DIGEST_BYTES = { sha256: 32, sha512: 64, sha1: 20 } as const;
const DECODERS = { hex: decodeHex, base64: decodeBase64, base64url: decodeBase64Url } as const;
const INTEGER = /^[0-9]{1,16}$/;

/** A generic HMAC scheme for senders with their own format. */
export function hmac(options: HmacOptions): Scheme {
  const name = options.name ?? 'hmac';
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) throw new WebhookConfigError(`hmac: name "${name}" must be letters, digits, - or _`);
  if (typeof options.header !== 'string' || options.header.length === 0) throw new WebhookConfigError(`${name}: header is required`);
  const algorithm = options.algorithm ?? 'sha256';
  if (!(algorithm in DIGEST_BYTES)) throw new WebhookConfigError(`${name}: algorithm must be sha256, sha512 or sha1`);
  const encoding = options.encoding ?? 'hex';
  if (!(encoding in DECODERS)) throw new WebhookConfigError(`${name}: encoding must be hex, base64 or base64url`);
  const template: HmacTemplate = parseTemplate(options.template ?? '{body}', name);
  const idHeader = options.idHeader?.toLowerCase();
  const tsHeader = options.timestampHeader?.toLowerCase();
  if (template.usesId && !idHeader) throw new WebhookConfigError(`${name}: the template uses {id}; set idHeader`);
  if (template.usesTimestamp && !tsHeader) throw new WebhookConfigError(`${name}: the template uses {timestamp}; set timestampHeader`);
  // A timestamp outside the signed content could be changed at will: freshness would check nothing.
  if (tsHeader && !template.usesTimestamp) throw new WebhookConfigError(`${name}: timestampHeader is set but the template does not sign {timestamp}`);
  const header = options.header.toLowerCase();
  const prefix = options.prefix ?? '';
  const size = DIGEST_BYTES[algorithm];
  const decode = DECODERS[encoding];
  const perMs = options.timestampUnit === 'ms';
  const prepareKeys = prepareUtf8Secrets(name);

  return {
    name,
    ...(template.usesId ? { idReading: `hmac:${algorithm}:${options.template}:${idHeader}` } : {}),
    staticKeys: staticKeysOf(name, prepareKeys, options.secret),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const value = input.header(header);
      if (value === undefined) throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: `no ${options.header} header`, scheme: name });
      const bytes = value.startsWith(prefix) ? decode(value.slice(prefix.length).trim()) : undefined;
      if (!bytes || bytes.length !== size)
        throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `expected ${prefix ? `${prefix} followed by ` : ''}a ${encoding} ${algorithm} digest`, scheme: name });
      const id = idHeader ? checkedId(input.header(idHeader), options.idHeader!, name) : undefined;
      const ts = tsHeader ? input.header(tsHeader) : undefined;
      if (template.usesId && !id) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `no ${options.idHeader} header`, scheme: name });
      if (tsHeader && (ts === undefined ? template.usesTimestamp : !INTEGER.test(ts)))
        throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `${options.timestampHeader} must be an integer`, scheme: name });
      const rendered = template.render(id ?? '', ts ?? '');
      if (rendered === undefined)
        throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'a header value holds the separator that follows it in the signed content', scheme: name });
      const [before, after] = rendered;
      const match = matchHmac(algorithm, input.keysFor(this), before, input.body, after, [bytes]);
      if (match === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'signature matched no active secret', scheme: name });
      const verdict: SchemeVerdict = { scheme: name, keyId: match, replayable: true };
      if (template.usesId && id) verdict.replayId = id;
      else verdict.signedContent = { prefix: before, body: input.body, suffix: after };
      if (id) verdict.id = id;
      if (ts !== undefined) verdict.timestamp = perMs ? Math.floor(Number(ts) / 1000) : Number(ts);
      return verdict;
    },
  };
}
