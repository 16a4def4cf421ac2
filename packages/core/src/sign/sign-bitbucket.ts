import { createHmac, randomUUID } from 'node:crypto';
import { bodyBytes, type SignBody } from './common.js';

export interface SignBitbucketInput {
  secret: string;
  body: SignBody;
  /** X-Request-UUID (default a random UUID). */
  id?: string;
}

/** `X-Hub-Signature: sha256=<hex>` (HMAC-SHA256 of the body). */
export function signBitbucket(input: SignBitbucketInput): Record<string, string> {
  return {
    'x-hub-signature': `sha256=${createHmac('sha256', input.secret).update(bodyBytes(input.body)).digest('hex')}`,
    'x-request-uuid': input.id ?? randomUUID(),
  };
}
