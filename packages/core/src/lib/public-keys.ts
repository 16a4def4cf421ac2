import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import type { KeyInput, KeySpec } from '../types.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { decodeBase64 } from './compare.js';
import { checkSecretText } from './keys.js';

const where = (scheme: string, id: string | undefined) => `${scheme}${id ? ` key ${id}` : ''}`;
const PRIVATE_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const PUBLIC_PEM = /^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----\r?\n?$/;
const HEX_64 = /^[0-9a-fA-F]{64}$/;

/** A key option of a public-key scheme: text, a KeySpec, or a bare KeyObject. */
export type PublicKeyOption = KeyInput | KeyObject | readonly (KeyInput | KeyObject)[];

/** The option as KeyInputs: a bare KeyObject becomes `{ publicKey }` (staticKeysOf then names it key-<i>). */
export function publicKeyInputs(option: PublicKeyOption | undefined): KeyInput | readonly KeyInput[] | undefined {
  if (option === undefined) return undefined;
  const list = Array.isArray(option) ? (option as readonly (KeyInput | KeyObject)[]) : [option as KeyInput | KeyObject];
  return list.map((k) => (k instanceof KeyObject ? { publicKey: k } : k));
}

/** A public key's text or KeyObject from a KeySpec: `publicKey`, else `secret` (a plain string key lands there). */
export function publicKeyInput(spec: KeySpec, scheme: string): string | KeyObject {
  const input = spec.publicKey ?? spec.secret;
  if (input instanceof KeyObject) return input;
  if (input === undefined) throw new WebhookConfigError(`${where(scheme, spec.id)}: give a publicKey`);
  // PEM ends with a newline; anything else with whitespace around it is a copy-paste slip.
  if (typeof input === 'string' && input.startsWith('-----BEGIN ')) return input;
  return checkSecretText(input, scheme, spec.id);
}

/** True for PEM public key text: never usable as an HMAC secret (the classic algorithm confusion). */
export function isPublicKeyPem(text: string): boolean {
  return text.startsWith('-----BEGIN PUBLIC KEY-----');
}

/**
 * A public KeyObject from a KeyObject, SPKI PEM, or the base64 of SPKI DER (what SendGrid's console
 * shows). A private key is refused rather than reduced to its public half: the receiver must not hold it.
 */
export function spkiPublicKey(input: string | KeyObject, scheme: string, id: string | undefined): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type !== 'public') throw new WebhookConfigError(`${where(scheme, id)}: give the public key, not a ${input.type} key`);
    return input;
  }
  if (PRIVATE_PEM.test(input)) throw new WebhookConfigError(`${where(scheme, id)}: that is a private key; give the verifier the public key`);
  try {
    if (PUBLIC_PEM.test(input)) return createPublicKey({ key: input, format: 'pem' });
    const der = decodeBase64(input);
    if (der) return createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    // reported below, without the key text
  }
  throw new WebhookConfigError(`${where(scheme, id)}: public key must be SPKI PEM (-----BEGIN PUBLIC KEY-----), the base64 of SPKI DER, or a KeyObject`);
}

/** An Ed25519 public key from its 32 raw bytes in hex (Discord's application public key), or any form spkiPublicKey reads. */
export function ed25519PublicKey(input: string | KeyObject, scheme: string, id: string | undefined): KeyObject {
  const key =
    typeof input === 'string' && HEX_64.test(input)
      ? createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(input, 'hex').toString('base64url') }, format: 'jwk' })
      : spkiPublicKey(input, scheme, id);
  if (key.asymmetricKeyType !== 'ed25519') throw new WebhookConfigError(`${where(scheme, id)}: public key must be Ed25519`);
  return key;
}

/** The named curve of an EC key (prime256v1, secp384r1), else undefined. */
export function curveOf(key: KeyObject): string | undefined {
  return key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
}

/** A private KeyObject for signers: a KeyObject or PKCS#8 / SEC1 / PKCS#1 PEM. */
export function privateKeyOf(input: string | KeyObject, what: string): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type !== 'private') throw new WebhookConfigError(`${what}: give the private key`);
    return input;
  }
  try {
    return createPrivateKey(input);
  } catch {
    throw new WebhookConfigError(`${what}: privateKey must be a private KeyObject or PEM`);
  }
}

/**
 * `prefix | body` in one buffer: Ed25519 and ECDSA verify one message in one call. One scratch buffer
 * per scheme (verification is synchronous) spares an allocation of the body's size per request.
 */
export function joiner(): (prefix: string, body: Buffer) => Buffer {
  let scratch = Buffer.alloc(0);
  return (prefix, body) => {
    const size = prefix.length + body.length;
    if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2, 4096));
    const at = scratch.write(prefix, 0, 'latin1');
    body.copy(scratch, at);
    return scratch.subarray(0, size);
  };
}
