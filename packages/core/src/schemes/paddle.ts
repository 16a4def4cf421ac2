import type { KeyInput, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { jsonIdOf } from '../lib/hmac.js';
import { HmacCandidates, keyIs, scanEntries } from '../lib/hmac-candidates.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { prepareUtf8Secrets } from '../lib/secret-keys.js';

export interface PaddleOptions {
  /** Notification destination secret keys (`pdl_ntfset_...`, used as UTF-8), newest first. Omit to take them from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
}

const MAX_ENTRIES = 16;
const MAX_H1 = 4;
const INTEGER = /^[0-9]{1,16}$/;
// Verification is synchronous: one set of buffers serves every request.
const ENTRIES = new Int32Array(4 * MAX_ENTRIES);
const CANDIDATES = new HmacCandidates('hex', 32, MAX_H1);

// https://developer.paddle.com/webhooks/signature-verification: `Paddle-Signature: ts=<seconds>;h1=<hex>`,
// HMAC-SHA256 of `{ts}:{body}`, at least one h1 (one per secret while a secret rotates). Paddle re-signs
// retries with a fresh ts; the event_id in the signed body stays, so it is the replay identity. The
// header is read as parseSignatureHeader() reads it (at most 16 entries, `ts` once, at most 4 h1), in
// place: the h1 texts are compared in constant time with the hex of one HMAC per secret, so a
// header stuffed with wrong h1 entries costs little more than one honest delivery.

/** Paddle Billing: `Paddle-Signature: ts=..;h1=..[;h1=..]`, HMAC-SHA256 of `ts:body`. */
export function paddle(options: PaddleOptions = {}): Scheme {
  const prepareKeys = prepareUtf8Secrets('paddle');
  return {
    name: 'paddle',
    // As defineScheme named it: leaves that read ids differently may not share a secret (createVerifier checks).
    idReading: 'define:paddle:body.event_id',
    staticKeys: staticKeysOf('paddle', prepareKeys, options.secret),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const header = input.header('paddle-signature');
      if (header === undefined) throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no signature in the request', scheme: 'paddle' });
      const found = scanEntries(header, ';', MAX_ENTRIES, ENTRIES);
      if (found < 0) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `more than ${MAX_ENTRIES} entries in the signature header`, scheme: 'paddle' });
      const candidates = CANDIDATES.clear();
      let h1 = 0;
      let ts = -1;
      for (let e = 0; e < found * 4; e += 4) {
        const k = ENTRIES[e]!;
        const kEnd = ENTRIES[e + 1]!;
        if (keyIs(header, k, kEnd, 'h1')) {
          if (++h1 <= MAX_H1) candidates.add(header, ENTRIES[e + 2]!, ENTRIES[e + 3]!);
        } else if (keyIs(header, k, kEnd, 'ts')) {
          // Which would count?
          if (ts !== -1) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: '"ts" appears more than once in the signature header', scheme: 'paddle' });
          ts = e;
        }
      }
      if (h1 > MAX_H1) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `more than ${MAX_H1} signatures`, scheme: 'paddle' });
      if (!candidates.wellFormed) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'no well-formed hex sha256 signature', scheme: 'paddle' });
      const timestamp = ts === -1 ? '' : header.slice(ENTRIES[ts + 2]!, ENTRIES[ts + 3]!);
      if (!INTEGER.test(timestamp)) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'the timestamp must be ASCII digits', scheme: 'paddle' });
      const prefix = `${timestamp}:`;
      const body = input.body;
      const match = candidates.match('sha256', input.keysFor(this), prefix, body, undefined);
      if (match === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'no signature matched an active secret', scheme: 'paddle' });
      return {
        scheme: 'paddle',
        keyId: match,
        replayable: true,
        signedContent: { prefix, body, suffix: '' },
        payloadId: () => jsonIdOf(body, 'event_id'),
        timestamp: Number(timestamp),
      };
    },
  };
}
