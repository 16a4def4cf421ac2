import { createHmac } from 'node:crypto';
import { bodyBytes, type SignBody } from './common.js';

export interface SignDocuSignInput {
  /** One HMAC key, or several: X-DocuSign-Signature-1, -2, ... in this order. */
  secret: string | readonly string[];
  body: SignBody;
}

/** `X-DocuSign-Signature-N` headers (base64 HMAC-SHA256 of the body), one per key. */
export function signDocuSign(input: SignDocuSignInput): Record<string, string> {
  const body = bodyBytes(input.body);
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  const headers: Record<string, string> = { 'x-authorization-digest': 'HMACSHA256' };
  secrets.forEach((s, i) => (headers[`x-docusign-signature-${i + 1}`] = createHmac('sha256', s).update(body).digest('base64')));
  return headers;
}
