import { createHmac, randomUUID } from 'node:crypto';
import { bodyBytes, type SignBody } from './common.js';

export interface SignPagerDutyInput {
  /** One secret, or several (a `v1=` each, as PagerDuty sends while a secret rotates). */
  secret: string | readonly string[];
  body: SignBody;
  /** X-Webhook-Id (default a random UUID). */
  id?: string;
}

/** `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>]` for a body. */
export function signPagerDuty(input: SignPagerDutyInput): Record<string, string> {
  const body = bodyBytes(input.body);
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  return {
    'x-pagerduty-signature': secrets.map((s) => `v1=${createHmac('sha256', s).update(body).digest('hex')}`).join(','),
    'x-webhook-id': input.id ?? randomUUID(),
  };
}
