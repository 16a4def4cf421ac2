import { createHmac } from 'node:crypto';
import { bodyBytes, type SignBody } from './common.js';

export interface SignSquareInput {
  /** The subscription's signature key. */
  secret: string;
  /** The notification URL the subscription posts to (signed with the body). */
  notificationUrl: string;
  body: SignBody;
}

/** `x-square-hmacsha256-signature` (base64 HMAC-SHA256 of URL + body). */
export function signSquare(input: SignSquareInput): Record<string, string> {
  const sig = createHmac('sha256', input.secret).update(input.notificationUrl, 'utf8').update(bodyBytes(input.body)).digest('base64');
  return { 'x-square-hmacsha256-signature': sig };
}
