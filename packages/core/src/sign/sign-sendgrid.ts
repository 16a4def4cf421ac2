import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import { WebhookConfigError } from '../webhook-config-error.js';
import { curveOf, privateKeyOf } from '../lib/public-keys.js';
import { bodyBytes, seconds, type SignBody } from './common.js';

export interface SignSendGridInput {
  /** The ECDSA P-256 private key (KeyObject or PEM) whose public half the receiver holds. */
  privateKey: KeyObject | string;
  body: SignBody;
  /** Seconds or a Date (default now). */
  timestamp?: number | Date;
}

/** SendGrid's signed Event Webhook headers for a body: the base64 DER ECDSA signature of timestamp + body. */
export function signSendGrid(input: SignSendGridInput): Record<string, string> {
  const key = privateKeyOf(input.privateKey, 'sign.sendgrid');
  if (curveOf(key) !== 'prime256v1') throw new WebhookConfigError('sign.sendgrid: privateKey must be ECDSA P-256');
  const ts = String(seconds(input.timestamp));
  const signature = cryptoSign('sha256', Buffer.concat([Buffer.from(ts, 'latin1'), bodyBytes(input.body)]), { key, dsaEncoding: 'der' });
  return { 'x-twilio-email-event-webhook-signature': signature.toString('base64'), 'x-twilio-email-event-webhook-timestamp': ts };
}
