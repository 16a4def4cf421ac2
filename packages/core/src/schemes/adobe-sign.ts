import { createHash } from 'node:crypto';
import type { KeyInput, KeySpec, PreparedKey, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { safeEqual } from '../lib/compare.js';
import { prepared } from '../lib/keys.js';
import { staticKeysOf } from '../lib/scheme-keys.js';

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

interface ClientId {
  digest: Buffer;
  value: string;
}

function prepareKeys(specs: readonly KeySpec[]): PreparedKey[] {
  return specs.map((spec) => {
    const id = spec.secret;
    if (typeof id !== 'string' || !CLIENT_ID.test(id)) throw new WebhookConfigError(`adobeSign key ${spec.id}: the client id must be 1-256 printable ASCII characters`);
    return prepared<ClientId>(spec, { digest: createHash('sha256').update(id, 'utf8').digest(), value: id });
  });
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
      // UTF-8, not latin1: latin1 keeps only the low byte of a character past U+00FF, so a hand-built
      // request could alias the id (found by the fuzz campaign); configured ids are ASCII.
      const digest = createHash('sha256').update(presented, 'utf8').digest();
      let matched: PreparedKey | undefined;
      // Every id is compared, so the time taken does not tell which one matched.
      for (const k of input.keysFor(this)) if (safeEqual(digest, (k.key as ClientId).digest) && matched === undefined) matched = k;
      if (matched === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'X-AdobeSign-ClientId is not the client id of this webhook', scheme: 'adobeSign' });
      const echo = { 'x-adobesign-clientid': (matched.key as ClientId).value };
      if (input.request.method.toUpperCase() === 'GET') {
        // Verification of intent: nothing to handle, nothing to remember. Both echo forms Adobe accepts.
        return {
          scheme: 'adobeSign',
          keyId: matched.id,
          replayable: false,
          answer: { status: 200, headers: { ...echo, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ xAdobeSignClientId: echo['x-adobesign-clientid'] }) },
        };
      }
      return { scheme: 'adobeSign', keyId: matched.id, signedContent: { body: input.body }, responseHeaders: echo, replayable: true };
    },
  };
}
