// What one request costs in cryptography, counted on the real node:crypto: httpSignature() for each
// of its six algorithms, discord() and sendgrid(), under hostile headers (8 labels naming our key,
// labels naming many keys, repeated labels, many keys with overlapping windows, rotation, several
// Content-Digest members, a signature base past 32 KiB) — the exact refusal, and at most the documented
// bounds: MAX_ASYMMETRIC_VERIFICATIONS public-key verifications per request, MAX_HTTP_SIGNATURE_LABELS
// labels verified (an HMAC per label and secret it names), the body hashed once per Content-Digest
// algorithm, and nothing at all for labels that name no key of ours.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type * as Core from '@hookguard/core';
import type { HttpSignatureAlgorithm, KeySpec, Scheme, WebhookRequest } from '@hookguard/core';
import type * as HmacModule from '../dist/esm/lib/hmac.js';

// ---------------------------------------------------------------------------------------------
// The meter: pass-through wrappers on node:crypto's own functions, installed before core loads (core
// keeps crypto.hash in a constant at load, so a later patch would miss it). They count only while a
// request is measured, and call the real function every time.

interface Cost {
  /** crypto.verify calls (every public-key verification core makes). */
  verify: number;
  /** HMAC computations (HmacKey.mac: one createHmac, or two one-shot hashes over precomputed pads). */
  hmac: number;
  /** createHmac calls. */
  createHmac: number;
  /** createHash and crypto.hash calls (Content-Digest, HMAC halves, replay identity). */
  hash: number;
  /** Hash inputs that were the request body itself: the Content-Digest checks (and a replay identity over the body). */
  bodyHashes: number;
  /** Bytes given to verify, HMAC and hash inputs. */
  bytes: number;
}

const nodeCrypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
let meter: { cost: Cost; body: Buffer } | undefined;

const lengthOf = (data: unknown, encoding?: unknown): number =>
  typeof data === 'string' ? Buffer.byteLength(data, (encoding as BufferEncoding | undefined) ?? 'utf8') : ArrayBuffer.isView(data) ? data.byteLength : 0;

function meteredUpdate<T extends { update(...a: never[]): unknown }>(h: T): T {
  const m = meter;
  if (!m) return h;
  const update = h.update as (this: T, data: unknown, encoding?: unknown) => unknown;
  (h as { update: unknown }).update = function (this: T, data: unknown, encoding?: unknown) {
    m.cost.bytes += lengthOf(data, encoding);
    if (data === m.body && m.body.length > 0) m.cost.bodyHashes++;
    return update.call(this, data, encoding);
  };
  return h;
}

const real = { verify: nodeCrypto.verify, createHmac: nodeCrypto.createHmac, createHash: nodeCrypto.createHash, hash: nodeCrypto.hash };
nodeCrypto.verify = function (this: unknown, ...args: unknown[]) {
  if (meter) {
    meter.cost.verify++;
    meter.cost.bytes += lengthOf(args[1]);
  }
  return Reflect.apply(real.verify, this, args) as boolean;
} as typeof real.verify;
nodeCrypto.createHmac = function (this: unknown, ...args: unknown[]) {
  if (meter) meter.cost.createHmac++;
  return meteredUpdate(Reflect.apply(real.createHmac, this, args) as ReturnType<typeof real.createHmac>);
} as typeof real.createHmac;
nodeCrypto.createHash = function (this: unknown, ...args: unknown[]) {
  if (meter) meter.cost.hash++;
  return meteredUpdate(Reflect.apply(real.createHash, this, args) as ReturnType<typeof real.createHash>);
} as typeof real.createHash;
if (typeof real.hash === 'function')
  nodeCrypto.hash = function (this: unknown, ...args: unknown[]) {
    if (meter) {
      meter.cost.hash++;
      meter.cost.bytes += lengthOf(args[1]);
      if (args[1] === meter.body && meter.body.length > 0) meter.cost.bodyHashes++;
    }
    return Reflect.apply(real.hash, this, args) as string;
  } as typeof real.hash;
syncBuiltinESMExports();

const core: typeof Core = await import('@hookguard/core');
const { HmacKey } = (await import('../dist/esm/lib/hmac.js')) as typeof HmacModule;
const realMac = HmacKey.prototype.mac;
HmacKey.prototype.mac = function (this: InstanceType<typeof HmacKey>, ...args: Parameters<typeof realMac>) {
  if (meter) meter.cost.hmac++;
  return realMac.apply(this, args);
};
const { createVerifier, httpSignature, discord, sendgrid, any, sign, isWebhookVerificationError, MAX_ASYMMETRIC_VERIFICATIONS, MAX_HTTP_SIGNATURE_LABELS } = core;

interface Outcome {
  cost: Cost;
  code: string | undefined;
  keyId: string | undefined;
}

/** One verification, measured. The verifier is warmed first outside the meter (lazy key set-up, caches). */
async function measure(verifier: ReturnType<typeof createVerifier>, request: WebhookRequest): Promise<Outcome> {
  await verifier.verify(request).catch(() => undefined);
  const cost: Cost = { verify: 0, hmac: 0, createHmac: 0, hash: 0, bodyHashes: 0, bytes: 0 };
  meter = { cost, body: request.body as Buffer };
  try {
    const w = await verifier.verify(request);
    return { cost, code: undefined, keyId: w.keyId };
  } catch (e) {
    if (!isWebhookVerificationError(e)) throw e;
    return { cost, code: e.code, keyId: undefined };
  } finally {
    meter = undefined;
  }
}

function expectCost(o: Outcome, what: string, code: string | undefined, exact: Partial<Cost>, atMost: Partial<Cost> = {}): void {
  assert.equal(o.code, code, `${what}: answered ${o.code ?? 'accepted'}`);
  for (const [k, v] of Object.entries(exact)) assert.equal(o.cost[k as keyof Cost], v, `${what}: ${k} ${o.cost[k as keyof Cost]}, expected ${v} (${JSON.stringify(o.cost)})`);
  for (const [k, v] of Object.entries(atMost)) assert.ok(o.cost[k as keyof Cost] <= v!, `${what}: ${k} ${o.cost[k as keyof Cost]} > ${v} (${JSON.stringify(o.cost)})`);
}

// ---------------------------------------------------------------------------------------------
// Keys and requests

const BASE = 'https://hooks.example.com';
const PATH = '/webhooks';
const JSON_TYPE = { 'content-type': 'application/json' };
const BODY = Buffer.from(JSON.stringify({ type: 'invoice.paid', amount: 4200, note: 'x'.repeat(900) }));
const now = () => Math.floor(Date.now() / 1000);

type PublicAlgorithm = Exclude<HttpSignatureAlgorithm, 'hmac-sha256'>;
const PUBLIC: readonly PublicAlgorithm[] = ['ed25519', 'ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'rsa-pss-sha512', 'rsa-v1_5-sha256'];
const ALGORITHMS: readonly HttpSignatureAlgorithm[] = [...PUBLIC, 'hmac-sha256'];

function pairOf(alg: PublicAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg === 'ed25519') return generateKeyPairSync('ed25519');
  if (alg === 'ecdsa-p256-sha256') return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  if (alg === 'ecdsa-p384-sha384') return generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** A signing identity of an algorithm: what the sender signs with, and the key spec the receiver holds. */
interface Identity {
  alg: HttpSignatureAlgorithm;
  signWith: { privateKey: KeyObject; algorithm: HttpSignatureAlgorithm } | { secret: string };
  spec(id: string, extra?: Partial<KeySpec>): KeySpec;
}
function identity(alg: HttpSignatureAlgorithm): Identity {
  if (alg === 'hmac-sha256') {
    const secret = randomBytes(32).toString('base64url');
    return { alg, signWith: { secret }, spec: (id, extra = {}) => ({ id, secret, ...extra }) };
  }
  const p = pairOf(alg);
  return {
    alg,
    signWith: { privateKey: p.privateKey, algorithm: alg },
    spec: (id, extra = {}) => ({ id, publicKey: p.publicKey, ...(alg.startsWith('rsa-') ? { algorithm: alg } : {}), ...extra }),
  };
}
// Per algorithm: ours (the key the receiver holds), a second of ours (rotation), and a stranger's.
const IDS = new Map(ALGORITHMS.map((alg) => [alg, { ours: identity(alg), next: identity(alg), stranger: identity(alg) }] as const));
const ids = (alg: HttpSignatureAlgorithm) => IDS.get(alg)!;

interface Label {
  by: Identity;
  keyId?: string;
  components?: readonly string[];
  nonce?: string | false;
}
/** Signature-Input / Signature with one label per entry, in order (sig1, sig2...), signed by hookguard's signer. */
function signedHeaders(labels: readonly Label[], body: Buffer = BODY, extra: Record<string, string> = {}): Record<string, string> {
  let headers: Record<string, string> = { ...JSON_TYPE, ...extra };
  for (const l of labels)
    headers = {
      ...headers,
      ...sign.httpSignature({
        url: BASE + PATH,
        body,
        headers,
        ...l.by.signWith,
        created: now(),
        ...(l.keyId !== undefined ? { keyId: l.keyId } : {}),
        ...(l.components ? { components: l.components } : {}),
        ...(l.nonce !== undefined ? { nonce: l.nonce } : {}),
      }),
    };
  return headers;
}
const request = (headers: Record<string, string | string[]>, body: Buffer = BODY): WebhookRequest => ({ method: 'POST', url: PATH, headers, body });
const hsVerifier = (keys: readonly KeySpec[], options: Partial<Parameters<typeof httpSignature>[0]> = {}) =>
  createVerifier({ scheme: httpSignature({ publicUrl: BASE, keys, ...options }), replay: false });
/** One label 8 times over (sig1..sig8): the field's cap. */
const eight = (l: Label): Label[] => Array.from({ length: 8 }, () => l);

// ---------------------------------------------------------------------------------------------

describe('the meter counts core\'s own work', () => {
  test('an honest request costs exactly one verification and one Content-Digest hash, for every algorithm', async () => {
    for (const alg of ALGORITHMS) {
      const { ours } = ids(alg);
      const o = await measure(hsVerifier([ours.spec('k')]), request(signedHeaders([{ by: ours, keyId: 'k' }])));
      const publicKey = alg !== 'hmac-sha256';
      expectCost(o, `honest ${alg}`, undefined, { verify: publicKey ? 1 : 0, hmac: publicKey ? 0 : 1, bodyHashes: 1 });
      assert.equal(o.keyId, 'k');
      // The primitives underneath add up: an HMAC of a short base is two one-shot hashes, or one createHmac.
      if (!publicKey) assert.ok(o.cost.createHmac === 1 || o.cost.hash === 3, JSON.stringify(o.cost));
      assert.ok(o.cost.bytes >= BODY.length, `${alg}: ${o.cost.bytes} bytes counted`);
    }
  });

  test('a replay identity without a nonce is one more hash (of the base, not the body)', async () => {
    const { ours } = ids('ed25519');
    // A store that always answers "reserved": every measured request runs to its replay key.
    const store: Core.ReplayStore = { reserve: () => Promise.resolve({ state: 'reserved', token: 't' }), commit: () => Promise.resolve(), release: () => Promise.resolve() };
    const v = createVerifier({ scheme: httpSignature({ publicUrl: BASE, keys: [ours.spec('k')] }), replay: { store } });
    const withNonce = await measure(v, request(signedHeaders([{ by: ours, keyId: 'k' }])));
    const without = await measure(v, request(signedHeaders([{ by: ours, keyId: 'k', nonce: false }])));
    expectCost(withNonce, 'nonce', undefined, { verify: 1, bodyHashes: 1 });
    expectCost(without, 'no nonce', undefined, { verify: 1, bodyHashes: 1, hash: withNonce.cost.hash + 1 });
  });
});

describe(`httpSignature: at most ${MAX_HTTP_SIGNATURE_LABELS} labels verified, public keys within MAX_ASYMMETRIC_VERIFICATIONS`, () => {
  test('the bounds are the documented constants', () => {
    assert.equal(MAX_ASYMMETRIC_VERIFICATIONS, 2);
    assert.equal(MAX_HTTP_SIGNATURE_LABELS, 2);
  });

  for (const alg of ALGORITHMS) {
    const publicKey = alg !== 'hmac-sha256';
    /** A verification: crypto.verify for a public key, an HMAC for a secret. */
    const verifications = (c: Cost) => (publicKey ? c.verify : c.hmac);
    const crypto = (n: number): Partial<Cost> => (publicKey ? { verify: n, hmac: 0 } : { verify: 0, hmac: n });

    test(`${alg}: 8 labels naming our keyid, none by our key: 2 verifications, SIGNATURE_MISMATCH`, async () => {
      const { ours, stranger } = ids(alg);
      const o = await measure(hsVerifier([ours.spec('k')]), request(signedHeaders(eight({ by: stranger, keyId: 'k' }))));
      // The body is checked once, before the first verification that trusts it.
      expectCost(o, alg, 'SIGNATURE_MISMATCH', { ...crypto(MAX_HTTP_SIGNATURE_LABELS), bodyHashes: 1 });
    });

    test(`${alg}: 8 labels without a keyid, 6 active keys of the algorithm: within the bound`, async () => {
      const { ours, stranger } = ids(alg);
      const keys = Array.from({ length: 6 }, (_, i) => ours.spec(`k${i}`));
      const o = await measure(hsVerifier(keys), request(signedHeaders(eight({ by: stranger }))));
      // Public keys: the request's budget; HMAC: each label against each secret, as every HMAC scheme tries its secrets.
      expectCost(o, alg, 'SIGNATURE_MISMATCH', { ...crypto(publicKey ? MAX_ASYMMETRIC_VERIFICATIONS : MAX_HTTP_SIGNATURE_LABELS * keys.length), bodyHashes: 1 });
    });

    test(`${alg}: 8 labels each naming another of 8 configured keyids: 2 verifications`, async () => {
      const { ours, stranger } = ids(alg);
      const keys = Array.from({ length: 8 }, (_, i) => ours.spec(`k${i}`));
      const labels = Array.from({ length: 8 }, (_, i) => ({ by: stranger, keyId: `k${i}` }));
      const o = await measure(hsVerifier(keys), request(signedHeaders(labels)));
      expectCost(o, alg, 'SIGNATURE_MISMATCH', { ...crypto(MAX_HTTP_SIGNATURE_LABELS), bodyHashes: 1 });
    });

    test(`${alg}: 6 labels naming strangers' keyids before 2 of ours: only ours are verified, the second verifies`, async () => {
      const { ours, stranger } = ids(alg);
      const labels: Label[] = [...Array.from({ length: 6 }, (_, i) => ({ by: stranger, keyId: `other-${i}` })), { by: stranger, keyId: 'k' }, { by: ours, keyId: 'k' }];
      const o = await measure(hsVerifier([ours.spec('k')]), request(signedHeaders(labels)));
      expectCost(o, alg, undefined, { ...crypto(2), bodyHashes: 1 });
    });

    test(`${alg}: a tampered body under labels naming no key of ours is SIGNATURE_MISMATCH, with no work at all`, async () => {
      const { ours, stranger } = ids(alg);
      const labels = Array.from({ length: 8 }, (_, i) => ({ by: stranger, keyId: `other-${i}` }));
      const tampered = Buffer.from(BODY.toString().replace('4200', '4201'));
      const o = await measure(hsVerifier([ours.spec('k')]), request(signedHeaders(labels), tampered));
      expectCost(o, alg, 'SIGNATURE_MISMATCH', { verify: 0, hmac: 0, createHmac: 0, hash: 0, bodyHashes: 0, bytes: 0 });
    });

    test(`${alg}: a tampered body under a label of ours is CONTENT_DIGEST_MISMATCH before any verification`, async () => {
      const { ours } = ids(alg);
      const tampered = Buffer.from(BODY.toString().replace('4200', '4201'));
      const o = await measure(hsVerifier([ours.spec('k')]), request(signedHeaders(eight({ by: ours, keyId: 'k' })), tampered));
      expectCost(o, alg, 'CONTENT_DIGEST_MISMATCH', { ...crypto(0), bodyHashes: 1 });
    });

    test(`${alg}: a label repeated (in one field, or across a header sent twice) is MALFORMED_SIGNATURE unverified`, async () => {
      const { ours } = ids(alg);
      const h = signedHeaders([{ by: ours, keyId: 'k' }]);
      const twice = { ...h, 'signature-input': `${h['signature-input']}, ${h['signature-input']}`, signature: `${h.signature}, ${h.signature}` };
      const v = hsVerifier([ours.spec('k')]);
      expectCost(await measure(v, request(twice)), `${alg} repeated`, 'MALFORMED_SIGNATURE', { ...crypto(0), bodyHashes: 0 });
      const sentTwice = { ...h, 'signature-input': [h['signature-input']!, h['signature-input']!], signature: [h.signature!, h.signature!] };
      expectCost(await measure(v, request(sentTwice)), `${alg} sent twice`, 'MALFORMED_SIGNATURE', { ...crypto(0), bodyHashes: 0 });
    });

    test(`${alg}: rotation — 6 keys under one keyid with overlapping windows, 2 expired: the active ones within the bound`, async () => {
      const { ours, next, stranger } = ids(alg);
      const t = Date.now();
      const window = (i: number): Partial<KeySpec> => (i < 2 ? { notAfter: t - 60_000 } : { notBefore: t - 3_600_000 + i, notAfter: t + 3_600_000 + i });
      // Our old key under k five times (two of them expired), the new key last: a rotation list grown carelessly.
      const keys = Array.from({ length: 6 }, (_, i) => (i === 5 ? next : ours).spec('k', window(i)));
      const active = 4;
      const v = hsVerifier(keys);
      const bad = await measure(v, request(signedHeaders(eight({ by: stranger, keyId: 'k' }))));
      expectCost(bad, `${alg} stranger`, 'SIGNATURE_MISMATCH', { ...crypto(publicKey ? MAX_ASYMMETRIC_VERIFICATIONS : MAX_HTTP_SIGNATURE_LABELS * active), bodyHashes: 1 });
      // The sender signs with the old and the new key: the first label verifies, one verification.
      const both = await measure(v, request(signedHeaders([{ by: ours, keyId: 'k' }, { by: next, keyId: 'k' }])));
      expectCost(both, `${alg} rotation`, undefined, { ...crypto(1), bodyHashes: 1 });
      // Only the new key's signature, its key 4th among the active ones: within the bound or refused.
      const late = await measure(v, request(signedHeaders([{ by: next, keyId: 'k' }])));
      assert.ok(verifications(late.cost) <= (publicKey ? MAX_ASYMMETRIC_VERIFICATIONS : active), JSON.stringify(late.cost));
      assert.equal(late.code, publicKey ? 'SIGNATURE_MISMATCH' : undefined, `${alg}: the 4th active key`);
    });

    test(`${alg}: rotation with distinct keyids — old and new keys, the sender signing with both, newest label first`, async () => {
      const { ours, next } = ids(alg);
      const v = hsVerifier([next.spec('new'), ours.spec('old')]);
      const o = await measure(v, request(signedHeaders([{ by: next, keyId: 'new' }, { by: ours, keyId: 'old' }])));
      expectCost(o, alg, undefined, { ...crypto(1), bodyHashes: 1 });
      assert.equal(o.keyId, 'new');
      const oldOnly = await measure(v, request(signedHeaders([{ by: ours, keyId: 'old' }])));
      expectCost(oldOnly, alg, undefined, { ...crypto(1), bodyHashes: 1 });
    });

    test(`${alg}: Content-Digest with several members — each of sha-256 and sha-512 hashed once, for all labels`, async () => {
      const { ours, stranger } = ids(alg);
      const sha256 = nodeCrypto.createHash('sha256').update(BODY).digest('base64');
      const sha512 = nodeCrypto.createHash('sha512').update(BODY).digest('base64');
      const v = hsVerifier([ours.spec('k')]);
      const field = `md5=:AAAAAAAAAAAAAAAAAAAAAA==:, sha-512=:${sha512}:, unixsum=:AAAA:, sha-256=:${sha256}:, crc32c=:AAAAAA==:`;
      const honest = await measure(v, request(signedHeaders([{ by: ours, keyId: 'k' }], BODY, { 'content-digest': field })));
      expectCost(honest, `${alg} honest`, undefined, { ...crypto(1), bodyHashes: 2 });
      const hostile = await measure(v, request(signedHeaders(eight({ by: stranger, keyId: 'k' }), BODY, { 'content-digest': field })));
      expectCost(hostile, `${alg} hostile`, 'SIGNATURE_MISMATCH', { ...crypto(MAX_HTTP_SIGNATURE_LABELS), bodyHashes: 2 });
      // A member given twice has two readings: refused before hashing anything.
      const repeated = `sha-256=:${sha256}:, sha-256=:${sha256}:`;
      const r = await measure(v, request(signedHeaders([{ by: ours, keyId: 'k' }], BODY, { 'content-digest': repeated })));
      expectCost(r, `${alg} repeated member`, 'MALFORMED_SIGNATURE', { ...crypto(0), bodyHashes: 0 });
      // A wrong sha-512 beside a right sha-256: refused, at most the two digests, no verification.
      const wrong = `sha-256=:${sha256}:, sha-512=:${nodeCrypto.createHash('sha512').update('other').digest('base64')}:`;
      const w = await measure(v, request(signedHeaders([{ by: ours, keyId: 'k' }], BODY, { 'content-digest': wrong })));
      expectCost(w, `${alg} wrong member`, 'CONTENT_DIGEST_MISMATCH', crypto(0), { bodyHashes: 2 });
    });
  }

  test('hmac-sha256: a signature base past 32 KiB costs 2 HMACs of it under 8 labels, at most twice the honest bytes', async () => {
    const { ours, stranger } = ids('hmac-sha256');
    // Printable latin1, covered by every label: the base is the big field plus a few short lines.
    const big = 'b'.repeat(40 * 1024);
    const components = ['@method', '@target-uri', 'content-digest', 'content-type', 'x-big'];
    const v = hsVerifier([ours.spec('k')]);
    const honest = await measure(v, request(signedHeaders([{ by: ours, keyId: 'k', components }], BODY, { 'x-big': big })));
    // Past HmacKey's one-shot limit the HMAC streams through createHmac: one per verification.
    expectCost(honest, 'honest big base', undefined, { hmac: 1, createHmac: 1, bodyHashes: 1 });
    assert.ok(honest.cost.bytes > big.length, `${honest.cost.bytes} bytes`);
    const worst = await measure(v, request(signedHeaders(eight({ by: stranger, keyId: 'k', components }), BODY, { 'x-big': big })));
    expectCost(worst, 'worst big base', 'SIGNATURE_MISMATCH', { hmac: MAX_HTTP_SIGNATURE_LABELS, createHmac: MAX_HTTP_SIGNATURE_LABELS, bodyHashes: 1 });
    assert.ok(worst.cost.bytes <= 2 * honest.cost.bytes, `worst ${worst.cost.bytes} bytes, honest ${honest.cost.bytes}`);
    // Labels covering it in different orders share nothing: still two bases hashed, no more.
    const orders = Array.from({ length: 8 }, (_, i) => ({ by: stranger, keyId: 'k', components: i % 2 ? components : [...components].reverse() }));
    const mixed = await measure(v, request(signedHeaders(orders, BODY, { 'x-big': big })));
    expectCost(mixed, 'mixed orders', 'SIGNATURE_MISMATCH', { hmac: MAX_HTTP_SIGNATURE_LABELS, bodyHashes: 1 });
    assert.ok(mixed.cost.bytes <= 2 * honest.cost.bytes, `mixed ${mixed.cost.bytes} bytes, honest ${honest.cost.bytes}`);
  });

  test('public keys and secrets under one keyid: every verification counts against the labels, public keys also against the request', async () => {
    const ed = ids('ed25519');
    const mac = ids('hmac-sha256');
    const third = identity('ed25519');
    const keys = [mac.ours.spec('k'), ed.ours.spec('k'), mac.next.spec('k'), ed.next.spec('k'), third.spec('k')];
    const v = hsVerifier(keys);
    // Signed with a P-256 key under keyid k (alg ecdsa-p256-sha256): no key of ours has that algorithm.
    const other = await measure(v, request(signedHeaders(eight({ by: ids('ecdsa-p256-sha256').stranger, keyId: 'k' }))));
    expectCost(other, 'other algorithm', 'SIGNATURE_MISMATCH', { verify: 0, hmac: 0, bodyHashes: 0 });
    // alg ed25519: the three Ed25519 keys named, the request's budget ends it after two; the secrets are not tried.
    const p = await measure(v, request(signedHeaders(eight({ by: ed.stranger, keyId: 'k' }))));
    expectCost(p, 'mixed keys', 'SIGNATURE_MISMATCH', { verify: MAX_ASYMMETRIC_VERIFICATIONS, hmac: 0, bodyHashes: 1 });
  });
});

describe('discord() and sendgrid(): at most MAX_ASYMMETRIC_VERIFICATIONS per request, however many keys', () => {
  const vendors = [
    { name: 'discord', make: (keys: readonly KeySpec[]) => discord({ publicKey: keys }), pair: () => generateKeyPairSync('ed25519'), signWith: sign.discord, signature: 'x-signature-ed25519' },
    { name: 'sendgrid', make: (keys: readonly KeySpec[]) => sendgrid({ publicKey: keys }), pair: () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }), signWith: sign.sendgrid, signature: 'x-twilio-email-event-webhook-signature' },
  ] as const;
  for (const vendor of vendors) {
    const pairs = Array.from({ length: 6 }, () => vendor.pair());
    const spec = (i: number, extra: Partial<KeySpec> = {}): KeySpec => ({ id: `k${i}`, publicKey: pairs[i]!.publicKey, ...extra });
    const signed = (i: number, body: Buffer = BODY) => vendor.signWith({ privateKey: pairs[i]!.privateKey, body, timestamp: now() });
    const verifierOf = (keys: readonly KeySpec[]) => createVerifier({ scheme: vendor.make(keys), replay: false });

    test(`${vendor.name}: honest costs exactly 1; the second key (rotation) 2`, async () => {
      const v = verifierOf([spec(0), spec(1)]);
      const first = await measure(v, request(signed(0)));
      expectCost(first, `${vendor.name} first key`, undefined, { verify: 1, hmac: 0 });
      assert.equal(first.keyId, 'k0');
      const second = await measure(v, request(signed(1)));
      expectCost(second, `${vendor.name} second key`, undefined, { verify: 2, hmac: 0 });
    });

    test(`${vendor.name}: 5 active keys with overlapping windows, signed by a stranger or the 5th: 2, SIGNATURE_MISMATCH`, async () => {
      const t = Date.now();
      const keys = Array.from({ length: 5 }, (_, i) => spec(i, { notBefore: t - 3_600_000 - i, notAfter: t + 3_600_000 + i }));
      const v = verifierOf(keys);
      expectCost(await measure(v, request(signed(5))), `${vendor.name} stranger`, 'SIGNATURE_MISMATCH', { verify: MAX_ASYMMETRIC_VERIFICATIONS, bodyHashes: 0 });
      expectCost(await measure(v, request(signed(4))), `${vendor.name} 5th key`, 'SIGNATURE_MISMATCH', { verify: MAX_ASYMMETRIC_VERIFICATIONS });
      // Expired keys are not tried: the only active one verifies at the cost of one.
      const rotated = verifierOf([spec(0, { notAfter: t - 1000 }), spec(1, { notAfter: t - 1000 }), spec(2, { notAfter: t - 1000 }), spec(3)]);
      expectCost(await measure(rotated, request(signed(3))), `${vendor.name} after rotation`, undefined, { verify: 1 });
    });

    test(`${vendor.name}: a tampered body, a stranger's key, a malformed or doubled header: within the bound, exact codes`, async () => {
      const v = verifierOf([spec(0), spec(1), spec(2)]);
      const h = signed(0);
      const tampered = Buffer.from(BODY.toString().replace('4200', '4201'));
      expectCost(await measure(v, request(h, tampered)), `${vendor.name} tampered`, 'SIGNATURE_MISMATCH', { verify: MAX_ASYMMETRIC_VERIFICATIONS });
      const doubled = { ...h, [vendor.signature]: [h[vendor.signature]!, h[vendor.signature]!] };
      expectCost(await measure(v, request(doubled)), `${vendor.name} doubled`, 'MALFORMED_SIGNATURE', { verify: 0 });
      expectCost(await measure(v, request({ ...h, [vendor.signature]: 'A'.repeat(4096) })), `${vendor.name} oversized`, 'MALFORMED_SIGNATURE', { verify: 0 });
    });

    test(`${vendor.name}: a tenant holding 6 public keys: 2`, async () => {
      const v = createVerifier({
        scheme: vendor.name === 'discord' ? discord() : sendgrid(),
        replay: false,
        tenants: { resolve: core.fromParam(), lookup: () => ({ publicKeys: Array.from({ length: 6 }, (_, i) => spec(i)) }) },
      });
      const r = { ...request(signed(5)), params: { tenant: 'acme' } };
      expectCost(await measure(v, r), `${vendor.name} tenant`, 'SIGNATURE_MISMATCH', { verify: MAX_ASYMMETRIC_VERIFICATIONS });
    });
  }

  test('any(discord, sendgrid, httpSignature) under every hostile header at once: 2 for the whole request', async () => {
    // Keys of their own per leaf: leaves that read ids differently may not share one (a config error).
    const pairs = (n: number, make: () => { publicKey: KeyObject }) => Array.from({ length: n }, make).map((p, i) => ({ id: `k${i}`, publicKey: p.publicKey }));
    const stranger = ids('ed25519').stranger;
    const scheme: Scheme = any(
      discord({ publicKey: pairs(4, () => generateKeyPairSync('ed25519')) }),
      sendgrid({ publicKey: pairs(4, () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' })) }),
      httpSignature({ publicUrl: BASE, keys: pairs(4, () => generateKeyPairSync('ed25519')) }),
    );
    const stray = generateKeyPairSync('ed25519');
    const strayEc = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const headers = {
      ...sign.discord({ privateKey: stray.privateKey, body: BODY, timestamp: now() }),
      ...sign.sendgrid({ privateKey: strayEc.privateKey, body: BODY, timestamp: now() }),
      ...signedHeaders(eight({ by: stranger })),
    };
    const o = await measure(createVerifier({ scheme, replay: false }), request(headers));
    expectCost(o, 'any()', 'SIGNATURE_MISMATCH', { verify: MAX_ASYMMETRIC_VERIFICATIONS, hmac: 0 });
  });
});

describe('interop: a request signed by http-message-signatures costs what ours does', () => {
  test('ed25519 and hmac-sha256, one label each: exactly one verification', async () => {
    const { httpbis, createSigner } = await import('http-message-signatures');
    for (const alg of ['ed25519', 'hmac-sha256'] as const) {
      const { ours } = ids(alg);
      const key = 'secret' in ours.signWith ? Buffer.from(ours.signWith.secret) : ours.signWith.privateKey;
      const digest = `sha-256=:${nodeCrypto.createHash('sha256').update(BODY).digest('base64')}:`;
      const message = { method: 'POST', url: BASE + PATH, headers: { ...JSON_TYPE, 'content-digest': digest } };
      const theirs = await httpbis.signMessage(
        { key: createSigner(key, alg, 'k'), fields: ['@method', '@target-uri', 'content-digest', 'content-type'], paramValues: { created: new Date() } },
        message,
      );
      const o = await measure(hsVerifier([ours.spec('k')]), request(theirs.headers as Record<string, string>));
      expectCost(o, `${alg} via http-message-signatures`, undefined, { verify: alg === 'ed25519' ? 1 : 0, hmac: alg === 'ed25519' ? 0 : 1, bodyHashes: 1 });
    }
  });
});
