import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { WebhookConfigError } from '../webhook-config-error.js';
import { decodeBase64 } from './compare.js';
import { checkSecretText } from './keys.js';
import type { HmacKey } from './hmac.js';

export type StandardKey = { kind: 'hmac'; key: HmacKey } | { kind: 'ed25519'; key: KeyObject };

const MIN_SECRET_BYTES = 16;

/** `whsec_<base64>` (or bare base64, as the reference libraries accept) -> HMAC key bytes. */
export function decodeWhsec(secret: string, id?: string): Buffer {
  checkSecretText(secret, 'standardWebhooks', id);
  const b64 = secret.startsWith('whsec_') ? secret.slice(6) : secret;
  if (b64.length === 0) throw new WebhookConfigError(`standardWebhooks${id ? ` key ${id}` : ''}: secret is only the "whsec_" prefix`);
  const bytes = decodeBase64(b64);
  if (!bytes) throw new WebhookConfigError(`standardWebhooks${id ? ` key ${id}` : ''}: secret is not whsec_ followed by base64`);
  if (bytes.length < MIN_SECRET_BYTES)
    throw new WebhookConfigError(`standardWebhooks${id ? ` key ${id}` : ''}: secret decodes to ${bytes.length} bytes; at least ${MIN_SECRET_BYTES} are required`);
  return bytes;
}

/** `whpk_<base64 of the raw 32-byte Ed25519 public key>` -> KeyObject. */
export function decodeWhpk(text: string, id?: string): KeyObject {
  checkSecretText(text, 'standardWebhooks', id);
  const raw = decodeBase64(text.slice(5));
  if (!text.startsWith('whpk_') || !raw || raw.length !== 32)
    throw new WebhookConfigError(`standardWebhooks${id ? ` key ${id}` : ''}: public key must be whpk_ followed by the base64 of 32 bytes`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** `whsk_<base64 of seed(32) || public key(32)>` -> private KeyObject, for signing. */
export function decodeWhsk(text: string): KeyObject {
  checkSecretText(text, 'standardWebhooks', undefined);
  const raw = text.startsWith('whsk_') ? decodeBase64(text.slice(5)) : undefined;
  if (!raw || raw.length !== 64) throw new WebhookConfigError('standardWebhooks: signing key must be whsk_ followed by the base64 of 64 bytes');
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: raw.subarray(0, 32).toString('base64url'), x: raw.subarray(32).toString('base64url') },
    format: 'jwk',
  });
}
