import type { KeyInput, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { decodeHex } from '../lib/compare.js';
import { jsonIdOf, matchHmac } from '../lib/hmac.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { prepareUtf8Secrets } from '../lib/secret-keys.js';

export interface StripeOptions {
  /** Endpoint secrets (`whsec_...`, used as UTF-8 as Stripe does), newest first. Omit to take them from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
}

// Stripe sends one v1 per active secret (two while you roll one): a few entries, never dozens. The
// caps keep a stuffed header to a couple of times an honest verify (bench: worst unauthenticated).
const MAX_ENTRIES = 16;
const MAX_V1 = 4;
const TIMESTAMP = /^[0-9]{1,15}$/;

/** Stripe: `Stripe-Signature: t=..,v1=..[,v1=..]`, signed `t.body`; unknown schemes (v0) ignored. */
export function stripe(options: StripeOptions = {}): Scheme {
  const prepareKeys = prepareUtf8Secrets('stripe');
  return {
    name: 'stripe',
    idReading: 'stripe',
    staticKeys: staticKeysOf('stripe', prepareKeys, options.secret),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const header = input.header('stripe-signature');
      if (header === undefined) throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no Stripe-Signature header', scheme: 'stripe' });
      let t: string | undefined;
      const v1: Buffer[] = [];
      let entries = 0;
      // Comma-separated `key=value` entries, scanned in place: the common `t=` and `v1=` keys
      // (no spaces) cost no string of their own; anything else is trimmed as before.
      for (let start = 0; start <= header.length; ) {
        let end = header.indexOf(',', start);
        if (end === -1) end = header.length;
        if (++entries > MAX_ENTRIES) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'too many entries in Stripe-Signature', scheme: 'stripe' });
        const eq = header.indexOf('=', start);
        if (eq > start && eq < end) {
          const k = eq - start === 1 && header.charCodeAt(start) === 0x74 ? 't' : eq - start === 2 && header.startsWith('v1', start) ? 'v1' : header.slice(start, eq).trim();
          if (k === 't') t ??= header.slice(eq + 1, end).trim();
          else if (k === 'v1') {
            if (v1.length === MAX_V1) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `more than ${MAX_V1} v1 signatures in Stripe-Signature`, scheme: 'stripe' });
            const bytes = decodeHex(header.slice(eq + 1, end).trim());
            if (bytes && bytes.length === 32) v1.push(bytes);
          }
        }
        start = end + 1;
      }
      if (t === undefined || !TIMESTAMP.test(t))
        throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'Stripe-Signature has no integer t= timestamp', scheme: 'stripe' });
      if (v1.length === 0) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'Stripe-Signature has no well-formed v1 signature', scheme: 'stripe' });
      const prefix = `${t}.`;
      const match = matchHmac('sha256', input.keysFor(this), prefix, input.body, undefined, v1);
      if (match === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'no v1 signature matched an active secret', scheme: 'stripe' });
      const body = input.body;
      return {
        scheme: 'stripe',
        timestamp: Number(t),
        keyId: match,
        signedContent: { prefix, body },
        // Stripe retries an event with a fresh t= and signature; the event id in the signed body is what stays.
        payloadId: () => jsonIdOf(body, 'id'),
        replayable: true,
      };
    },
  };
}
