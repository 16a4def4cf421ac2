import type { KeyInput, Scheme } from '../types.js';
import { defineScheme } from '../define-scheme.js';
import { parseSignatureHeader } from '../parse-signature-header.js';

export interface PaddleOptions {
  /** Notification destination secret keys (`pdl_ntfset_...`, used as UTF-8), newest first. Omit to take them from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
}

// https://developer.paddle.com/webhooks/signature-verification: `Paddle-Signature: ts=<seconds>;h1=<hex>`,
// HMAC-SHA256 of `{ts}:{body}`, at least one h1 (one per secret while a secret rotates). Paddle re-signs
// retries with a fresh ts; the event_id in the signed body stays, so it is the replay identity.
const definePaddle = defineScheme({
  name: 'paddle',
  template: '{timestamp}:{body}',
  payloadIdField: 'event_id',
  read(request) {
    const header = request.header('paddle-signature');
    if (header === undefined) return { signatures: undefined };
    const entries = parseSignatureHeader(header, { separator: ';', max: 16, scheme: 'paddle' });
    return { signatures: entries.all('h1'), timestamp: entries.one('ts') ?? '' };
  },
});

/** Paddle Billing: `Paddle-Signature: ts=..;h1=..[;h1=..]`, HMAC-SHA256 of `ts:body`. */
export function paddle(options: PaddleOptions = {}): Scheme {
  return definePaddle(options);
}
