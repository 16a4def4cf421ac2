import { verify as cryptoVerify } from 'node:crypto';
import type { KeySpec, PreparedKey, Scheme } from '../types.js';
import { decodeHex } from '../lib/compare.js';
import { prepared } from '../lib/keys.js';
import { ed25519PublicKey, publicKeyInput, publicKeyInputs, type PublicKeyOption } from '../lib/public-keys.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { timestampedBodyScheme } from '../lib/timestamped-body-scheme.js';

export interface DiscordOptions {
  /**
   * The application's public key from the Developer Portal (64 hex digits), or an Ed25519 KeyObject /
   * SPKI PEM; several, newest first. Omit to take them from the tenant (`publicKeys`).
   */
  publicKey?: PublicKeyOption;
}

function prepareKeys(specs: readonly KeySpec[]): PreparedKey[] {
  return specs.map((spec) => prepared(spec, ed25519PublicKey(publicKeyInput(spec, 'discord'), 'discord', spec.id)));
}

/**
 * Discord (interactions and webhook events): `X-Signature-Ed25519`, the hex Ed25519 signature of
 * `X-Signature-Timestamp` followed by the body, under the application's public key. No signed id:
 * the replay identity is the digest of the signed bytes.
 */
export function discord(options: DiscordOptions = {}): Scheme {
  return timestampedBodyScheme({
    name: 'discord',
    signatureHeader: 'X-Signature-Ed25519',
    timestampHeader: 'X-Signature-Timestamp',
    // Lower-case only, as Discord sends it: one spelling per signature.
    decode: (header) => (header.length === 128 ? decodeHex(header) : undefined),
    malformed: 'X-Signature-Ed25519 must be 128 lower-case hex digits',
    check: (signed, key, signature) => cryptoVerify(null, signed, key, signature),
    staticKeys: staticKeysOf('discord', prepareKeys, publicKeyInputs(options.publicKey)),
    prepareKeys,
  });
}
