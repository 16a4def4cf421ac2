import { constants, createHmac, randomBytes, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { WebhookConfigError } from '../webhook-config-error.js';
import { contentDigestField } from '../lib/content-digest.js';
import { HTTP_SIGNATURE_ALGORITHMS, type HttpSignatureAlgorithm } from '../lib/http-signature-keys.js';
import { curveOf, privateKeyOf } from '../lib/public-keys.js';
import { coveredLines, signatureBase, targetParts, unsupportedComponent } from '../lib/signature-base.js';
import { serializeInnerList, type BareItem } from '../lib/structured-fields.js';
import { bodyBytes, seconds, type SignBody } from './common.js';

export interface SignHttpSignatureInput {
  /** The absolute URL the request is sent to (signed as @target-uri, @authority...). */
  url: string;
  /** Default POST. */
  method?: string;
  body?: SignBody;
  /** Headers the request carries (content-type...), by any casing; a Signature-Input / Signature here is appended to. */
  headers?: Readonly<Record<string, string>>;
  /** The private key (KeyObject or PEM) of an asymmetric algorithm, or `secret` for hmac-sha256. */
  privateKey?: KeyObject | string;
  /** The HMAC secret (bytes, or text as UTF-8). */
  secret?: Buffer | string;
  /** Default: from the key (an RSA key needs it: rsa-pss-sha512 or rsa-v1_5-sha256); hmac-sha256 with `secret`. */
  algorithm?: HttpSignatureAlgorithm;
  keyId?: string;
  /** Default sig1 (or the next free sig<n> when the headers already hold it). */
  label?: string;
  /** Covered components (default @method, @target-uri, and content-digest, content-type with a body). */
  components?: readonly string[];
  /** Seconds or a Date (default now). */
  created?: number | Date;
  expires?: number | Date;
  /** Default 16 random bytes (base64url): the receiver's replay identity. `false` sends none. */
  nonce?: string | false;
  tag?: string;
  /** Send the alg parameter (default true). */
  alg?: boolean;
  /** Content-Digest algorithm when content-digest is covered (default sha-256). */
  digest?: 'sha-256' | 'sha-512';
}

function algorithmOf(input: SignHttpSignatureInput, key: KeyObject | undefined): HttpSignatureAlgorithm {
  if (input.algorithm !== undefined && !(HTTP_SIGNATURE_ALGORITHMS as readonly string[]).includes(input.algorithm))
    throw new WebhookConfigError(`sign.httpSignature: algorithm must be one of ${HTTP_SIGNATURE_ALGORITHMS.join(', ')}`);
  if (!key) return 'hmac-sha256';
  const type = key.asymmetricKeyType;
  const implied = type === 'ed25519' ? 'ed25519' : curveOf(key) === 'prime256v1' ? 'ecdsa-p256-sha256' : curveOf(key) === 'secp384r1' ? 'ecdsa-p384-sha384' : type === 'rsa-pss' ? 'rsa-pss-sha512' : undefined;
  const algorithm = input.algorithm ?? implied;
  if (algorithm === undefined) throw new WebhookConfigError('sign.httpSignature: give the algorithm of this key (an RSA key: rsa-pss-sha512 or rsa-v1_5-sha256)');
  if ((implied !== undefined && algorithm !== implied) || (type === 'rsa' && !algorithm.startsWith('rsa-')) || algorithm === 'hmac-sha256')
    throw new WebhookConfigError(`sign.httpSignature: a ${type} key cannot sign ${algorithm}`);
  return algorithm;
}

function signWith(algorithm: HttpSignatureAlgorithm, base: Buffer, key: KeyObject | undefined, secret: Buffer | undefined): Buffer {
  switch (algorithm) {
    case 'hmac-sha256':
      return createHmac('sha256', secret!).update(base).digest();
    case 'ed25519':
      return cryptoSign(null, base, key!);
    case 'ecdsa-p256-sha256':
      return cryptoSign('sha256', base, { key: key!, dsaEncoding: 'ieee-p1363' });
    case 'ecdsa-p384-sha384':
      return cryptoSign('sha384', base, { key: key!, dsaEncoding: 'ieee-p1363' });
    case 'rsa-pss-sha512':
      return cryptoSign('sha512', base, { key: key!, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 });
    case 'rsa-v1_5-sha256':
      return cryptoSign('sha256', base, { key: key!, padding: constants.RSA_PKCS1_PADDING });
  }
}

/**
 * RFC 9421 headers for a request: `Signature-Input`, `Signature` and, when content-digest is
 * covered, `Content-Digest` (RFC 9530). The signature base is built by the verifier's own code.
 */
export function signHttpSignature(input: SignHttpSignatureInput): Record<string, string> {
  const body = bodyBytes(input.body ?? '');
  const given = new Map(Object.entries(input.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const));
  const key = input.privateKey !== undefined ? privateKeyOf(input.privateKey, 'sign.httpSignature') : undefined;
  const secret = key ? undefined : typeof input.secret === 'string' ? Buffer.from(input.secret, 'utf8') : input.secret;
  if (!key && !secret) throw new WebhookConfigError('sign.httpSignature: give a privateKey or a secret');
  const algorithm = algorithmOf(input, key);
  const target = targetParts(input.url);
  if (!target) throw new WebhookConfigError('sign.httpSignature: url must be an absolute http(s) URL without credentials');
  const components = [...(input.components ?? ['@method', '@target-uri', ...(body.length > 0 ? ['content-digest', 'content-type'] : [])])];
  for (const c of components) {
    const why = unsupportedComponent(c);
    if (why) throw new WebhookConfigError(`sign.httpSignature: ${why}`);
  }
  const out: Record<string, string> = {};
  if (components.includes('content-digest') && !given.has('content-digest')) given.set('content-digest', (out['content-digest'] = contentDigestField(body, input.digest)));

  const params = new Map<string, BareItem>();
  params.set('created', seconds(input.created));
  if (input.expires !== undefined) params.set('expires', seconds(input.expires));
  const nonce = input.nonce === undefined ? randomBytes(16).toString('base64url') : input.nonce;
  if (nonce !== false) params.set('nonce', nonce);
  if (input.keyId !== undefined) params.set('keyid', input.keyId);
  if (input.alg !== false) params.set('alg', algorithm);
  if (input.tag !== undefined) params.set('tag', input.tag);
  const list = { items: components.map((c) => ({ value: c, params: new Map() })), params };

  const covered = coveredLines(components, { method: (input.method ?? 'POST').toUpperCase(), target: () => target, field: (name) => given.get(name) });
  if (!('lines' in covered)) throw new WebhookConfigError(`sign.httpSignature: ${'absent' in covered ? covered.absent : covered.invalid}`);
  const paramsText = serializeInnerList(list);
  const signature = signWith(algorithm, Buffer.from(signatureBase(covered.lines, paramsText), 'latin1'), key, secret);

  const existingInput = given.get('signature-input');
  const existingSignature = given.get('signature');
  if (input.label !== undefined && !/^[a-z*][a-z0-9_\-.*]{0,63}$/.test(input.label)) throw new WebhookConfigError('sign.httpSignature: label must be a structured-field key');
  for (const [what, v] of [['nonce', nonce], ['keyId', input.keyId], ['tag', input.tag]] as const)
    if (typeof v === 'string' && !/^[\x20-\x7e]*$/.test(v)) throw new WebhookConfigError(`sign.httpSignature: ${what} must be printable ASCII`);
  let label = input.label ?? 'sig1';
  if (input.label === undefined) for (let n = 2; existingInput?.match(new RegExp(`(^|[ ,])${label}=`)); n++) label = `sig${n}`;
  const join = (existing: string | undefined, entry: string) => (existing ? `${existing}, ${entry}` : entry);
  out['signature-input'] = join(existingInput, `${label}=${paramsText}`);
  out['signature'] = join(existingSignature, `${label}=:${signature.toString('base64')}:`);
  return out;
}
