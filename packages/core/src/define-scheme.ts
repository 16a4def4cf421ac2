import type { KeyInput, Scheme, SchemeInput, SchemeVerdict, WebhookRequest } from './types.js';
import { WebhookVerificationError } from './webhook-verification-error.js';
import { WebhookConfigError } from './webhook-config-error.js';
import { isWebhookVerificationError } from './is-webhook-verification-error.js';
import { decodeBase64, decodeBase64Url, decodeHex } from './lib/compare.js';
import { jsonIdOf, matchHmac } from './lib/hmac.js';
import { checkedId } from './lib/limits.js';
import { staticKeysOf } from './lib/scheme-keys.js';
import { prepareUtf8Secrets } from './lib/secret-keys.js';
import { parseTemplate } from './lib/hmac-template.js';

/** What `read` sees of a request: its headers, one value each, and where it was sent. */
export interface SchemeReadContext {
  /** One header value by name (any case); a header sent twice is MALFORMED_SIGNATURE before `read` sees it. */
  header(name: string): string | undefined;
  readonly request: WebhookRequest;
}

/** What `read` found in the request's headers: texts only; core decodes, bounds and compares them. */
export interface SchemeReading {
  /** The signature texts (the digest without any `v1=` prefix); undefined when there is none: MISSING_SIGNATURE. */
  signatures: string | readonly string[] | undefined;
  /** The message id. With `{id}` in the template it is signed, so it is the replay identity; without, it is only reported. */
  id?: string | undefined;
  /** The timestamp `{timestamp}` signs: ASCII digits only. Only a template with `{timestamp}` may return one. */
  timestamp?: string | undefined;
}

export interface SchemeDefinition {
  /** Reported in results and replay keys: letters, digits, - and _. */
  name: string;
  /** Default sha256. */
  algorithm?: 'sha256' | 'sha512' | 'sha1';
  /** How the signatures are written: default hex. Decoded strictly (one spelling per signature). */
  encoding?: 'hex' | 'base64' | 'base64url';
  /** The signed content, with `{body}` once and optionally `{id}` and `{timestamp}`: default `{body}`. */
  template?: string;
  /** Unit of the timestamp (default seconds). */
  timestampUnit?: 's' | 'ms';
  /** Most signatures one request may carry (one per active secret of the sender): default 4, at most 16. */
  maxSignatures?: number;
  /**
   * A top-level field of the JSON body that names the event (Stripe's `id`): signed with the body, so
   * it is the replay identity when present, the same whichever delivery or re-signing carried it.
   */
  payloadIdField?: string;
  /** Reads the signatures (and id, timestamp) out of the headers. An error it throws is MALFORMED_SIGNATURE. */
  read(request: SchemeReadContext): SchemeReading;
}

export interface DefinedSchemeOptions {
  /** Secrets as UTF-8 strings, newest first. Omit to take them from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
}

const DIGEST_BYTES = { sha256: 32, sha512: 64, sha1: 20 } as const;
const DECODERS = { hex: decodeHex, base64: decodeBase64, base64url: decodeBase64Url } as const;
const INTEGER = /^[0-9]{1,16}$/;
const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * A provider's signature format as a scheme factory, in a few lines: say how to read the headers and
 * what is signed; the rest is core's. Whatever `read` returns, the guarantees hold: signatures bounded
 * in number and decoded strictly, compared in constant time against every active key; ids capped at
 * MAX_ID_LENGTH; timestamps ASCII digits, checked against the verifier's tolerance; one reading of the
 * signed content (a value holding the literal after it is refused); the replay identity is the signed
 * id, else the event id in the signed body, else a digest of the signed bytes — never the key that matched.
 */
export function defineScheme(definition: SchemeDefinition): (options?: DefinedSchemeOptions) => Scheme {
  if (!definition || typeof definition !== 'object') throw new WebhookConfigError('defineScheme needs a definition object');
  const { name, read } = definition;
  if (typeof name !== 'string' || !NAME.test(name)) throw new WebhookConfigError(`defineScheme: name "${String(name)}" must be letters, digits, - or _`);
  if (typeof read !== 'function') throw new WebhookConfigError(`${name}: read(request) is required`);
  const algorithm = definition.algorithm ?? 'sha256';
  if (!(algorithm in DIGEST_BYTES)) throw new WebhookConfigError(`${name}: algorithm must be sha256, sha512 or sha1`);
  const encoding = definition.encoding ?? 'hex';
  if (!(encoding in DECODERS)) throw new WebhookConfigError(`${name}: encoding must be hex, base64 or base64url`);
  const maxSignatures = definition.maxSignatures ?? 4;
  if (!Number.isInteger(maxSignatures) || maxSignatures < 1 || maxSignatures > 16) throw new WebhookConfigError(`${name}: maxSignatures must be an integer from 1 to 16`);
  const templateText = definition.template ?? '{body}';
  const template = parseTemplate(templateText, name);
  const payloadIdField = definition.payloadIdField;
  if (payloadIdField !== undefined && (typeof payloadIdField !== 'string' || payloadIdField === '')) throw new WebhookConfigError(`${name}: payloadIdField must be a field name`);
  if (template.usesId && payloadIdField !== undefined) throw new WebhookConfigError(`${name}: the template signs {id}; payloadIdField would give one delivery a second identity`);
  const size = DIGEST_BYTES[algorithm];
  const decode = DECODERS[encoding];
  const perMs = definition.timestampUnit === 'ms';
  // Leaves that read ids differently may not share a secret (createVerifier checks): say how this one reads.
  const idReading = template.usesId ? `define:${name}:${templateText}` : payloadIdField !== undefined ? `define:${name}:body.${payloadIdField}` : undefined;

  return (options: DefinedSchemeOptions = {}): Scheme => {
    const prepareKeys = prepareUtf8Secrets(name);
    return {
      name,
      ...(idReading ? { idReading } : {}),
      staticKeys: staticKeysOf(name, prepareKeys, options.secret),
      prepareKeys,
      verify(input: SchemeInput): SchemeVerdict {
        let reading: SchemeReading;
        try {
          reading = read.call(definition, input);
        } catch (e) {
          if (isWebhookVerificationError(e) || e instanceof WebhookConfigError) throw e;
          // read() works on whatever the sender sent: a TypeError on a missing header is the request's fault.
          throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `${name} could not read the request's headers`, scheme: name, cause: e });
        }
        const texts = reading?.signatures;
        if (texts === undefined || texts === null) throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no signature in the request', scheme: name });
        const list = typeof texts === 'string' ? [texts] : texts;
        if (list.length > maxSignatures) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `more than ${maxSignatures} signatures`, scheme: name });
        const candidates: Buffer[] = [];
        for (const text of list) {
          const bytes = typeof text === 'string' ? decode(text) : undefined;
          if (bytes && bytes.length === size) candidates.push(bytes);
        }
        if (candidates.length === 0) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `no well-formed ${encoding} ${algorithm} signature`, scheme: name });

        const id = typeof reading.id === 'string' ? checkedId(reading.id, 'the message id', name) : undefined;
        if (template.usesId && !id) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'no message id', scheme: name });
        const ts = reading.timestamp;
        // A timestamp outside the signed content could be changed at will: freshness would check nothing.
        if (ts !== undefined && !template.usesTimestamp) throw new WebhookConfigError(`${name}: read() returned a timestamp but the template signs no {timestamp}`);
        if (template.usesTimestamp && (typeof ts !== 'string' || !INTEGER.test(ts)))
          throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'the timestamp must be ASCII digits', scheme: name });
        const rendered = template.render(id ?? '', ts ?? '');
        if (rendered === undefined)
          throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'a value holds the separator that follows it in the signed content', scheme: name });
        const [before, after] = rendered;
        const match = matchHmac(algorithm, input.keysFor(this), before, input.body, after, candidates);
        if (match === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'no signature matched an active secret', scheme: name });

        const verdict: SchemeVerdict = { scheme: name, keyId: match, replayable: true };
        if (template.usesId) verdict.replayId = id!;
        else {
          const body = input.body;
          verdict.signedContent = { prefix: before, body, suffix: after };
          if (payloadIdField !== undefined) verdict.payloadId = () => jsonIdOf(body, payloadIdField);
        }
        if (id) verdict.id = id;
        if (ts !== undefined) verdict.timestamp = perMs ? Math.floor(Number(ts) / 1000) : Number(ts);
        return verdict;
      },
    };
  };
}
