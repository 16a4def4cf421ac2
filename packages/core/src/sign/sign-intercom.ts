import { createHmac } from 'node:crypto';
import { bodyBytes, type SignBody } from './common.js';

export interface SignIntercomInput {
  /** The app's client secret. */
  secret: string;
  body: SignBody;
}

/** `X-Hub-Signature: sha1=<hex>` (HMAC-SHA1 of the body). */
export function signIntercom(input: SignIntercomInput): Record<string, string> {
  return { 'x-hub-signature': `sha1=${createHmac('sha1', input.secret).update(bodyBytes(input.body)).digest('hex')}` };
}
