import type { KeyInput, KeySpec, PreparedKey, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { matchToken, prepareTokenKeys } from '../lib/token-keys.js';

export interface AdobeSignOptions {
  /**
   * The client (application) id(s) of the Acrobat Sign API application(s) that created the webhook:
   * strings, or `{ id, secret: clientId }` to name them in `webhook.keyId`. Omit to take them from the
   * tenant (`secrets`, tagged `scheme: 'adobeSign'`).
   */
  clientId?: KeyInput | readonly KeyInput[];
}

const HEADER = 'x-adobesign-clientid';
// Echoed in a response header: visible ASCII only, so no id can carry a line break into the answer.
const CLIENT_ID = /^[\x21-\x7e]{1,256}$/;

// Held as digests and matched like apiKey()'s and gitlab()'s tokens (lib/token-keys).
const prepareDigests = prepareTokenKeys('adobeSign');
function prepareKeys(specs: readonly KeySpec[]): PreparedKey[] {
  for (const spec of specs)
    if (typeof spec.secret !== 'string' || !CLIENT_ID.test(spec.secret)) throw new WebhookConfigError(`adobeSign key ${spec.id}: the client id must be 1-256 printable ASCII characters`);
  return prepareDigests(specs);
}

/**
 * Adobe Acrobat Sign: every request carries `X-AdobeSign-ClientId`, the id of the API application
 * that created the webhook, and must be answered 2xx with that id echoed back; otherwise Adobe
 * retries, and after 72 hours disables the webhook. The id is compared in constant time. It is no
 * signature: it is not secret and covers nothing, so pair this scheme with mtls() and Adobe's client
 * certificate (`all(adobeSign(...), mtls(...))`).
 *
 * The echo is part of the verdict: adapters set the response header before the handler runs, and
 * acknowledgements of duplicates carry it too. Adobe's verification-of-intent GET gets core's own
 * answer (200, the header and `{"xAdobeSignClientId": ...}`) and never reaches the handler.
 * Replay identity: the digest of the body (nothing in it is signed; see the README).
 */
export function adobeSign(options: AdobeSignOptions = {}): Scheme {
  return {
    name: 'adobeSign',
    staticKeys: staticKeysOf('adobeSign', prepareKeys, options.clientId),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const presented = input.header(HEADER);
      if (presented === undefined || presented === '') throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no X-AdobeSign-ClientId header', scheme: 'adobeSign' });
      // Hashed as UTF-8 (not latin1, which keeps only the low byte past U+00FF and let a hand-built id
      // alias a configured one: found by the fuzz campaign).
      const matched = matchToken(presented, input.keysFor(this));
      if (matched === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'X-AdobeSign-ClientId is not the client id of this webhook', scheme: 'adobeSign' });
      // Its UTF-8 bytes are a configured id's, which is printable ASCII: the header is that id, safe to echo.
      const echo = { 'x-adobesign-clientid': presented };
      if (input.request.method.toUpperCase() === 'GET') {
        // Verification of intent: nothing to handle, nothing to remember. Both echo forms Adobe accepts.
        return {
          scheme: 'adobeSign',
          keyId: matched,
          replayable: false,
          answer: { status: 200, headers: { ...echo, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ xAdobeSignClientId: presented }) },
        };
      }
      return { scheme: 'adobeSign', keyId: matched, signedContent: { body: input.body }, responseHeaders: echo, replayable: true };
    },
  };
}
