// httpSignature(): RFC 9421 HTTP Message Signatures with RFC 9530 Content-Digest. The RFC's own
// examples (test/vectors/rfc9421.json), interop both ways with http-message-signatures, every
// single-byte change of a covered component refused and of an uncovered one let through, and the
// rules that make a signature acceptable: coverage, created/expires, keyid, algorithm per key, bounds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createSigner, createVerifier as hmsVerifier, httpbis } from 'http-message-signatures';
import { createVerifier, fromKeyId, httpSignature, sign, WebhookConfigError, type HttpSignatureAlgorithm, type HttpSignatureOptions, type TenantConfig, type WebhookRequest } from '@hookguard/core';
import { rejectsWith, vectors } from './helpers.js';

interface Rfc9421 {
  request: { method: string; url: string; headers: Record<string, string>; body: string };
  keys: { 'test-shared-secret': { base64: string }; 'test-key-ed25519': { pkcs8: string; spki: string } };
  cases: Array<{ name: string; headers: Record<string, string>; signatureBase: string }>;
  contentDigest: { body: string; 'sha-256': string };
}
const RFC = vectors<Rfc9421>('rfc9421.json');
const CREATED = 1618884473;
const RFC_SECRET = RFC.keys['test-shared-secret'].base64;
const RFC_ED = {
  privateKey: createPrivateKey({ key: Buffer.from(RFC.keys['test-key-ed25519'].pkcs8, 'base64'), format: 'der', type: 'pkcs8' }),
  publicKey: createPublicKey({ key: Buffer.from(RFC.keys['test-key-ed25519'].spki, 'base64'), format: 'der', type: 'spki' }),
};

const BASE = 'https://hooks.example.com';
const PATH = '/webhooks/acme?x=1';
const body = JSON.stringify({ type: 'invoice.paid', amount: 4200, note: 'payé ✓' });
const json = { 'content-type': 'application/json' };
const now = () => Math.floor(Date.now() / 1000);

function req(headers: Record<string, string | string[]>, b: string | Buffer = body, extra: Partial<WebhookRequest> = {}): WebhookRequest {
  return { method: 'POST', url: PATH, headers, body: Buffer.isBuffer(b) ? b : Buffer.from(b), ...extra };
}
function pairs(): Record<Exclude<HttpSignatureAlgorithm, 'hmac-sha256'>, { privateKey: KeyObject; publicKey: KeyObject }> {
  return {
    ed25519: generateKeyPairSync('ed25519'),
    'ecdsa-p256-sha256': generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
    'ecdsa-p384-sha384': generateKeyPairSync('ec', { namedCurve: 'secp384r1' }),
    'rsa-pss-sha512': generateKeyPairSync('rsa', { modulusLength: 2048 }),
    'rsa-v1_5-sha256': generateKeyPairSync('rsa', { modulusLength: 2048 }),
  };
}
const KEYS = pairs();
const SECRET = 'http-signature-shared-secret-0123456789';
const ED = KEYS.ed25519;
const verifierOf = (o: HttpSignatureOptions = {}, extra = {}) => createVerifier({ scheme: httpSignature({ publicUrl: BASE, keys: [{ id: 'ed', publicKey: ED.publicKey }], ...o }), ...extra });
const signed = (o: Partial<Parameters<typeof sign.httpSignature>[0]> = {}, b: string = body) =>
  ({ ...json, ...sign.httpSignature({ url: BASE + PATH, body: b, headers: json, privateKey: ED.privateKey, keyId: 'ed', ...o }) }) as Record<string, string>;

describe('RFC 9421 Appendix B and RFC 9530 examples', () => {
  const r = RFC.request;
  const request = (headers: Record<string, string>) => ({ method: r.method, url: r.url, headers: { ...r.headers, ...headers }, body: Buffer.from(r.body) });
  const at = () => CREATED * 1000;
  const b25 = RFC.cases[0]!;
  const b26 = RFC.cases[1]!;

  test('B.2.5 hmac-sha256 verifies (the RFC covers no @method / @target-uri, so the requirement is relaxed here)', async () => {
    const v = createVerifier({
      scheme: httpSignature({ publicUrl: 'https://example.com', keys: [{ id: 'test-shared-secret', secret: RFC_SECRET }], secretEncoding: 'base64', required: ['@authority'], requiredWithBody: [] }),
      now: at,
    });
    const w = await v.verify(request(b25.headers));
    assert.equal(w.keyId, 'test-shared-secret');
    assert.equal(w.timestamp, CREATED);
  });

  test('B.2.6 ed25519 verifies, with the public key as SPKI DER base64', async () => {
    const v = createVerifier({
      scheme: httpSignature({ publicUrl: 'https://example.com', keys: [{ id: 'test-key-ed25519', publicKey: RFC.keys['test-key-ed25519'].spki }], required: ['@method', '@path', '@authority'], requiredWithBody: ['content-type'] }),
      now: at,
    });
    assert.equal((await v.verify(request(b26.headers))).keyId, 'test-key-ed25519');
  });

  test('our signer builds the RFC signature bases: HMAC and Ed25519 (both deterministic) give the RFC signatures to the byte', () => {
    const common = { url: `https://example.com${r.url}`, method: r.method, body: r.body, headers: r.headers, created: CREATED, nonce: false as const, alg: false };
    const h25 = sign.httpSignature({ ...common, secret: Buffer.from(RFC_SECRET, 'base64'), keyId: 'test-shared-secret', label: 'sig-b25', components: ['date', '@authority', 'content-type'] });
    assert.deepEqual({ 'signature-input': h25['signature-input'], signature: h25.signature }, b25.headers);
    const h26 = sign.httpSignature({ ...common, privateKey: RFC_ED.privateKey, keyId: 'test-key-ed25519', label: 'sig-b26', components: ['date', '@method', '@path', '@authority', 'content-type', 'content-length'] });
    assert.deepEqual({ 'signature-input': h26['signature-input'], signature: h26.signature }, b26.headers);
    // ...and the RFC's base text is what both of them signed.
    assert.equal(createHmac('sha256', Buffer.from(RFC_SECRET, 'base64')).update(b25.signatureBase).digest('base64'), b25.headers.signature!.slice('sig-b25=:'.length, -1));
  });

  test('RFC 9530: the sha-256 and sha-512 Content-Digest of {"hello": "world"}', () => {
    const d = RFC.contentDigest;
    assert.equal(sign.httpSignature({ url: 'https://example.com/', body: d.body, secret: SECRET, headers: { 'content-type': 'application/json' } })['content-digest'], d['sha-256']);
    assert.equal(sign.httpSignature({ url: 'https://example.com/', body: r.body, secret: SECRET, headers: { 'content-type': 'application/json' }, digest: 'sha-512' })['content-digest'], r.headers['content-digest']);
  });

  test('B.2.6: every single-byte change of a covered component is refused; uncovered ones (body, query, content-digest) may change', async () => {
    // The Host header names the authority here (no publicUrl), so it can be mutated too.
    const v = createVerifier({ scheme: httpSignature({ keys: [{ id: 'test-key-ed25519', publicKey: RFC_ED.publicKey }], required: ['@method', '@path', '@authority'], requiredWithBody: [] }), now: at, replay: false });
    const base = request(b26.headers);
    await v.verify(base);
    const flips = (s: string) => Array.from({ length: s.length }, (_, i) => s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) === 0x41 ? 0x42 : 0x41) + s.slice(i + 1));
    let refused = 0;
    const refuses = async (r2: WebhookRequest, what: string) => {
      const code = await v.verify(r2).then(() => 'accepted', (e: { code: string }) => e.code);
      assert.ok(['SIGNATURE_MISMATCH', 'MALFORMED_SIGNATURE', 'INSUFFICIENT_COVERAGE'].includes(code), `${what}: ${code}`);
      refused++;
    };
    for (const name of ['date', 'content-type', 'content-length']) for (const m of flips(base.headers[name]!)) await refuses({ ...base, headers: { ...base.headers, [name]: m } }, `${name}=${m}`);
    // @authority is the host normalised (RFC 9421 §2.2.3: lower case): a change of case is no change; any other is.
    for (let i = 0; i < 'example.com'.length; i++) await refuses({ ...base, headers: { ...base.headers, host: `${'example.com'.slice(0, i)}0${'example.com'.slice(i + 1)}` } }, `host byte ${i}`);
    await v.verify({ ...base, headers: { ...base.headers, host: 'EXAMPLE.com:443' } }).then(() => assert.fail('http: port 443 is not the default'), () => undefined);
    for (const m of flips(base.method)) await refuses({ ...base, method: m }, `method ${m}`);
    for (const m of flips('/foo')) await refuses({ ...base, url: `${m}?param=Value&Pet=dog` }, `path ${m}`);
    for (const m of flips(b26.headers['signature-input']!)) await refuses({ ...base, headers: { ...base.headers, 'signature-input': m } }, `signature-input ${m}`);
    assert.ok(refused > 150, `${refused} mutations`);
    // Not covered: the body, the query and Content-Digest change freely under this signature.
    await v.verify({ ...base, body: Buffer.from('{"hello": "mallory"}') });
    await v.verify({ ...base, url: '/foo?param=other' });
    await v.verify({ ...base, headers: { ...base.headers, 'content-digest': 'sha-256=:AAAA:', 'x-extra': 'yes' } });
  });
});

describe('httpSignature(): what a signature must cover', () => {
  test('the default: @method, @target-uri, and content-digest + content-type with a body; the body bound by its digest', async () => {
    const v = verifierOf();
    const w = await v.verify(req(signed()));
    assert.equal(w.scheme, 'httpSignature');
    assert.equal(w.keyId, 'ed');
    assert.deepEqual(w.payload, JSON.parse(body));
    for (const [missing, components] of [
      ['@method', ['@target-uri', 'content-digest', 'content-type']],
      ['@target-uri', ['@method', 'content-digest', 'content-type']],
      ['content-digest', ['@method', '@target-uri', 'content-type']],
      ['content-type', ['@method', '@target-uri', 'content-digest']],
    ] as const) {
      const e = await rejectsWith(v.verify(req(signed({ components }))), 'INSUFFICIENT_COVERAGE');
      assert.match(e.detail!, new RegExp(`does not cover ${missing}`));
    }
    // Without a body, content-digest and content-type are not required.
    await v.verify(req(sign.httpSignature({ url: BASE + PATH, privateKey: ED.privateKey, keyId: 'ed' }), ''));
    // @authority + @path + @query stand for @target-uri.
    await v.verify(req(signed({ components: ['@method', '@authority', '@path', '@query', 'content-digest', 'content-type'] })));
    await rejectsWith(v.verify(req(signed({ components: ['@method', '@authority', '@path', 'content-digest', 'content-type'] }))), 'INSUFFICIENT_COVERAGE');
  });

  test('no created parameter: INSUFFICIENT_COVERAGE (no signed time)', async () => {
    const h = signed();
    const noCreated = h['signature-input']!.replace(/;created=\d+/, '');
    await rejectsWith(verifierOf().verify(req({ ...h, 'signature-input': noCreated })), 'INSUFFICIENT_COVERAGE');
  });

  test('every single-byte change of a covered component or the body is refused; uncovered headers change freely', async () => {
    const v = verifierOf({}, { replay: false });
    const h: Record<string, string> = { ...signed(), date: 'Tue, 20 Apr 2021 02:07:55 GMT', 'user-agent': 'sender/1.0' };
    await v.verify(req(h));
    const flip = (s: string, i: number) => s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ 0x01) + s.slice(i + 1);
    const codes = new Set<string>();
    const refuse = async (r: WebhookRequest) => codes.add(await v.verify(r).then(() => 'accepted', (e: { code: string }) => e.code));
    for (let i = 0; i < body.length; i++) await refuse(req(h, flip(body, i)));
    for (let i = 0; i < PATH.length; i++) await refuse(req(h, body, { url: flip(PATH, i) }));
    for (let i = 0; i < 4; i++) await refuse(req(h, body, { method: flip('POST', i) }));
    for (const name of ['content-type', 'content-digest', 'signature-input', 'signature'] as const) for (let i = 0; i < h[name]!.length; i++) await refuse(req({ ...h, [name]: flip(h[name]!, i) }));
    assert.ok(!codes.has('accepted'), [...codes].join());
    assert.ok(codes.has('CONTENT_DIGEST_MISMATCH') && codes.has('SIGNATURE_MISMATCH'), [...codes].join());
    await v.verify(req({ ...h, date: 'Wed, 21 Apr 2021 00:00:00 GMT', 'user-agent': 'other', 'x-added': '1' }));
  });
});

describe('httpSignature(): Content-Digest (RFC 9530)', () => {
  test('a mismatch is CONTENT_DIGEST_MISMATCH, checked before any signature (even a wrong one)', async () => {
    const v = verifierOf();
    const h = signed();
    await rejectsWith(v.verify(req(h, body.replace('4200', '4201'))), 'CONTENT_DIGEST_MISMATCH');
    await rejectsWith(v.verify(req({ ...h, signature: 'sig1=:AAAA:' }, `${body} `)), 'CONTENT_DIGEST_MISMATCH');
    // sha-512, and both at once: each one given must match.
    await v.verify(req(signed({ digest: 'sha-512' })));
    const signedWith = (digest: string) => ({ ...json, 'content-digest': digest, ...sign.httpSignature({ url: BASE + PATH, body, headers: { ...json, 'content-digest': digest }, privateKey: ED.privateKey }) });
    await v.verify(req(signedWith(`${h['content-digest']}, sha-512=:${createHash('sha512').update(body).digest('base64')}:`)));
    await rejectsWith(v.verify(req(signedWith(`${h['content-digest']}, sha-512=:${createHash('sha512').update('x').digest('base64')}:`))), 'CONTENT_DIGEST_MISMATCH');
    // A deprecated algorithm beside sha-256 is ignored.
    await v.verify(req(signedWith(`md5=:AAAAAAAAAAAAAAAAAAAAAA==:, ${h['content-digest']}`)));
  });

  test('a covered Content-Digest that is absent, malformed, or of deprecated algorithms only, is refused', async () => {
    const v = verifierOf();
    const h = signed();
    const { 'content-digest': _, ...without } = h;
    await rejectsWith(v.verify(req(without)), 'SIGNATURE_MISMATCH');
    for (const d of ['sha-256=AAAA', 'sha-256=:AAAA:', 'md5=:AAAAAAAAAAAAAAAAAAAAAA==:', 'sha-256=:' + 'A'.repeat(43) + '=:, sha-256=:' + 'A'.repeat(43) + '=:'])
      await rejectsWith(v.verify(req({ ...h, 'content-digest': d })), 'MALFORMED_SIGNATURE');
  });
});

describe('httpSignature(): freshness, replay identity, keys', () => {
  test('created outside the tolerance (either way), and expires past, are TIMESTAMP_OUT_OF_TOLERANCE', async () => {
    const v = verifierOf({}, { replay: false });
    await rejectsWith(v.verify(req(signed({ created: now() - 600 }))), 'TIMESTAMP_OUT_OF_TOLERANCE');
    await rejectsWith(v.verify(req(signed({ created: now() + 600 }))), 'TIMESTAMP_OUT_OF_TOLERANCE');
    // expires is kept as sent: past it, refused, though created is well inside the tolerance.
    await rejectsWith(v.verify(req(signed({ created: now() - 20, expires: now() - 2 }))), 'TIMESTAMP_OUT_OF_TOLERANCE');
    await v.verify(req(signed({ created: now() - 20, expires: now() + 10 })));
    await rejectsWith(v.verify(req(signed({ created: now(), expires: now() - 1 }))), 'MALFORMED_SIGNATURE');
  });

  test('nonce is the replay identity: the same nonce re-signed later is a duplicate', async () => {
    const v = verifierOf();
    const w = await v.verify(req(signed({ nonce: 'n-123' })));
    assert.equal(w.id, 'n-123');
    await w.commit();
    await rejectsWith(v.verify(req(signed({ nonce: 'n-123', created: now() - 5 }))), 'DUPLICATE');
    await rejectsWith(v.verify(req(signed({ nonce: 'x'.repeat(257) }))), 'MALFORMED_SIGNATURE');
  });

  test('without a nonce, the digest of the signature base: the same delivery signed by two keys (a rotation) has one replay key', async () => {
    const other = generateKeyPairSync('ed25519');
    const v = verifierOf({ keys: [{ id: 'new', publicKey: other.publicKey }, { id: 'ed', publicKey: ED.publicKey }] });
    const created = now();
    const alone = signed({ nonce: false, created });
    const a = await v.verify(req(alone));
    const b = sign.httpSignature({ url: BASE + PATH, body, headers: json, privateKey: other.privateKey, keyId: 'new', nonce: false, created });
    await rejectsWith(v.verify(req({ ...json, ...b })), 'REPLAY_IN_FLIGHT');
    await a.release();
    // ...and a copy whose first signature was stripped is still the same delivery.
    const both = sign.httpSignature({ url: BASE + PATH, body, headers: { ...json, ...b }, privateKey: ED.privateKey, keyId: 'ed', nonce: false, created });
    const w = await v.verify(req({ ...json, ...b, ...both }));
    await rejectsWith(v.verify(req({ ...json, ...b })), 'REPLAY_IN_FLIGHT');
    await rejectsWith(v.verify(req(alone)), 'REPLAY_IN_FLIGHT');
    assert.ok(w.replayKey);
  });

  test('keyid selects the key by id; an unknown keyid, or an alg the key is not for, is SIGNATURE_MISMATCH', async () => {
    const v = verifierOf({ keys: [{ id: 'a', secret: SECRET }, { id: 'ed', publicKey: ED.publicKey }] }, { replay: false });
    assert.equal((await v.verify(req(signed()))).keyId, 'ed');
    assert.equal((await v.verify(req(signed({ keyId: undefined })))).keyId, 'ed');
    assert.equal((await v.verify(req(signed({ privateKey: undefined, secret: SECRET, keyId: 'a' })))).keyId, 'a');
    await rejectsWith(v.verify(req(signed({ keyId: 'b' }))), 'SIGNATURE_MISMATCH');
    await rejectsWith(v.verify(req(signed({ privateKey: undefined, secret: SECRET, keyId: 'ed' }))), 'SIGNATURE_MISMATCH');
  });

  test('algorithm confusion: the PEM public key used as an HMAC secret never verifies; an RSA key must name its algorithm', async () => {
    const pem = ED.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const v = verifierOf({ keys: [{ id: 'ed', secret: pem }] });
    await v.verify(req(signed()));
    await rejectsWith(v.verify(req(signed({ privateKey: undefined, secret: pem, algorithm: 'hmac-sha256' }))), 'SIGNATURE_MISMATCH');
    const rsa = KEYS['rsa-pss-sha512'];
    assert.throws(() => httpSignature({ keys: [{ id: 'r', publicKey: rsa.publicKey }] }), /set algorithm/);
    assert.throws(() => httpSignature({ keys: [{ id: 'r', publicKey: ED.publicKey, algorithm: 'ecdsa-p256-sha256' }] }), WebhookConfigError);
    assert.throws(() => httpSignature({ keys: [{ id: 'r', publicKey: ED.privateKey }] }), WebhookConfigError);
    assert.throws(() => httpSignature({ keys: [{ id: 'r', secret: 'short' }] }), /16 bytes/);
    assert.throws(() => httpSignature({ keys: [{ id: 'r', publicKey: generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, algorithm: 'rsa-v1_5-sha256' }] }), /2048/);
    assert.throws(() => httpSignature({ algorithms: ['ed25519'], keys: [{ id: 's', secret: SECRET }] }), /not in this verifier's algorithms/);
    assert.throws(() => httpSignature({ required: ['@query-param'] }), WebhookConfigError);
  });

  test('several signatures: only the configured labels, each bounded; two public-key verifications at most', async () => {
    const stranger = generateKeyPairSync('ed25519');
    const theirs = sign.httpSignature({ url: BASE + PATH, body, headers: json, privateKey: stranger.privateKey, label: 'proxy' });
    const both: Record<string, string> = { ...json, ...theirs, ...sign.httpSignature({ url: BASE + PATH, body, headers: { ...json, ...theirs }, privateKey: ED.privateKey, keyId: 'ed' }) };
    assert.match(both['signature-input']!, /^proxy=.*, sig1=/);
    await verifierOf({}, { replay: false }).verify(req(both));
    await verifierOf({ labels: ['sig1'] }, { replay: false }).verify(req(both));
    await rejectsWith(verifierOf({ labels: ['proxy'] }).verify(req(both)), 'SIGNATURE_MISMATCH');
    await rejectsWith(verifierOf({ labels: ['other'] }).verify(req(both)), 'MISSING_SIGNATURE');
    // Three keyid-less signatures by strangers before ours: the budget runs out first.
    let h: Record<string, string> = { ...json };
    for (let i = 0; i < 3; i++) h = { ...h, ...sign.httpSignature({ url: BASE + PATH, body, headers: h, privateKey: generateKeyPairSync('ed25519').privateKey }) };
    h = { ...h, ...sign.httpSignature({ url: BASE + PATH, body, headers: h, privateKey: ED.privateKey }) };
    await rejectsWith(verifierOf({}, { replay: false }).verify(req(h)), 'SIGNATURE_MISMATCH');
    await verifierOf({ labels: ['sig4'] }, { replay: false }).verify(req(h));
  });

  test('tag: only signatures of this application', async () => {
    const v = verifierOf({ tag: 'hookguard' }, { replay: false });
    await v.verify(req(signed({ tag: 'hookguard' })));
    await rejectsWith(v.verify(req(signed({ tag: 'other' }))), 'MISSING_SIGNATURE');
    await rejectsWith(v.verify(req(signed())), 'MISSING_SIGNATURE');
  });

  test('fromKeyId(): the tenant named by the signed keyid, its keys with validity windows', async () => {
    const globex = generateKeyPairSync('ed25519');
    const tenants: Record<string, TenantConfig> = {
      acme: { publicKeys: [{ id: 'acme:2027', publicKey: globex.publicKey, notBefore: Date.now() + 86_400_000 }, { id: 'acme:2026', publicKey: ED.publicKey }] },
      globex: { publicKeys: [{ id: 'globex:1', publicKey: globex.publicKey }] },
    };
    const v = createVerifier({
      scheme: httpSignature({ publicUrl: BASE }),
      tenants: { resolve: fromKeyId({ tenantOf: (k) => k.split(':')[0] }), lookup: (id) => tenants[id] },
    });
    const w = await v.verify(req(signed({ keyId: 'acme:2026' })));
    assert.equal(w.tenant, 'acme');
    assert.equal(w.keyId, 'acme:2026');
    // globex's signature claiming acme's keyid, and acme's next key before its window.
    await rejectsWith(v.verify(req(signed({ privateKey: globex.privateKey, keyId: 'acme:2026' }))), 'SIGNATURE_MISMATCH');
    await rejectsWith(v.verify(req(signed({ privateKey: globex.privateKey, keyId: 'acme:2027' }))), 'SIGNATURE_MISMATCH');
    assert.equal((await v.verify(req(signed({ privateKey: globex.privateKey, keyId: 'globex:1' })))).tenant, 'globex');
    const first = signed({ keyId: 'acme:2026' });
    const two = { ...first, ...sign.httpSignature({ url: BASE + PATH, body, headers: first, privateKey: globex.privateKey, keyId: 'globex:1' }) };
    await rejectsWith(v.verify(req(two)), 'TENANT_MISMATCH');
    await rejectsWith(v.verify(req(json)), 'MISSING_SIGNATURE');
    await rejectsWith(v.verify(req(signed({ keyId: 'initech:1' }))), 'UNKNOWN_TENANT');
  });
});

describe('httpSignature(): behind a proxy', () => {
  const TRUSTED = { proxy: { trusted: ['10.0.0.1'] } };
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hooks.example.com', host: 'app.internal:8080' };
  test('without publicUrl: X-Forwarded-* from a trusted proxy name the URL; from anyone else UNTRUSTED_PROXY', async () => {
    const v = createVerifier({ scheme: httpSignature({ keys: [{ id: 'ed', publicKey: ED.publicKey }] }), replay: false, ...TRUSTED });
    const h = { ...signed(), ...forwarded };
    await v.verify(req(h, body, { remoteAddress: '10.0.0.1' }));
    await rejectsWith(v.verify(req(h, body, { remoteAddress: '192.0.2.7' })), 'UNTRUSTED_PROXY');
    // The Host header alone names another authority than the one signed.
    await rejectsWith(v.verify(req({ ...signed(), host: 'app.internal:8080' }, body, { remoteAddress: '192.0.2.7' })), 'SIGNATURE_MISMATCH');
    await v.verify(req({ ...signed({ url: `http://app.internal:8080${PATH}` }), host: 'APP.internal:8080' }, body, { remoteAddress: '192.0.2.7' }));
  });
  test('with publicUrl the forwarded headers are ignored', async () => {
    await verifierOf({}, { replay: false, ...TRUSTED }).verify(req({ ...signed(), 'x-forwarded-host': 'evil.example' }, body, { remoteAddress: '192.0.2.7' }));
  });
});

describe('httpSignature(): strict, bounded parsing', () => {
  test('no headers: MISSING_SIGNATURE, never a pass; one of the two: MALFORMED_SIGNATURE', async () => {
    const v = verifierOf();
    await rejectsWith(v.verify(req(json)), 'MISSING_SIGNATURE');
    const h = signed();
    await rejectsWith(v.verify(req({ ...json, signature: h.signature! })), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(req({ ...json, 'signature-input': h['signature-input']! })), 'MALFORMED_SIGNATURE');
  });

  test('structured-field refusals: duplicates, non-canonical base64, caps, unsupported components', async () => {
    const v = verifierOf({}, { replay: false });
    const h = signed();
    const input = h['signature-input']!;
    const sig = h.signature!;
    const value = sig.slice(5);
    const cases: Array<[string, Record<string, string>]> = [
      ['label twice in Signature', { signature: `${sig}, ${sig}` }],
      ['label twice in Signature-Input', { 'signature-input': `${input}, ${input}` }],
      ['a parameter twice', { 'signature-input': input.replace(';created=', ';created=1;created=') }],
      ['base64 without padding', { signature: `sig1=${value.replace(/=+:$/, ':')}` }],
      ['base64 with stray bits', { signature: `sig1=${value.replace(/.(=*):$/, (_m, p) => `/${p}:`)}` }],
      ['not a dictionary', { signature: 'sig1' }],
      ['trailing comma', { 'signature-input': `${input},` }],
      ['nine members', { 'signature-input': [input, ...Array.from({ length: 8 }, (_, i) => `x${i}=()`)].join(', ') }],
      ['33 components', { 'signature-input': `sig1=(${Array.from({ length: 33 }, (_, i) => `"x-${i}"`).join(' ')});created=1` }],
      ['an oversized field', { signature: `${sig}, pad=:${'A'.repeat(8200)}:` }],
      ['@query-param', { 'signature-input': input.replace('"@method"', '"@query-param";name="x"') }],
      [';sf on a field', { 'signature-input': input.replace('"content-type"', '"content-type";sf') }],
      ['a component name in upper case', { 'signature-input': input.replace('"content-type"', '"Content-Type"') }],
      ['a component twice', { 'signature-input': input.replace('"content-type"', '"content-type" "content-type"') }],
      ['@signature-params covered', { 'signature-input': input.replace('"content-type"', '"@signature-params"') }],
      ['created as a string', { 'signature-input': input.replace(/created=(\d+)/, 'created="$1"') }],
      ['an unknown alg', { 'signature-input': input.replace('alg="ed25519"', 'alg="rsa-v1_5-sha1"') }],
      ['non-ASCII', { 'signature-input': input.replace('sig1', 'sïg1') }],
      ['a header sent twice', { signature: [sig, sig] as unknown as string }],
    ];
    for (const [what, change] of cases) await rejectsWith(v.verify(req({ ...h, ...change })), 'MALFORMED_SIGNATURE').catch((e) => assert.fail(`${what}: ${e.message}`));
    // A covered value holding a line break (a hand-built request) could pose as another line of the base.
    await rejectsWith(v.verify(req({ ...h, 'content-type': 'application/json\n"@method": GET' })), 'MALFORMED_SIGNATURE');
    // Spelling that RFC 8941 allows around members and items keeps one reading: it still verifies.
    await v.verify(req({ ...h, 'signature-input': ` ${input.replace('(', '( ').replace(')', ' )')}`, signature: `${sig} ` }));
  });
});

describe('http-message-signatures interop, every algorithm', () => {
  const keyFor = (alg: HttpSignatureAlgorithm) => (alg === 'hmac-sha256' ? { secret: SECRET } : { publicKey: KEYS[alg].publicKey, ...(alg.startsWith('rsa') ? { algorithm: alg } : {}) });
  const ALGS = ['ed25519', 'ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'rsa-pss-sha512', 'rsa-v1_5-sha256', 'hmac-sha256'] as const;
  const digest = `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
  const fields = ['@method', '@target-uri', '@authority', '@path', '@query', 'content-digest', 'content-type'];

  for (const alg of ALGS) {
    test(`${alg}: its signatures verify with us; ours verify with it`, async () => {
      const v = createVerifier({ scheme: httpSignature({ publicUrl: BASE, keys: [{ id: `k-${alg}`, ...keyFor(alg) }] }), replay: false });
      const signingKey = alg === 'hmac-sha256' ? Buffer.from(SECRET) : KEYS[alg].privateKey;
      const message = { method: 'POST', url: BASE + PATH, headers: { ...json, 'content-digest': digest } };
      const theirs = await httpbis.signMessage({ key: createSigner(signingKey, alg, `k-${alg}`), fields, paramValues: { created: new Date() } }, message);
      const w = await v.verify(req(theirs.headers as Record<string, string>));
      assert.equal(w.keyId, `k-${alg}`);

      const ours = sign.httpSignature({ url: BASE + PATH, body, headers: json, ...(alg === 'hmac-sha256' ? { secret: SECRET } : { privateKey: KEYS[alg].privateKey, algorithm: alg }), keyId: `k-${alg}`, components: fields });
      const verifyingKey = alg === 'hmac-sha256' ? Buffer.from(SECRET) : KEYS[alg].publicKey;
      const ok = await httpbis.verifyMessage(
        { keyLookup: async (p) => (p.keyid === `k-${alg}` ? { id: p.keyid, algs: [alg], verify: hmsVerifier(verifyingKey, alg) } : null), requiredFields: fields },
        { method: 'POST', url: BASE + PATH, headers: { ...json, ...ours } },
      );
      assert.equal(ok, true);
      // A changed body under our signature: the library checks no Content-Digest; we do.
      await rejectsWith(v.verify(req({ ...json, ...ours }, `${body} `)), 'CONTENT_DIGEST_MISMATCH');
    });
  }

  test('unsigned: the library answers null (neither pass nor fail); we answer MISSING_SIGNATURE', async () => {
    const lib = await httpbis.verifyMessage({ keyLookup: async () => null }, { method: 'POST', url: BASE + PATH, headers: json });
    assert.equal(lib, null);
    await rejectsWith(verifierOf().verify(req(json)), 'MISSING_SIGNATURE');
  });
});
