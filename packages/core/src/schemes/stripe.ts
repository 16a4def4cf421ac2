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

const MAX_ENTRIES = 64;
const TIMESTAMP = /^[0-9]{1,15}$/;

/** Stripe: `Stripe-Signature: t=..,v1=..[,v1=..]`, signed `t.body`; unknown schemes (v0) ignored. */
export function stripe(options: StripeOptions = {}): Scheme {
  const prepareKeys = prepareUtf8Secrets('stripe');
  return {
    name: 'stripe',
    staticKeys: staticKeysOf('stripe', prepareKeys, options.secret),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const header = input.header('stripe-signature');
      if (header === undefined) throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no Stripe-Signature header', scheme: 'stripe' });
      let t: string | undefined;
      const v1: Buffer[] = [];
      const items = header.split(',');
      if (items.length > MAX_ENTRIES) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'too many entries in Stripe-Signature', scheme: 'stripe' });
      for (const item of items) {
        const eq = item.indexOf('=');
        if (eq <= 0) continue;
        const k = item.slice(0, eq).trim();
        const v = item.slice(eq + 1).trim();
        if (k === 't') t ??= v;
        else if (k === 'v1') {
          const bytes = decodeHex(v);
          if (bytes && bytes.length === 32) v1.push(bytes);
        }
      }
      if (t === undefined || !TIMESTAMP.test(t))
        throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'Stripe-Signature has no integer t= timestamp', scheme: 'stripe' });
      if (v1.length === 0) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'Stripe-Signature has no well-formed v1 signature', scheme: 'stripe' });
      const match = matchHmac('sha256', input.keysFor(this), `${t}.`, input.body, undefined, v1);
      if (match === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'no v1 signature matched an active secret', scheme: 'stripe' });
      const body = input.body;
      return {
        scheme: 'stripe',
        timestamp: Number(t),
        keyId: match.keyId,
        replaySignature: match.identity,
        // Stripe retries an event with a fresh t= and signature; the event id in the signed body is what stays.
        payloadId: () => jsonIdOf(body, 'id'),
        replayable: true,
      };
    },
  };
}
