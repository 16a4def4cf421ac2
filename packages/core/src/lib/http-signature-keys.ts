// Keys of httpSignature(): each prepared key serves exactly one RFC 9421 algorithm, fixed by the key
// material (or, for a plain RSA key, by the key's `algorithm`), never by the signature's `alg`
// parameter alone: a public key can never be used as an HMAC secret, nor an RSA key for two paddings.
import { constants, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { KeySpec, PreparedKey } from '../types.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { decodeBase64 } from './compare.js';
import { hmacKey, type HmacKey } from './hmac.js';
import { checkSecretText, prepared } from './keys.js';
import { curveOf, isPublicKeyPem, spkiPublicKey } from './public-keys.js';
import { safeEqual } from './compare.js';

export const HTTP_SIGNATURE_ALGORITHMS = ['ed25519', 'ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'rsa-pss-sha512', 'rsa-v1_5-sha256', 'hmac-sha256'] as const;
export type HttpSignatureAlgorithm = (typeof HTTP_SIGNATURE_ALGORITHMS)[number];

/** What crypto.verify() takes for a public key: the KeyObject, or it with its padding / encoding, built once per key. */
type VerifyKeyInput = KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' } | { key: KeyObject; padding: number; saltLength?: number };

export type HttpSignatureKey =
  | { kind: 'hmac'; algorithm: 'hmac-sha256'; key: HmacKey }
  | { kind: 'public'; algorithm: Exclude<HttpSignatureAlgorithm, 'hmac-sha256'>; key: KeyObject; hash: string | null; input: VerifyKeyInput };

const MIN_SECRET_BYTES = 16;
const EMPTY = Buffer.alloc(0);
const MIN_RSA_BITS = 2048;
/** Signature sizes per algorithm (RSA: the modulus size, checked against the key). */
const SIZES: Partial<Record<HttpSignatureAlgorithm, number>> = { ed25519: 64, 'ecdsa-p256-sha256': 64, 'ecdsa-p384-sha384': 96, 'hmac-sha256': 32 };

type PublicAlgorithm = Exclude<HttpSignatureAlgorithm, 'hmac-sha256'>;

function publicAlgorithm(key: KeyObject, requested: string | undefined, where: string): PublicAlgorithm {
  const type = key.asymmetricKeyType;
  const curve = curveOf(key);
  const implied =
    type === 'ed25519'
      ? 'ed25519'
      : curve === 'prime256v1'
        ? 'ecdsa-p256-sha256'
        : curve === 'secp384r1'
          ? 'ecdsa-p384-sha384'
          : type === 'rsa-pss'
            ? 'rsa-pss-sha512'
            : undefined;
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) throw new WebhookConfigError(`${where}: RSA keys must have at least ${MIN_RSA_BITS} bits`);
    const hash = key.asymmetricKeyDetails?.hashAlgorithm;
    if (type === 'rsa-pss' && hash !== undefined && hash !== 'sha512') throw new WebhookConfigError(`${where}: this RSA-PSS key is restricted to ${hash}; rsa-pss-sha512 needs sha512`);
  }
  if (type === 'rsa') {
    // One RSA key could serve both paddings: the key names which one it is for.
    if (requested === 'rsa-pss-sha512' || requested === 'rsa-v1_5-sha256') return requested;
    throw new WebhookConfigError(`${where}: an RSA key serves two algorithms; set algorithm: 'rsa-pss-sha512' or 'rsa-v1_5-sha256' on it`);
  }
  if (!implied) throw new WebhookConfigError(`${where}: unsupported key type (Ed25519, ECDSA P-256 / P-384, RSA, or an HMAC secret)`);
  if (requested !== undefined && requested !== implied) throw new WebhookConfigError(`${where}: the key is for ${implied}, not ${requested}`);
  return implied;
}

/** Prepares httpSignature keys: `secret` (HMAC) or `publicKey`; `algorithm` where the key leaves it open. */
export function prepareHttpSignatureKeys(specs: readonly KeySpec[], allowed: ReadonlySet<string>, secretEncoding: 'utf8' | 'base64'): PreparedKey[] {
  return specs.map((spec) => {
    const where = `httpSignature key ${spec.id}`;
    const requested = spec.algorithm;
    if (requested !== undefined && !(HTTP_SIGNATURE_ALGORITHMS as readonly string[]).includes(requested))
      throw new WebhookConfigError(`${where}: algorithm must be one of ${HTTP_SIGNATURE_ALGORITHMS.join(', ')}`);
    let key: HttpSignatureKey;
    // A PEM public key given as `secret` is a public key: used as an HMAC secret it would let anyone
    // who knows it (everyone) sign.
    const publicInput = spec.publicKey ?? (typeof spec.secret === 'string' && isPublicKeyPem(spec.secret) ? spec.secret : undefined);
    if (publicInput !== undefined) {
      const k = spkiPublicKey(publicInput, 'httpSignature', spec.id);
      const algorithm = publicAlgorithm(k, requested, where);
      key = { kind: 'public', algorithm, key: k, ...verifyInput(algorithm, k) };
    } else if (spec.secret !== undefined) {
      if (requested !== undefined && requested !== 'hmac-sha256') throw new WebhookConfigError(`${where}: a secret is for hmac-sha256, not ${requested}`);
      const text = checkSecretText(spec.secret, 'httpSignature', spec.id);
      const bytes = secretEncoding === 'base64' ? decodeBase64(text) : Buffer.from(text, 'utf8');
      if (!bytes) throw new WebhookConfigError(`${where}: secret is not canonical base64 (secretEncoding: 'base64')`);
      if (bytes.length < MIN_SECRET_BYTES) throw new WebhookConfigError(`${where}: an HMAC secret needs at least ${MIN_SECRET_BYTES} bytes`);
      key = { kind: 'hmac', algorithm: 'hmac-sha256', key: hmacKey(bytes) };
    } else throw new WebhookConfigError(`${where}: give a secret (hmac-sha256) or a publicKey`);
    if (!allowed.has(key.algorithm)) throw new WebhookConfigError(`${where}: ${key.algorithm} is not in this verifier's algorithms`);
    return prepared(spec, key);
  });
}

/** The digest and key input crypto.verify() takes for an algorithm, made once per key rather than per request. */
function verifyInput(algorithm: PublicAlgorithm, key: KeyObject): { hash: string | null; input: VerifyKeyInput } {
  switch (algorithm) {
    case 'ed25519':
      return { hash: null, input: key };
    case 'ecdsa-p256-sha256':
      return { hash: 'sha256', input: { key, dsaEncoding: 'ieee-p1363' } };
    case 'ecdsa-p384-sha384':
      return { hash: 'sha384', input: { key, dsaEncoding: 'ieee-p1363' } };
    case 'rsa-pss-sha512':
      // RFC 9421 signs with a 64-byte salt; any salt length verifies (some signers use the maximum).
      return { hash: 'sha512', input: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO } };
    case 'rsa-v1_5-sha256':
      return { hash: 'sha256', input: { key, padding: constants.RSA_PKCS1_PADDING } };
  }
}

/**
 * One verification of a signature base (latin1 text) under a key, by the key's own algorithm. `bytes`
 * is the base as latin1 bytes, when the caller already holds them (a public-key verification needs them;
 * an HMAC writes the text straight into its hash input).
 */
export function verifyWith(key: HttpSignatureKey, base: string, signature: Buffer, bytes?: Buffer): boolean {
  const size = SIZES[key.algorithm];
  if (size !== undefined && signature.length !== size) return false;
  if (key.kind === 'hmac') {
    const mac = key.key.mac('sha256', base, EMPTY, undefined);
    const ok = safeEqual(mac, signature);
    mac.fill(0); // the valid signature of this base never lingers in pooled memory
    return ok;
  }
  return cryptoVerify(key.hash, bytes ?? Buffer.from(base, 'latin1'), key.input, signature);
}
