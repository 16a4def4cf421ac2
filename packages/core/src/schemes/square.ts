import type { KeyInput, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { decodeBase64 } from '../lib/compare.js';
import { jsonIdOf, matchHmac } from '../lib/hmac.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { prepareUtf8Secrets } from '../lib/secret-keys.js';

export interface SquareOptions {
  /**
   * The notification URL of the subscription, exactly as entered in Square's Developer Console: it is
   * part of what Square signs. A function gives each tenant its own (called with the canonical tenant id).
   */
  notificationUrl: string | ((tenant: string | undefined) => string);
  /** Subscription signature keys, newest first. Omit to take them from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
}

/** The URL as the bytes Square signs (UTF-8), in the latin1 text form the HMAC writes back byte for byte. */
function signedUrl(url: unknown): string {
  if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/.test(url)) throw new WebhookConfigError('square: notificationUrl must be the absolute http(s) URL of the subscription');
  return Buffer.from(url, 'utf8').toString('latin1');
}

/**
 * Square: `x-square-hmacsha256-signature`, base64 HMAC-SHA256 of the notification URL followed by the
 * body (https://developer.squareup.com/docs/webhooks/step3validate). The URL binds a delivery to the
 * endpoint it was meant for. Square names `event_id` in the signed body as the idempotency value
 * (https://developer.squareup.com/docs/webhooks/what-it-does): the replay identity when present.
 */
export function square(options: SquareOptions): Scheme {
  if (!options || options.notificationUrl === undefined) throw new WebhookConfigError('square: notificationUrl is required (the URL Square signs)');
  const fixed = typeof options.notificationUrl === 'string' ? signedUrl(options.notificationUrl) : undefined;
  const urlFor = options.notificationUrl;
  const prepareKeys = prepareUtf8Secrets('square');
  return {
    name: 'square',
    idReading: 'square',
    staticKeys: staticKeysOf('square', prepareKeys, options.secret),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const header = input.header('x-square-hmacsha256-signature');
      if (header === undefined) throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no x-square-hmacsha256-signature header', scheme: 'square' });
      const bytes = header.length === 44 ? decodeBase64(header) : undefined;
      if (!bytes || bytes.length !== 32) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'expected the base64 of 32 bytes', scheme: 'square' });
      let prefix = fixed;
      if (prefix === undefined) {
        try {
          prefix = signedUrl((urlFor as (tenant: string | undefined) => string)(input.tenant));
        } catch (e) {
          // Our configuration, not the sender's fault: fail closed without saying what is wrong.
          throw new WebhookVerificationError('TENANT_LOOKUP_FAILED', { detail: 'this endpoint is misconfigured on the receiving side; the cause is in the server logs', cause: e, scheme: 'square' });
        }
      }
      const match = matchHmac('sha256', input.keysFor(this), prefix, input.body, undefined, [bytes]);
      if (match === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'signature matched no active key for this notification URL', scheme: 'square' });
      const body = input.body;
      return { scheme: 'square', keyId: match, signedContent: { prefix, body }, payloadId: () => jsonIdOf(body, 'event_id'), replayable: true };
    },
  };
}
