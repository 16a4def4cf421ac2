import { verify as cryptoVerify } from 'node:crypto';
import type { KeySpec, PreparedKey, Scheme } from '../types.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { decodeBase64 } from '../lib/compare.js';
import { prepared } from '../lib/keys.js';
import { curveOf, publicKeyInput, publicKeyInputs, spkiPublicKey, type PublicKeyOption } from '../lib/public-keys.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { timestampedBodyScheme } from '../lib/timestamped-body-scheme.js';

export interface SendGridOptions {
  /**
   * The Event Webhook's verification key from the SendGrid console (the base64 of its SPKI DER), or
   * an EC P-256 KeyObject / SPKI PEM; several, newest first. Omit to take them from the tenant (`publicKeys`).
   */
  publicKey?: PublicKeyOption;
}

// A DER ECDSA-P256 signature: a SEQUENCE of two INTEGERs of at most 33 bytes each (72 bytes, 96 in base64).
const MAX_SIGNATURE_BASE64 = 96;

function prepareKeys(specs: readonly KeySpec[]): PreparedKey[] {
  return specs.map((spec) => {
    const key = spkiPublicKey(publicKeyInput(spec, 'sendgrid'), 'sendgrid', spec.id);
    if (curveOf(key) !== 'prime256v1') throw new WebhookConfigError(`sendgrid key ${spec.id}: public key must be ECDSA P-256`);
    return prepared(spec, key);
  });
}

/**
 * SendGrid Event Webhook (signed): `X-Twilio-Email-Event-Webhook-Signature`, the base64 DER
 * ECDSA P-256 / SHA-256 signature of `X-Twilio-Email-Event-Webhook-Timestamp` followed by the body.
 * No signed id: the replay identity is the digest of the signed bytes.
 */
export function sendgrid(options: SendGridOptions = {}): Scheme {
  return timestampedBodyScheme({
    name: 'sendgrid',
    signatureHeader: 'X-Twilio-Email-Event-Webhook-Signature',
    timestampHeader: 'X-Twilio-Email-Event-Webhook-Timestamp',
    decode: (header) => {
      const der = header.length <= MAX_SIGNATURE_BASE64 ? decodeBase64(header) : undefined;
      // Canonical DER only (short-form length covering the rest): a BER re-encoding is refused here, the
      // same way whatever its length, before any public-key work is spent on it.
      return der && der.length >= 8 && der[0] === 0x30 && der[1] === der.length - 2 ? der : undefined;
    },
    malformed: 'expected the base64 of a DER ECDSA signature',
    // OpenSSL accepts only the canonical DER of (r, s): a re-encoded signature fails like a wrong one.
    check: (signed, key, signature) => cryptoVerify('sha256', signed, { key, dsaEncoding: 'der' }, signature),
    staticKeys: staticKeysOf('sendgrid', prepareKeys, publicKeyInputs(options.publicKey)),
    prepareKeys,
  });
}
