import type { KeySpec, PreparedKey, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { checkContentDigest } from '../lib/content-digest.js';
import { HTTP_SIGNATURE_ALGORITHMS, prepareHttpSignatureKeys, verifyWith, type HttpSignatureAlgorithm, type HttpSignatureKey } from '../lib/http-signature-keys.js';
import { checkedId } from '../lib/limits.js';
import { publicKeyInputs, type PublicKeyOption } from '../lib/public-keys.js';
import { publicUrlReader, type PublicUrlOption } from '../lib/public-url.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { coveredLines, signatureBase, targetParts, unsupportedComponent, type MessageSource, type TargetParts } from '../lib/signature-base.js';
import { isInnerList, parseDictionary, serializeInnerList, type Dictionary, type InnerList, type Member } from '../lib/structured-fields.js';
import { SIGNATURE_FIELD_BOUNDS } from '../lib/http-signature-fields.js';

export interface HttpSignatureOptions {
  /**
   * Keys, newest first: HMAC secrets (`secret`, for hmac-sha256) and public keys (`publicKey`: SPKI
   * PEM, the base64 of SPKI DER, or a KeyObject; a plain RSA key also names its `algorithm`). A
   * signature's `keyid` selects the key with that `id`. Omit to take them from the tenant.
   */
  keys?: PublicKeyOption;
  /** Signature labels to verify, in order of preference (default: every label the request carries). */
  labels?: readonly string[];
  /**
   * Components every signature must cover (default `@method`, `@target-uri`). `@target-uri` is also
   * satisfied by `@authority` + `@path` + `@query` together.
   */
  required?: readonly string[];
  /** Components every signature of a request with a body must cover too (default `content-digest`, `content-type`). */
  requiredWithBody?: readonly string[];
  /** Algorithms accepted (default all six). A key of another algorithm is a configuration error. */
  algorithms?: readonly HttpSignatureAlgorithm[];
  /**
   * The public URL the sender signs (@target-uri, @authority, @scheme, @path, @query): a base the
   * request's target is appended to (`https://hooks.example.com`), or a function of the request.
   * Without it: X-Forwarded-Proto / X-Forwarded-Host of a proxy in the verifier's `proxy.trusted`,
   * else the Host header. Set it in production: a Host header is the sender's to choose.
   */
  publicUrl?: PublicUrlOption;
  /** Only signatures whose `tag` parameter is this value are verified (RFC 9421 §2.3: an application's own signatures). */
  tag?: string;
  /** How HMAC secrets given as text become bytes (default 'utf8'; the RFC's examples are 'base64'). */
  secretEncoding?: 'utf8' | 'base64';
}

const DEFAULT_REQUIRED = ['@method', '@target-uri'];
const DEFAULT_WITH_BODY = ['content-digest', 'content-type'];
const TARGET_EQUIVALENT = ['@authority', '@path', '@query'];
const LABEL = /^[a-z*][a-z0-9_\-.*]{0,63}$/;
// The identity of a delivery does not depend on which of the sender's keys signed it: a sender
// rolling its key signs twice, alike but for keyid and alg, and either copy is the same delivery.
const NOT_IDENTITY = new Set(['keyid', 'alg']);
const EMPTY = Buffer.alloc(0);

interface Candidate {
  label: string;
  list: InnerList;
  components: string[];
  created: number;
  expires: number | undefined;
  nonce: string | undefined;
  keyid: string | undefined;
  alg: string | undefined;
  signature: Buffer;
}

/** A string parameter, an integer one, or a refusal naming it. */
function stringParam(list: InnerList, name: string, label: string): string | undefined {
  const v = list.params.get(name);
  if (v === undefined || typeof v === 'string') return v;
  throw malformed(`the ${name} parameter of signature ${label} must be a string`);
}
function intParam(list: InnerList, name: string, label: string): number | undefined {
  const v = list.params.get(name);
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  throw malformed(`the ${name} parameter of signature ${label} must be a non-negative integer`);
}
const malformed = (detail: string) => new WebhookVerificationError('MALFORMED_SIGNATURE', { detail, scheme: 'httpSignature' });

function checkComponents(list: readonly string[] | undefined, fallback: readonly string[], what: string): readonly string[] {
  if (list === undefined) return fallback;
  if (!Array.isArray(list)) throw new WebhookConfigError(`httpSignature: ${what} must be a list of component names`);
  for (const c of list) {
    const why = typeof c === 'string' ? unsupportedComponent(c) : 'not a string';
    if (why) throw new WebhookConfigError(`httpSignature: ${what}: ${why}`);
  }
  return [...list];
}

/**
 * HTTP Message Signatures (RFC 9421): `Signature-Input` / `Signature`, with the body bound by a
 * covered `Content-Digest` (RFC 9530), checked against the exact bytes before any signature is
 * trusted. Algorithms ed25519, ecdsa-p256-sha256, ecdsa-p384-sha384, rsa-pss-sha512, rsa-v1_5-sha256
 * and hmac-sha256, each fixed by its key. Replay identity: the signed `nonce`, else the digest of the
 * signature base (without keyid and alg).
 */
export function httpSignature(options: HttpSignatureOptions = {}): Scheme {
  const algorithms = new Set<string>(options.algorithms ?? HTTP_SIGNATURE_ALGORITHMS);
  for (const a of algorithms) if (!(HTTP_SIGNATURE_ALGORITHMS as readonly string[]).includes(a)) throw new WebhookConfigError(`httpSignature: unknown algorithm ${a}`);
  if (algorithms.size === 0) throw new WebhookConfigError('httpSignature: algorithms is empty');
  const labels = options.labels === undefined ? undefined : [...options.labels];
  if (labels && (labels.length === 0 || labels.some((l) => typeof l !== 'string' || !LABEL.test(l))))
    throw new WebhookConfigError('httpSignature: labels must be structured-field keys (lower-case letters, digits, _ - . *)');
  const required = checkComponents(options.required, DEFAULT_REQUIRED, 'required');
  const withBody = checkComponents(options.requiredWithBody, DEFAULT_WITH_BODY, 'requiredWithBody');
  const tag = options.tag;
  if (tag !== undefined && (typeof tag !== 'string' || !/^[\x20-\x7e]{1,256}$/.test(tag))) throw new WebhookConfigError('httpSignature: tag must be 1-256 printable ASCII characters');
  const secretEncoding = options.secretEncoding ?? 'utf8';
  if (secretEncoding !== 'utf8' && secretEncoding !== 'base64') throw new WebhookConfigError("httpSignature: secretEncoding must be 'utf8' or 'base64'");
  const urlOf = publicUrlReader(options.publicUrl, 'httpSignature');
  const prepareKeys = (specs: readonly KeySpec[]): PreparedKey[] => prepareHttpSignatureKeys(specs, algorithms, secretEncoding);

  const requiredWithBody = [...required, ...withBody];
  /** The components a signature lacks of those this verifier requires. */
  function missingCoverage(components: readonly string[], hasBody: boolean): string[] {
    const missing: string[] = [];
    for (const r of hasBody ? requiredWithBody : required) {
      if (components.includes(r)) continue;
      if (r === '@target-uri' && TARGET_EQUIVALENT.every((c) => components.includes(c))) continue;
      missing.push(r);
    }
    return missing;
  }

  /** One labelled signature read and checked against this verifier's rules; a refusal is thrown. */
  function candidate(label: string, member: Member, signature: Member | undefined, hasBody: boolean): Candidate {
    if (!isInnerList(member)) throw malformed(`Signature-Input ${label} is not an inner list`);
    if (signature === undefined) throw malformed(`Signature-Input names ${label}, Signature has no ${label}`);
    if (isInnerList(signature) || !Buffer.isBuffer(signature.value)) throw malformed(`Signature ${label} is not a byte sequence`);
    const components: string[] = [];
    for (const item of member.items) {
      if (typeof item.value !== 'string') throw malformed(`the components of ${label} must be strings`);
      if (item.params.size > 0) throw malformed(`component parameters (;sf, ;key, ;bs, ;req, ;tr, ;name) are not supported`);
      const why = unsupportedComponent(item.value);
      if (why) throw malformed(why);
      if (components.includes(item.value)) throw malformed(`${item.value} is covered twice by ${label}`);
      components.push(item.value);
    }
    const created = intParam(member, 'created', label);
    const expires = intParam(member, 'expires', label);
    const alg = stringParam(member, 'alg', label);
    const c: Candidate = {
      label,
      list: member,
      components,
      created: created ?? 0,
      expires,
      nonce: checkedId(stringParam(member, 'nonce', label), `the nonce of ${label}`, 'httpSignature'),
      keyid: stringParam(member, 'keyid', label),
      alg,
      signature: signature.value,
    };
    stringParam(member, 'tag', label);
    if (alg !== undefined && !algorithms.has(alg)) throw malformed(`signature ${label} uses ${alg}, which this verifier does not accept`);
    if (created === undefined)
      throw new WebhookVerificationError('INSUFFICIENT_COVERAGE', { detail: `signature ${label} has no created parameter, so it has no signed time`, scheme: 'httpSignature' });
    if (expires !== undefined && expires < created) throw malformed(`signature ${label} expires before it was created`);
    const missing = missingCoverage(components, hasBody);
    if (missing.length > 0)
      throw new WebhookVerificationError('INSUFFICIENT_COVERAGE', { detail: `signature ${label} does not cover ${missing.join(', ')}`, scheme: 'httpSignature' });
    return c;
  }

  function parsed(text: string, name: string): Dictionary {
    const d = parseDictionary(text, SIGNATURE_FIELD_BOUNDS);
    if (!d.ok) throw malformed(`${name}: ${d.reason}`);
    return d.value;
  }

  const scheme: Scheme = {
    name: 'httpSignature',
    // The nonce is read out of the signed parameters: see key-sharing.ts.
    idReading: 'httpSignature',
    staticKeys: staticKeysOf('httpSignature', prepareKeys, publicKeyInputs(options.keys)),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const inputField = input.header('signature-input');
      const signatureField = input.header('signature');
      if (inputField === undefined && signatureField === undefined)
        throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no Signature-Input or Signature header', scheme: 'httpSignature' });
      if (inputField === undefined || signatureField === undefined) throw malformed(`${inputField === undefined ? 'Signature' : 'Signature-Input'} without its companion header`);
      const inputs = parsed(inputField, 'Signature-Input');
      const signatures = parsed(signatureField, 'Signature');
      const hasBody = input.body.length > 0;

      // Candidates in the configured order of labels, else the order the sender listed them.
      const ready: Candidate[] = [];
      let refusal: WebhookVerificationError | undefined;
      let found = 0;
      for (const label of labels ?? inputs.keys()) {
        const member = inputs.get(label);
        if (member === undefined) continue;
        if (tag !== undefined && (isInnerList(member) ? member.params.get('tag') : undefined) !== tag) continue;
        found++;
        try {
          ready.push(candidate(label, member, signatures.get(label), hasBody));
        } catch (e) {
          // Coverage is the more precise refusal: report it over a malformed sibling.
          if (!(e instanceof WebhookVerificationError)) throw e;
          if (refusal === undefined || e.code === 'INSUFFICIENT_COVERAGE') refusal = e;
        }
      }
      if (found === 0)
        throw new WebhookVerificationError('MISSING_SIGNATURE', {
          detail: labels ? `no signature labelled ${labels.join(', ')}${tag ? ` with tag ${tag}` : ''}` : `no signature${tag ? ` with tag ${tag}` : ''}`,
          scheme: 'httpSignature',
        });
      if (ready.length === 0) throw refusal!;

      // The body is trusted only through a covered Content-Digest: checked before any signature is.
      if (ready.some((c) => c.components.includes('content-digest'))) {
        const field = input.header('content-digest');
        if (field === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'the signature covers content-digest, which the request does not carry', scheme: 'httpSignature' });
        const digest = checkContentDigest(field, input.body);
        if (digest !== 'match') {
          if ('malformed' in digest) throw malformed(digest.malformed);
          throw new WebhookVerificationError('CONTENT_DIGEST_MISMATCH', { detail: digest.mismatch, scheme: 'httpSignature' });
        }
      }

      let target: TargetParts | undefined;
      const source: MessageSource = {
        method: input.request.method,
        target: () => {
          if (target) return target;
          const t = targetParts(urlOf(input));
          if (!t) throw malformed('the public URL of this request has no http(s) scheme and host');
          return (target = t);
        },
        field: (name) => input.header(name),
      };
      const keys = input.keysFor(scheme);
      for (const c of ready) {
        const covered = coveredLines(c.components, source);
        if ('absent' in covered) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: covered.absent, scheme: 'httpSignature' });
        if ('invalid' in covered) throw malformed(covered.invalid);
        const text = signatureBase(covered.lines, serializeInnerList(c.list));
        const base = Buffer.from(text, 'latin1');
        for (const k of keys) {
          const key = k.key as HttpSignatureKey;
          if (c.keyid !== undefined && k.id !== c.keyid) continue;
          if (c.alg !== undefined && key.algorithm !== c.alg) continue;
          // Bounded per request, shared with every public-key scheme of it; HMACs cost next to nothing.
          if (key.kind === 'public' && !input.tryAsymmetric())
            throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'no signature matched within the public-key verifications one request may cost', scheme: 'httpSignature' });
          if (!verifyWith(key, base, c.signature)) continue;
          // `created` is held to the verifier's tolerance (by core, both ways); `expires` is the sender's own,
          // shorter promise and is kept as sent: a margin as wide as the tolerance would make it mean nothing.
          if (c.expires !== undefined && input.now > c.expires * 1000)
            throw new WebhookVerificationError('TIMESTAMP_OUT_OF_TOLERANCE', { detail: `signature ${c.label} expired ${Math.ceil(input.now / 1000 - c.expires)} s ago`, scheme: 'httpSignature' });
          const verdict: SchemeVerdict = { scheme: 'httpSignature', timestamp: c.created, keyId: k.id, replayable: true };
          if (c.nonce !== undefined) {
            verdict.id = c.nonce;
            verdict.replayId = c.nonce;
          } else {
            const identity = c.alg === undefined && c.keyid === undefined ? text : signatureBase(covered.lines, serializeInnerList(c.list, NOT_IDENTITY));
            verdict.signedContent = { prefix: identity, body: EMPTY };
          }
          return verdict;
        }
      }
      throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'no signature matched an active key (by keyid and algorithm)', scheme: 'httpSignature' });
    },
  };
  return scheme;
}
