import { createHmac, randomUUID } from 'node:crypto';
import { bodyBytes, type SignBody } from './common.js';

export interface SignShopifyInput {
  secret: string;
  body: SignBody;
  id?: string;
  topic?: string;
  /** Newer un-prefixed `shopify-*` header names. */
  unprefixed?: boolean;
}

/** Shopify webhook headers for a body. */
export function signShopify(input: SignShopifyInput): Record<string, string> {
  const p = input.unprefixed ? 'shopify-' : 'x-shopify-';
  const headers: Record<string, string> = {
    [`${p}hmac-sha256`]: createHmac('sha256', input.secret).update(bodyBytes(input.body)).digest('base64'),
    [`${p}webhook-id`]: input.id ?? randomUUID(),
  };
  if (input.topic) headers[`${p}topic`] = input.topic;
  return headers;
}
