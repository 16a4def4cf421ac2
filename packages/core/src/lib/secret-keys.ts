import type { KeySpec, PreparedKey } from '../types.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { hmacKey } from './hmac.js';
import { checkSecretText, prepared } from './keys.js';

/** Prepares UTF-8 secrets (Stripe, GitHub, Slack, Shopify, generic HMAC): the whole string is the key. */
export function prepareUtf8Secrets(scheme: string) {
  return (specs: readonly KeySpec[]): PreparedKey[] =>
    specs.map((spec) => {
      const secret = checkSecretText(spec.secret, scheme, spec.id);
      // A bare vendor prefix is a truncated copy-paste, never a real secret.
      if (/^[a-z]+_$/.test(secret)) throw new WebhookConfigError(`${scheme} key ${spec.id}: secret is only the "${secret}" prefix`);
      return prepared(spec, hmacKey(Buffer.from(secret, 'utf8')));
    });
}
