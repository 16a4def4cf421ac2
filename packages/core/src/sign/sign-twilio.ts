import { createHmac, randomUUID } from 'node:crypto';
import { WebhookConfigError } from '../webhook-config-error.js';
import { bodyMatches, readTwilioSigned } from '../lib/twilio-signed.js';
import { bodyBytes, type SignBody } from './common.js';

export interface SignTwilioInput {
  /** The Auth Token (or a Webhook Rule's SharedKey secret). */
  secret: string;
  /**
   * The full URL Twilio calls, query included. For a JSON (non-form) body it carries `bodySHA256`,
   * the hex SHA-256 of the body, as Twilio's own URL does.
   */
  url: string;
  /** A form body (`new URLSearchParams(params).toString()`), or the JSON body of a `bodySHA256` URL; default empty. */
  body?: SignBody;
  /** HMAC_SHA256 (a Webhook Rule's SharedKey) also sends X-Twilio-Webhooks-Signature-Settings; default HMAC_SHA1. */
  algorithm?: 'HMAC_SHA1' | 'HMAC_SHA256';
  /** I-Twilio-Idempotency-Token (default a random UUID). */
  id?: string;
}

/** Twilio's request headers for a URL and body, signed the way twilio-node's getExpectedTwilioSignature checks. */
export function signTwilio(input: SignTwilioInput): Record<string, string> {
  // The verifier reads URLs of printable ASCII only (anything else has no single byte form).
  if (!/^[\x21-\x7e]+$/.test(input.url)) throw new WebhookConfigError('sign.twilio: the URL must be printable ASCII (percent-encode the rest)');
  const body = bodyBytes(input.body ?? '');
  // The signer reads the body exactly as the verifier does: what it refuses is never signed.
  const signed = readTwilioSigned(input.url, body);
  if (!signed.ok) throw new WebhookConfigError(`sign.twilio: ${signed.reason}`);
  if (signed.mode === 'body-hash' && !bodyMatches(body, signed.bodySha256!)) throw new WebhookConfigError('sign.twilio: bodySHA256 in the URL is not the SHA-256 of the body');
  const sha256 = input.algorithm === 'HMAC_SHA256';
  const signature = createHmac(sha256 ? 'sha256' : 'sha1', input.secret).update(input.url, 'utf8').update(signed.params).digest('base64');
  const headers: Record<string, string> = { 'x-twilio-signature': signature, 'i-twilio-idempotency-token': input.id ?? randomUUID() };
  if (body.length > 0) headers['content-type'] = signed.mode === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
  if (sha256) headers['x-twilio-webhooks-signature-settings'] = 'algorithm=HMAC_SHA256';
  return headers;
}
