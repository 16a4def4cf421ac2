import type { KeyInput, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { decodeBase64 } from '../lib/compare.js';
import { matchHmac } from '../lib/hmac.js';
import { checkedId } from '../lib/limits.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { prepareUtf8Secrets } from '../lib/secret-keys.js';

export interface ShopifyOptions {
  /** App client secrets, newest first. Omit to take them from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
}

/**
 * Shopify: `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the body), or the un-prefixed
 * `Shopify-Hmac-Sha256` of newer deliveries. The webhook id header is reported but not signed,
 * so replay identity comes from the verified signature.
 */
export function shopify(options: ShopifyOptions = {}): Scheme {
  const prepareKeys = prepareUtf8Secrets('shopify');
  return {
    name: 'shopify',
    staticKeys: staticKeysOf('shopify', prepareKeys, options.secret),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const prefixed = input.header('x-shopify-hmac-sha256');
      const header = prefixed ?? input.header('shopify-hmac-sha256');
      if (header === undefined) throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no X-Shopify-Hmac-Sha256 header', scheme: 'shopify' });
      const bytes = decodeBase64(header.trim());
      if (!bytes || bytes.length !== 32) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'expected the base64 of 32 bytes', scheme: 'shopify' });
      const match = matchHmac('sha256', input.keysFor(this), undefined, input.body, undefined, [bytes]);
      if (match === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'signature matched no active secret', scheme: 'shopify' });
      const id = checkedId(
        prefixed !== undefined ? input.header('x-shopify-webhook-id') : (input.header('shopify-webhook-id') ?? input.header('shopify-event-id')),
        'X-Shopify-Webhook-Id',
        'shopify',
      );
      const verdict: SchemeVerdict = { scheme: 'shopify', keyId: match, signedContent: { body: input.body }, replayable: true };
      if (id) verdict.id = id;
      return verdict;
    },
  };
}
