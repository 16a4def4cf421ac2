import { createHmac } from 'node:crypto';
import { bodyBytes, seconds, type SignBody } from './common.js';

export interface SignPaddleInput {
  /** One secret key, or several (an `h1=` each, as during a rotation). */
  secret: string | readonly string[];
  body: SignBody;
  timestamp?: number | Date;
}

/** `Paddle-Signature: ts=..;h1=..` for a body. */
export function signPaddle(input: SignPaddleInput): Record<string, string> {
  const ts = seconds(input.timestamp);
  const body = bodyBytes(input.body);
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  const h1 = secrets.map((s) => `h1=${createHmac('sha256', s).update(`${ts}:`).update(body).digest('hex')}`);
  return { 'paddle-signature': [`ts=${ts}`, ...h1].join(';') };
}
