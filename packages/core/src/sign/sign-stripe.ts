import { createHmac } from 'node:crypto';
import { bodyBytes, seconds, type SignBody } from './common.js';

export interface SignStripeInput {
  secret: string | readonly string[];
  body: SignBody;
  timestamp?: number | Date;
}

/** `Stripe-Signature: t=..,v1=..` for a body (one v1 per secret). */
export function signStripe(input: SignStripeInput): Record<string, string> {
  const t = seconds(input.timestamp);
  const body = bodyBytes(input.body);
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  const v1 = secrets.map((s) => `v1=${createHmac('sha256', s).update(`${t}.`).update(body).digest('hex')}`);
  return { 'stripe-signature': [`t=${t}`, ...v1].join(',') };
}
