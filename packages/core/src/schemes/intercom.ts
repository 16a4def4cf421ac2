import type { KeyInput, Scheme } from '../types.js';
import { defineScheme } from '../define-scheme.js';

export interface IntercomOptions {
  /** The app's client secret, newest first. Omit to take it from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
}

// https://developers.intercom.com/docs/references/webhooks/webhook-models#signed-notifications:
// `X-Hub-Signature: sha1=<hex>`, HMAC-SHA1 of the body keyed with the app's client secret. The
// notification's `id` (notif_...) is in the signed body and stays the same across redeliveries, whose
// delivery_attempts field changes: it is the replay identity.
const defineIntercom = defineScheme({
  name: 'intercom',
  algorithm: 'sha1',
  payloadIdField: 'id',
  read(request) {
    const header = request.header('x-hub-signature');
    return { signatures: header === undefined ? undefined : header.startsWith('sha1=') ? header.slice(5) : [] };
  },
});

/** Intercom: `X-Hub-Signature: sha1=<hex>`, HMAC-SHA1 of the body. */
export function intercom(options: IntercomOptions = {}): Scheme {
  return defineIntercom(options);
}
