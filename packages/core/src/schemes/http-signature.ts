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
import { ByteSequence, isInnerList, parseDictionary, serializeInnerItems, serializeInnerList, serializeParams, type Dictionary, type InnerList, type Member } from '../lib/structured-fields.js';
import { MAX_HTTP_SIGNATURE_LABELS, SIGNATURE_FIELD_BOUNDS } from '../lib/http-signature-fields.js';

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

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface Candidate {
  label: string;
  list: InnerList;
  components: readonly string[];
  created: number;
  expires: number | undefined;
  nonce: string | undefined;
  keyid: string | undefined;
  alg: string | undefined;
  /** Decoded only when a key of ours verifies it. */
  signature: ByteSequence;
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
const overBudget = () =>
  new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: `no signature matched within the ${MAX_HTTP_SIGNATURE_LABELS} labels and the public-key verifications one request may cost`, scheme: 'httpSignature' });
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
  // Each label once: a label listed twice would be tried twice, one signature read twice.
  const labels = options.labels === undefined ? undefined : [...new Set(options.labels)];
  if (labels && (labels.length === 0 || labels.some((l) => typeof l !== 'string' || !LABEL.test(l))))
    throw new WebhookConfigError('httpSignature: labels must be structured-field keys (lower-case letters, digits, _ - . *)');
  const required = checkComponents(options.required, DEFAULT_REQUIRED, 'required');
  const withBody = checkComponents(options.requiredWithBody, DEFAULT_WITH_BODY, 'requiredWithBody');
  const tag = options.tag;
  if (tag !== undefined && (typeof tag !== 'string' || !/^[\x20-\x7e]{1,256}$/.test(tag))) throw new WebhookConfigError('httpSignature: tag must be 1-256 printable ASCII characters');
  const secretEncoding = options.secretEncoding ?? 'utf8';
  if (secretEncoding !== 'utf8' && secretEncoding !== 'base64') throw new WebhookConfigError("httpSignature: secretEncoding must be 'utf8' or 'base64'");
  const urlOf = publicUrlReader(options.publicUrl, 'httpSignature');
  // The public URL of an endpoint is the same from one delivery to the next: its parts are kept for the
  // last URL seen (a pure function of the URL text), so the common request skips the URL regex.
  let lastUrl: string | undefined;
  let lastTarget: TargetParts | undefined;
  function targetOf(input: SchemeInput): TargetParts {
    const url = urlOf(input);
    if (url === lastUrl && lastTarget) return lastTarget;
    const t = targetParts(url);
    if (!t) throw malformed('the public URL of this request has no http(s) scheme and host');
    lastUrl = url;
    return (lastTarget = t);
  }
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

  /** The components an inner list covers, each checked; a refusal is thrown. */
  function componentsOf(label: string, member: InnerList): string[] {
    const components: string[] = [];
    for (const item of member.items) {
      if (typeof item.value !== 'string') throw malformed(`the components of ${label} must be strings`);
      if (item.params.size > 0) throw malformed(`component parameters (;sf, ;key, ;bs, ;req, ;tr, ;name) are not supported`);
      const why = unsupportedComponent(item.value);
      if (why) throw malformed(why);
      if (components.includes(item.value)) throw malformed(`${item.value} is covered twice by ${label}`);
      components.push(item.value);
    }
    return components;
  }
  // The last accepted component list and what it lacks, keyed by its serialized text (a pure function of
  // it): a sender's next delivery covers the same components. One entry, at most a field's 8 KiB.
  let lastItems: string | undefined;
  let lastComponents: readonly string[] = [];
  let lastMissing: readonly string[] = [];
  let lastMissingWithBody: readonly string[] = [];

  /** One labelled signature read and checked against this verifier's rules; a refusal is thrown. */
  function candidate(label: string, member: Member, signature: Member | undefined, hasBody: boolean): Candidate {
    if (!isInnerList(member)) throw malformed(`Signature-Input ${label} is not an inner list`);
    if (signature === undefined) throw malformed(`Signature-Input names ${label}, Signature has no ${label}`);
    if (isInnerList(signature) || !(signature.value instanceof ByteSequence)) throw malformed(`Signature ${label} is not a byte sequence`);
    let components: readonly string[];
    let missing: readonly string[];
    if (member.itemsText !== undefined && member.itemsText === lastItems) {
      components = lastComponents;
      missing = hasBody ? lastMissingWithBody : lastMissing;
    } else {
      components = componentsOf(label, member);
      missing = missingCoverage(components, hasBody);
      if (member.itemsText !== undefined) {
        lastItems = member.itemsText;
        lastComponents = components;
        lastMissing = hasBody ? missingCoverage(components, false) : missing;
        lastMissingWithBody = hasBody ? missing : missingCoverage(components, true);
      }
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
    if (missing.length > 0)
      throw new WebhookVerificationError('INSUFFICIENT_COVERAGE', { detail: `signature ${label} does not cover ${missing.join(', ')}`, scheme: 'httpSignature' });
    return c;
  }

  /** A covered Content-Digest against the exact body bytes, or the refusal. */
  function checkDigest(input: SchemeInput): void {
    const field = input.header('content-digest');
    if (field === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'the signature covers content-digest, which the request does not carry', scheme: 'httpSignature' });
    const digest = checkContentDigest(field, input.body);
    if (digest === 'match') return;
    if ('malformed' in digest) throw malformed(digest.malformed);
    throw new WebhookVerificationError('CONTENT_DIGEST_MISMATCH', { detail: digest.mismatch, scheme: 'httpSignature' });
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

      let target: TargetParts | undefined;
      const source: MessageSource = {
        method: input.request.method,
        target: () => (target ??= targetOf(input)),
        field: (name) => input.header(name),
      };
      const keys = input.keysFor(scheme);

      // One pass over the labels, in the configured order, else the order the sender listed them. The
      // work is bounded here, whatever the headers hold: a label is read and checked against this
      // verifier's rules only when reached; one that names no key of ours (by keyid and alg) costs no
      // verification; at most MAX_HTTP_SIGNATURE_LABELS others are verified, each against the keys it
      // names, public keys also within the request's budget. A further one is SIGNATURE_MISMATCH, unread.
      // A second label naming the same key is verified too, not skipped: a keyid (or its absence) names
      // keys, not the one that signed — a sender rotating under one keyid signs with old and new key, and
      // a label added in front by another party with a colliding keyid would otherwise mask ours.
      let refusal: WebhookVerificationError | undefined;
      let unreadable: WebhookVerificationError | undefined;
      let found = 0;
      let ready = 0;
      let tried = 0;
      let digestChecked = false;
      let linesOf: readonly string[] | undefined;
      let lines = '';
      for (const label of labels ?? inputs.keys()) {
        const member = inputs.get(label);
        if (member === undefined) continue;
        if (tag !== undefined && (isInnerList(member) ? member.params.get('tag') : undefined) !== tag) continue;
        found++;
        let c: Candidate;
        try {
          c = candidate(label, member, signatures.get(label), hasBody);
        } catch (e) {
          // Coverage is the more precise refusal: report it over a malformed sibling.
          if (!(e instanceof WebhookVerificationError)) throw e;
          if (refusal === undefined || e.code === 'INSUFFICIENT_COVERAGE') refusal = e;
          continue;
        }
        ready++;
        let text: string | undefined;
        let bytes: Buffer | undefined;
        let signature: Buffer | undefined;
        for (const k of keys) {
          const key = k.key as HttpSignatureKey;
          if (c.keyid !== undefined && k.id !== c.keyid) continue;
          if (c.alg !== undefined && key.algorithm !== c.alg) continue;
          if (text === undefined) {
            if (tried === MAX_HTTP_SIGNATURE_LABELS) throw overBudget();
            // One base per label, built only for a label some key will verify; the covered lines are
            // shared by the labels that cover the same components (a sender signing twice).
            if (linesOf === undefined || !sameList(linesOf, c.components)) {
              const covered = coveredLines(c.components, source);
              if (!('lines' in covered)) {
                // This label cannot be verified here; a later one may still be.
                unreadable ??= 'absent' in covered ? new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: covered.absent, scheme: 'httpSignature' }) : malformed(covered.invalid);
                break;
              }
              lines = covered.lines;
              linesOf = c.components;
            }
            // The body is trusted only through a covered Content-Digest: checked before the first
            // signature that covers it is verified.
            if (!digestChecked && c.components.includes('content-digest')) {
              checkDigest(input);
              digestChecked = true;
            }
            // The field's own text of the list when it is already the serialized form (structured-fields.ts).
            text = signatureBase(lines, serializeInnerList(c.list));
            signature = c.signature.bytes();
            tried++;
          }
          if (key.kind === 'public') {
            if (!input.tryAsymmetric()) throw overBudget();
            bytes ??= Buffer.from(text, 'latin1');
          }
          if (!verifyWith(key, text, signature!, bytes)) continue;
          // `created` is held to the verifier's tolerance (by core, both ways); `expires` is the sender's own,
          // shorter promise and is kept as sent: a margin as wide as the tolerance would make it mean nothing.
          if (c.expires !== undefined && input.now > c.expires * 1000)
            throw new WebhookVerificationError('TIMESTAMP_OUT_OF_TOLERANCE', { detail: `signature ${c.label} expired ${Math.ceil(input.now / 1000 - c.expires)} s ago`, scheme: 'httpSignature' });
          const verdict: SchemeVerdict = { scheme: 'httpSignature', timestamp: c.created, keyId: k.id, replayable: true };
          if (c.nonce !== undefined) {
            verdict.id = c.nonce;
            verdict.replayId = c.nonce;
          } else {
            // The signature's own base without keyid and alg: never the label, its position, or the other labels.
            const identity = c.alg === undefined && c.keyid === undefined ? text : signatureBase(lines, serializeInnerItems(c.list) + serializeParams(c.list.params, NOT_IDENTITY));
            verdict.signedContent = { prefix: identity, body: EMPTY };
          }
          return verdict;
        }
      }
      if (found === 0)
        throw new WebhookVerificationError('MISSING_SIGNATURE', {
          detail: labels ? `no signature labelled ${labels.join(', ')}${tag ? ` with tag ${tag}` : ''}` : `no signature${tag ? ` with tag ${tag}` : ''}`,
          scheme: 'httpSignature',
        });
      if (ready === 0) throw refusal!;
      if (tried === 0 && unreadable) throw unreadable;
      throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'no signature matched an active key (by keyid and algorithm)', scheme: 'httpSignature' });
    },
  };
  return scheme;
}
