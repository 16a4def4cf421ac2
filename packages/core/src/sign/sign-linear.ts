import { createHmac, randomUUID } from 'node:crypto';
import { bodyBytes, type SignBody } from './common.js';

export interface SignLinearInput {
  secret: string;
  /** The JSON body, holding `webhookTimestamp` (ms): Linear signs its freshness inside the body. */
  body: SignBody;
  /** Linear-Delivery (default a random UUID). */
  id?: string;
}

/** `Linear-Signature` (hex HMAC-SHA256 of the body). */
export function signLinear(input: SignLinearInput): Record<string, string> {
  return {
    'linear-signature': createHmac('sha256', input.secret).update(bodyBytes(input.body)).digest('hex'),
    'linear-delivery': input.id ?? randomUUID(),
  };
}
