import type { KeyInput, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { decodeBase64 } from '../lib/compare.js';
import { matchHmac } from '../lib/hmac.js';
import { checkedId } from '../lib/limits.js';
import { publicUrlReader, type PublicUrlOption } from '../lib/public-url.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { prepareUtf8Secrets } from '../lib/secret-keys.js';
import { bodyMatches, readTwilioSigned, urlCandidates } from '../lib/twilio-signed.js';

export interface TwilioOptions {
  /**
   * Auth Tokens (and SharedKey secrets of Webhook Rules), newest first: during a rotation the
   * secondary token next to the primary. Omit to take them from the tenant.
   */
  secret?: KeyInput | readonly KeyInput[];
  /**
   * The URL Twilio calls, which it signs: a base the request's path and query are appended to
   * (`https://hooks.example.com`, with the path prefix a proxy strips, if any), or a function of the
   * request returning the whole URL. Without it the URL comes from the request: X-Forwarded-Proto /
   * X-Forwarded-Host of a proxy in the verifier's `proxy.trusted`, else the Host header.
   */
  publicUrl?: PublicUrlOption;
}

const ALGORITHMS: Readonly<Record<string, { hash: string; bytes: number }>> = {
  HMAC_SHA1: { hash: 'sha1', bytes: 20 },
  HMAC_SHA256: { hash: 'sha256', bytes: 32 },
};
const MAX_SETTINGS = 256;

/** X-Twilio-Webhooks-Signature-Settings `key=..,algorithm=..` (Webhook Rules); absent: the Auth Token's HMAC-SHA1. */
function algorithmOf(settings: string | undefined): { hash: string; bytes: number } | undefined {
  if (settings === undefined) return ALGORITHMS.HMAC_SHA1;
  if (settings.length > MAX_SETTINGS) return undefined;
  for (const part of settings.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === 'algorithm') {
      const name = part.slice(eq + 1).trim();
      if (name) return ALGORITHMS[name.toUpperCase()];
    }
  }
  return ALGORITHMS.HMAC_SHA1;
}

/**
 * Twilio: `X-Twilio-Signature`, the base64 HMAC-SHA1 (HMAC-SHA256 under a Webhook Rule's SharedKey)
 * of the full URL followed by the form parameters sorted by name, each name then its value. A JSON
 * body is signed through the URL instead: it carries `bodySHA256`, the hex SHA-256 of the body.
 * No timestamp and no signed id: the replay identity is the digest of the signed URL and parameters,
 * so every re-split, reordering or re-encoding of one signed delivery shares one replay key.
 */
export function twilio(options: TwilioOptions = {}): Scheme {
  const prepareKeys = prepareUtf8Secrets('twilio');
  const urlOf = publicUrlReader(options.publicUrl, 'twilio');
  return {
    name: 'twilio',
    staticKeys: staticKeysOf('twilio', prepareKeys, options.secret),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const header = input.header('x-twilio-signature');
      if (header === undefined || header === '') throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no X-Twilio-Signature header', scheme: 'twilio' });
      const algorithm = algorithmOf(input.header('x-twilio-webhooks-signature-settings'));
      if (!algorithm) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'X-Twilio-Webhooks-Signature-Settings names no algorithm we know (HMAC_SHA1, HMAC_SHA256)', scheme: 'twilio' });
      const signature = decodeBase64(header);
      if (!signature || signature.length !== algorithm.bytes)
        throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `expected the base64 of ${algorithm.bytes} bytes`, scheme: 'twilio' });
      const url = urlOf(input);
      const signed = readTwilioSigned(url, input.body);
      if (!signed.ok) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: signed.reason, scheme: 'twilio' });
      const keys = input.keysFor(this);
      let match: string | undefined;
      let matchedUrl = '';
      for (const candidate of urlCandidates(url)) {
        match = matchHmac(algorithm.hash, keys, candidate, signed.params, undefined, [signature]);
        if (match !== undefined) {
          matchedUrl = candidate;
          break;
        }
      }
      // The URL is never named in a detail: it may hold the basic-auth credentials Twilio signs.
      if (match === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'signature matched no active secret for the public URL of this request', scheme: 'twilio' });
      // Checked after the signature: the hash is in the signed URL, so only then is a mismatch the body's fault.
      if (signed.mode === 'body-hash' && !bodyMatches(input.body, signed.bodySha256!))
        throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'the body does not match the bodySHA256 of the signed URL', scheme: 'twilio' });
      const verdict: SchemeVerdict = { scheme: 'twilio', keyId: match, signedContent: { prefix: matchedUrl, body: signed.params }, replayable: true };
      // Reported, never the replay identity: the idempotency token is not signed.
      const id = checkedId(input.header('i-twilio-idempotency-token'), 'I-Twilio-Idempotency-Token', 'twilio');
      if (id) verdict.id = id;
      // The form is read once: the payload takes the fields the signature was checked over.
      if (signed.fields) verdict.formFields = signed.fields;
      return verdict;
    },
  };
}
