// defineScheme() and its public helpers: what a user scheme gets whatever its read() returns — bounded
// and strictly decoded signatures, constant-time comparison against every key, capped ids, digit-only
// timestamps, one reading of the signed content, replay identity from signed material only — and the
// README's example scheme end to end.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  any,
  constantTimeEqual,
  createVerifier,
  defineScheme,
  github,
  hmacDigest,
  isWebhookVerificationError,
  MAX_ID_LENGTH,
  parseSignatureHeader,
  stripe,
  sign,
  WebhookConfigError,
  type ReplayStore,
  type SchemeDefinition,
} from '@hookguard/core';
import { rejectsWith, request } from './helpers.js';

const NOW_S = 1_800_000_000;
const now = () => NOW_S * 1000;
const open: ReplayStore = { reserve: () => Promise.resolve({ state: 'reserved', token: 't' }), commit: () => Promise.resolve(), release: () => Promise.resolve() };
const mac = (secret: string, content: string) => createHmac('sha256', secret).update(content).digest('hex');

// The README's example: `Acme-Signature: t=<seconds>,s=<hex>[,s=<hex>]` over `{t}.{body}`.
const acme = defineScheme({
  name: 'acme',
  template: '{timestamp}.{body}',
  payloadIdField: 'id',
  read(request) {
    const header = request.header('acme-signature');
    if (header === undefined) return { signatures: undefined };
    const entries = parseSignatureHeader(header, { separator: ',', max: 8 });
    return { signatures: entries.all('s'), timestamp: entries.one('t') };
  },
});
const acmeHeaders = (secrets: string[], body: string, t = NOW_S) => ({ 'acme-signature': [`t=${t}`, ...secrets.map((s) => `s=${mac(s, `${t}.${body}`)}`)].join(',') });

describe('defineScheme', () => {
  test('the README example: verifies, rotates, keys replay on the signed body id, refuses stale and tampered deliveries', async () => {
    const v = createVerifier({ scheme: acme({ secret: ['new', 'old'] }), now, replay: { store: open } });
    const body = '{"id":"evt_9","x":1}';
    const w = await v.verify(request(acmeHeaders(['old'], body), body));
    assert.equal(w.scheme, 'acme');
    assert.equal(w.keyId, 'key-1');
    assert.equal(w.timestamp, NOW_S);
    assert.equal(w.replayKey, '-:acme:i:evt_9');
    assert.equal((await v.verify(request(acmeHeaders(['new', 'old'], body, NOW_S + 5), body))).replayKey, w.replayKey);
    await rejectsWith(v.verify(request(acmeHeaders(['old'], body, NOW_S - 3600), body)), 'TIMESTAMP_OUT_OF_TOLERANCE');
    await rejectsWith(v.verify(request(acmeHeaders(['old'], body), `${body} `)), 'SIGNATURE_MISMATCH');
    await rejectsWith(v.verify(request({}, body)), 'MISSING_SIGNATURE');
    await rejectsWith(v.verify(request({ 'acme-signature': `t=${NOW_S}` }, body)), 'MALFORMED_SIGNATURE');
    // Without an id in the signed body: the digest of the signed content.
    const noId = await v.verify(request(acmeHeaders(['old'], '{}'), '{}'));
    assert.match(noId.replayKey!, /^-:acme:d:/);
  });

  test('signatures: bounded in number, strictly decoded (case, padding, length), compared against every key', async () => {
    const make = (d: Partial<SchemeDefinition>) =>
      createVerifier({ scheme: defineScheme({ name: 'sig', read: (r) => ({ signatures: r.header('x-sig')?.split(' ') }), ...d })({ secret: ['a', 'b'] }), replay: false });
    const body = '{}';
    const good = mac('b', body);
    const v = make({});
    assert.equal((await v.verify(request({ 'x-sig': good }, body))).keyId, 'key-1');
    await rejectsWith(v.verify(request({ 'x-sig': good.toUpperCase() }, body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(request({ 'x-sig': good.slice(2) }, body)), 'MALFORMED_SIGNATURE');
    await v.verify(request({ 'x-sig': `zz ${'0'.repeat(64)} x ${good}` }, body));
    await rejectsWith(v.verify(request({ 'x-sig': `1 2 3 4 ${good}` }, body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(request({ 'x-sig': '0'.repeat(64) }, body)), 'SIGNATURE_MISMATCH');
    const b64 = make({ encoding: 'base64', maxSignatures: 16 });
    const s = createHmac('sha256', 'a').update(body).digest('base64');
    await b64.verify(request({ 'x-sig': s }, body));
    await rejectsWith(b64.verify(request({ 'x-sig': s.replace('=', '') }, body)), 'MALFORMED_SIGNATURE');
    const sha1 = make({ algorithm: 'sha1' });
    await sha1.verify(request({ 'x-sig': createHmac('sha1', 'a').update(body).digest('hex') }, body));
    await rejectsWith(sha1.verify(request({ 'x-sig': good }, body)), 'MALFORMED_SIGNATURE');
  });

  test('a read() that throws on what the sender sent is MALFORMED_SIGNATURE (with the cause kept), never a crash', async () => {
    const fragile = defineScheme({ name: 'fragile', read: (r) => ({ signatures: r.header('x-sig')!.split(':')[1] }) });
    const e = await rejectsWith(createVerifier({ scheme: fragile({ secret: 'a' }) }).verify(request({}, '{}')), 'MALFORMED_SIGNATURE');
    assert.ok(e.cause instanceof TypeError);
    // A header sent twice is refused before read() sees it.
    const plain = defineScheme({ name: 'plain', read: (r) => ({ signatures: r.header('x-sig') }) });
    await rejectsWith(createVerifier({ scheme: plain({ secret: 'a' }) }).verify(request({ 'x-sig': ['a', 'b'] as never }, '{}')), 'MALFORMED_SIGNATURE');
  });

  test('ids: capped at MAX_ID_LENGTH; signed ({id} in the template) is the replay identity, else only reported; one reading', async () => {
    const signedId = defineScheme({ name: 'withid', template: '{id}.{timestamp}.{body}', read: (r) => ({ signatures: r.header('x-sig'), id: r.header('x-id'), timestamp: r.header('x-ts') }) });
    const reported = defineScheme({ name: 'reported', read: (r) => ({ signatures: r.header('x-sig'), id: r.header('x-id') }) });
    const body = '{"a":1}';
    const sv = createVerifier({ scheme: signedId({ secret: 'k' }), now, replay: { store: open } });
    const h = (id: string) => ({ 'x-id': id, 'x-ts': String(NOW_S), 'x-sig': mac('k', `${id}.${NOW_S}.${body}`) });
    assert.equal((await sv.verify(request(h('msg_1'), body))).replayKey, '-:withid:i:msg_1');
    await sv.verify(request(h('m'.repeat(MAX_ID_LENGTH)), body));
    await rejectsWith(sv.verify(request(h('m'.repeat(MAX_ID_LENGTH + 1)), body)), 'MALFORMED_SIGNATURE');
    // `a.b` + `.ts.` could be read as id `a` with a body that starts `b.`: the separator is refused in ids.
    await rejectsWith(sv.verify(request(h('a.b'), body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(sv.verify(request({ ...h('x'), 'x-id': '' }, body)), 'MALFORMED_SIGNATURE');
    const rv = createVerifier({ scheme: reported({ secret: 'k' }), replay: { store: open } });
    const w1 = await rv.verify(request({ 'x-id': 'one', 'x-sig': mac('k', body) }, body));
    const w2 = await rv.verify(request({ 'x-id': 'two', 'x-sig': mac('k', body) }, body));
    assert.equal(w1.id, 'one');
    assert.equal(w2.replayKey, w1.replayKey);
  });

  test('timestamps: ASCII digits only; a timestamp the template does not sign is a configuration error', async () => {
    const v = createVerifier({ scheme: acme({ secret: 'k' }), now, toleranceSec: 1e9, replay: false });
    for (const t of [`+${NOW_S}`, `${NOW_S}.5`, '\u0661\u0662', '1e9', '', '0x10'])
      await rejectsWith(v.verify(request({ 'acme-signature': `t=${t},s=${mac('k', `${t}.{}`)}` }, '{}')), 'MALFORMED_SIGNATURE');
    const ms = createVerifier({ scheme: defineScheme({ name: 'ms', template: '{timestamp}:{body}', timestampUnit: 'ms', read: (r) => ({ signatures: r.header('x-sig'), timestamp: r.header('x-ts') }) })({ secret: 'k' }), now, replay: false });
    assert.equal((await ms.verify(request({ 'x-ts': String(NOW_S * 1000 + 999), 'x-sig': mac('k', `${NOW_S * 1000 + 999}:{}`) }, '{}'))).timestamp, NOW_S);
    const unsigned = defineScheme({ name: 'unsigned', read: (r) => ({ signatures: r.header('x-sig'), timestamp: r.header('x-ts') }) });
    // A programming error, not the sender's: refused, with the configuration error as the cause for the logs.
    const e = await rejectsWith(createVerifier({ scheme: unsigned({ secret: 'k' }) }).verify(request({ 'x-sig': mac('k', '{}'), 'x-ts': '1' }, '{}')), 'MALFORMED_SIGNATURE');
    assert.ok(e.cause instanceof WebhookConfigError, String(e.cause));
  });

  test('configuration is checked at definition: name, algorithm, encoding, template, maxSignatures, read, payloadIdField with {id}', () => {
    const read = () => ({ signatures: undefined });
    assert.throws(() => defineScheme({ name: '1bad', read }), WebhookConfigError);
    assert.throws(() => defineScheme({ name: 'x', read: undefined as never }), WebhookConfigError);
    assert.throws(() => defineScheme({ name: 'x', algorithm: 'md5' as never, read }), WebhookConfigError);
    assert.throws(() => defineScheme({ name: 'x', encoding: 'latin1' as never, read }), WebhookConfigError);
    assert.throws(() => defineScheme({ name: 'x', template: '{id}{body}', read }), WebhookConfigError);
    assert.throws(() => defineScheme({ name: 'x', template: '{nonce}.{body}', read }), WebhookConfigError);
    assert.throws(() => defineScheme({ name: 'x', maxSignatures: 17, read }), WebhookConfigError);
    assert.throws(() => defineScheme({ name: 'x', template: '{id}.{body}', payloadIdField: 'id', read }), WebhookConfigError);
    assert.throws(() => acme({ secret: '' }), WebhookConfigError);
    assert.throws(() => createVerifier({ scheme: acme() }), WebhookConfigError); // no secret, no tenants
  });

  test('a user scheme that reads an id may not share a secret with a leaf that reads differently; digest readers may', () => {
    assert.throws(() => createVerifier({ scheme: any(acme({ secret: 'shared' }), github({ secret: 'shared' })) }), /share a secret/);
    assert.throws(() => createVerifier({ scheme: any(acme({ secret: 'shared' }), stripe({ secret: 'shared' })) }), /share a secret/);
    const digest = defineScheme({ name: 'digest', read: (r) => ({ signatures: r.header('x-hub-signature-256')?.replace(/^sha256=/, '') }) });
    createVerifier({ scheme: any(digest({ secret: 'shared' }), github({ secret: 'shared' })) });
  });

  test('a body-digest user scheme and github() give one delivery one replay key, whichever leaf verified it', async () => {
    const digest = defineScheme({ name: 'mine', read: (r) => ({ signatures: r.header('x-mine') }) });
    const v = createVerifier({ scheme: any(digest({ secret: 's' }), github({ secret: 's' })), replay: { store: open } });
    const body = '{"z":1}';
    const a = await v.verify(request({ 'x-mine': mac('s', body) }, body));
    const b = await v.verify(request(sign.github({ secret: 's', body }), body));
    assert.equal(a.replayKey, b.replayKey);
  });
});

describe('public helpers', () => {
  test('constantTimeEqual: bytes and UTF-8 strings; unequal lengths are false', () => {
    assert.equal(constantTimeEqual('abc', 'abc'), true);
    assert.equal(constantTimeEqual('abc', 'abd'), false);
    assert.equal(constantTimeEqual('abc', 'abcd'), false);
    assert.equal(constantTimeEqual(Buffer.from('é'), 'é'), true);
    assert.equal(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
  });

  test('hmacDigest: parts in order, strings as UTF-8, as createHmac computes them', () => {
    const body = Buffer.from('{"ü":1}');
    assert.deepEqual(hmacDigest({ secret: 'k', data: ['v0:1:', body] }), createHmac('sha256', 'k').update('v0:1:').update(body).digest());
    assert.equal(hmacDigest({ secret: 'k', data: 'x', algorithm: 'sha1' }).toString('hex'), createHmac('sha1', 'k').update('x').digest('hex'));
    assert.throws(() => hmacDigest({ secret: 'k', data: 'x', algorithm: 'md5' as never }), WebhookConfigError);
  });

  test('parseSignatureHeader: entries, trimmed; repeats with all(), one() refuses a repeat; bounded; errors are MALFORMED_SIGNATURE', () => {
    const e = parseSignatureHeader(' t=1 , v1=aa,v1=bb,v0=cc,junk,,');
    assert.equal(e.one('t'), '1');
    assert.deepEqual(e.all('v1'), ['aa', 'bb']);
    assert.equal(e.one('v2'), undefined);
    assert.equal(e.size, 4);
    assert.throws(() => e.one('v1'), (x: unknown) => isWebhookVerificationError(x) && x.code === 'MALFORMED_SIGNATURE');
    assert.deepEqual(parseSignatureHeader('ts=1;h1=a;h1=b', { separator: ';' }).all('h1'), ['a', 'b']);
    assert.throws(() => parseSignatureHeader('a=1,'.repeat(17)), (x: unknown) => isWebhookVerificationError(x) && x.code === 'MALFORMED_SIGNATURE');
    assert.equal(parseSignatureHeader('a=1,'.repeat(16)).size, 16);
    assert.throws(() => parseSignatureHeader('a=1', { max: 100 }), WebhookConfigError);
    assert.throws(() => parseSignatureHeader('a=1', { separator: '=' }), WebhookConfigError);
    // The value keeps any further `=` (base64 padding).
    assert.equal(parseSignatureHeader('v1=YWI=').one('v1'), 'YWI=');
  });
});
