import type { KeyInput, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { decodeHex } from '../lib/compare.js';
import { matchHmac } from '../lib/hmac.js';
import { jsonMember } from '../lib/json-member.js';
import { checkedId } from '../lib/limits.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { prepareUtf8Secrets } from '../lib/secret-keys.js';

export interface LinearOptions {
  /** Webhook signing secrets, newest first. Omit to take them from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
}

// Milliseconds, canonical JSON integer digits (no sign, fraction, exponent or leading zero).
const MS = /^(?:0|[1-9][0-9]{0,15})$/;

/**
 * Linear: `Linear-Signature`, hex HMAC-SHA256 of the body (https://linear.app/developers/webhooks#securing-webhooks).
 * Freshness comes from `webhookTimestamp` (ms) inside the signed body — Linear sends no timestamp header
 * — read from the bytes that verified, without parsing the whole body. Linear-Delivery is not signed:
 * reported, and the replay identity is the digest of the body.
 */
export function linear(options: LinearOptions = {}): Scheme {
  const prepareKeys = prepareUtf8Secrets('linear');
  return {
    name: 'linear',
    staticKeys: staticKeysOf('linear', prepareKeys, options.secret),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const header = input.header('linear-signature');
      if (header === undefined) throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no Linear-Signature header', scheme: 'linear' });
      const bytes = header.length === 64 ? decodeHex(header) : undefined;
      if (!bytes) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'expected 64 hex digits', scheme: 'linear' });
      const body = input.body;
      const match = matchHmac('sha256', input.keysFor(this), undefined, body, undefined, [bytes]);
      if (match === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'signature matched no active secret', scheme: 'linear' });
      // Only now, so a forgery never costs the scan; and only what the signature covers counts.
      const at = jsonMember(body, 'webhookTimestamp', 'linear');
      const ms = at === undefined ? undefined : body.toString('latin1', at.start, at.end);
      if (ms === undefined || !MS.test(ms))
        throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'the signed body has no integer webhookTimestamp (milliseconds)', scheme: 'linear' });
      const verdict: SchemeVerdict = { scheme: 'linear', keyId: match, timestamp: Math.floor(Number(ms) / 1000), signedContent: { body }, replayable: true };
      const id = checkedId(input.header('linear-delivery'), 'Linear-Delivery', 'linear');
      if (id) verdict.id = id;
      return verdict;
    },
  };
}
