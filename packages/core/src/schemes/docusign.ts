import type { KeyInput, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { HmacCandidates } from '../lib/hmac-candidates.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { prepareUtf8Secrets } from '../lib/secret-keys.js';

export interface DocuSignOptions {
  /** Connect HMAC keys, newest first. Omit to take them from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
  /**
   * Most X-DocuSign-Signature-N headers read (one per HMAC key of the account): default 16, at most 100
   * (DocuSign's own limit). A request with more is MALFORMED_SIGNATURE, so stuffing them costs a bounded amount.
   */
  maxSignatures?: number;
}

const HEADERS = Array.from({ length: 101 }, (_, i) => `x-docusign-signature-${i + 1}`);

/**
 * DocuSign Connect: `X-DocuSign-Signature-1..N`, each the base64 HMAC-SHA256 of the body under one of
 * the account's HMAC keys (https://developers.docusign.com/platform/webhooks/connect/hmac/ and
 * .../connect/validate/). No timestamp and no signed id: the replay identity is the digest of the body,
 * and a retry that DocuSign rebuilds (a new `retryCount`) is a new delivery to it.
 */
export function docusign(options: DocuSignOptions = {}): Scheme {
  const prepareKeys = prepareUtf8Secrets('docusign');
  const max = options.maxSignatures ?? 16;
  if (!Number.isInteger(max) || max < 1 || max > 100) throw new WebhookConfigError('docusign: maxSignatures must be an integer from 1 to 100');
  // Verification is synchronous: one candidate set per scheme serves every request. The base64 texts
  // are compared, in constant time, with the canonical base64 of one HMAC per key, so a request stuffed
  // with `max` wrong signatures costs little more than one honest delivery.
  const slots = new HmacCandidates('base64', 32, max);
  return {
    name: 'docusign',
    staticKeys: staticKeysOf('docusign', prepareKeys, options.secret),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      // Numbered from 1 without gaps; reading stops at the first missing one.
      const candidates = slots.clear();
      let n = 0;
      for (let value = input.header(HEADERS[0]!); value !== undefined; value = input.header(HEADERS[n]!)) {
        if (++n > max) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `more than ${max} X-DocuSign-Signature headers`, scheme: 'docusign' });
        candidates.add(value, 0, value.length);
      }
      if (n === 0) throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no X-DocuSign-Signature-1 header', scheme: 'docusign' });
      if (!candidates.wellFormed) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'no X-DocuSign-Signature header holds the base64 of 32 bytes', scheme: 'docusign' });
      const match = candidates.match('sha256', input.keysFor(this), undefined, input.body, undefined);
      if (match === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'no signature matched an active HMAC key', scheme: 'docusign' });
      return { scheme: 'docusign', keyId: match, signedContent: { body: input.body }, replayable: true };
    },
  };
}
