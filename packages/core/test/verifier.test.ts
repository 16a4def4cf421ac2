import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  accountClaim, all, any, apiKey, createVerifier, fromHeader, fromHost, fromParam, fromPath, github, hmac, MemoryReplayStore,
  shopify, sign, slack, standardWebhooks, stripe, toProblem, type TenantConfig, WebhookVerificationError,
} from '@hookguard/core';
import { request, rejectsWith, SECRET } from './helpers.js';

const T0 = 1_700_000_000_000;
const clock = (ms = T0) => () => ms;
const body = '{"type":"ping","account":"acct_a"}';
const json = { 'content-type': 'application/json' };

describe('bodies are hashed as exact bytes', () => {
  const v = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: false });
  for (const [name, bytes] of [
    ['emoji', Buffer.from('{"msg":"👍🏽 ok ✅"}')],
    ['non-UTF-8 bytes', Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28])],
    ['empty body', Buffer.alloc(0)],
    ['Uint8Array view', new Uint8Array(Buffer.from('xx{"a":1}yy').subarray(2, 9))],
  ] as const) {
    test(name, async () => {
      const headers = sign.standardWebhooks({ secret: SECRET, body: Buffer.from(bytes) });
      const w = await v.verify(request(headers, bytes as Buffer));
      assert.equal(w.rawBody.equals(Buffer.from(bytes)), true);
    });
  }
  test('a body re-serialised from JSON does not verify', async () => {
    const original = '{"a": 1,  "b":2}';
    const headers = sign.standardWebhooks({ secret: SECRET, body: original });
    await rejectsWith(v.verify(request(headers, JSON.stringify(JSON.parse(original)))), 'SIGNATURE_MISMATCH');
  });
});

describe('signatures', () => {
  test('missing, malformed and mismatched signatures have distinct codes', async () => {
    const v = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: false });
    const h = sign.standardWebhooks({ secret: SECRET, body });
    await rejectsWith(v.verify(request({}, body)), 'MISSING_SIGNATURE');
    await rejectsWith(v.verify(request({ ...h, 'webhook-signature': 'v1,@@@' }, body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(request({ ...h, 'webhook-timestamp': 'soon' }, body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(request({ ...h, 'webhook-id': '' }, body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(request({ ...h, 'webhook-signature': ['v1,a', 'v1,b'] as never }, body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(request(h, body + ' ')), 'SIGNATURE_MISMATCH');
  });
  test('several signatures: any v1 entry may match, unknown versions are ignored', async () => {
    const v = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: false });
    const h = sign.standardWebhooks({ secret: SECRET, body });
    const other = sign.standardWebhooks({ secret: 'whsec_' + Buffer.alloc(24, 7).toString('base64'), id: h['webhook-id'], timestamp: Number(h['webhook-timestamp']), body });
    const w = await v.verify(request({ ...h, 'webhook-signature': `v2,zzz ${other['webhook-signature']} ${h['webhook-signature']}` }, body));
    assert.equal(w.keyId, 'key-0');
  });
  test('Ed25519 v1a with whpk_ keys, and a tampered body fails', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const x = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const d = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
    const whpk = 'whpk_' + x.toString('base64');
    const whsk = 'whsk_' + Buffer.concat([d, x]).toString('base64');
    const v = createVerifier({ scheme: standardWebhooks({ secret: [{ id: 'ed', publicKey: whpk }] }), replay: false });
    const h = sign.standardWebhooks({ secret: whsk, body });
    assert.match(h['webhook-signature']!, /^v1a,/);
    assert.equal((await v.verify(request(h, body))).keyId, 'ed');
    await rejectsWith(v.verify(request(h, body.replace('ping', 'pong'))), 'SIGNATURE_MISMATCH');
    // A v1 HMAC signature cannot satisfy an Ed25519-only verifier.
    await rejectsWith(v.verify(request(sign.standardWebhooks({ secret: SECRET, body }), body)), 'SIGNATURE_MISMATCH');
  });
  test('stripe: several v1, unknown schemes ignored, missing t is malformed', async () => {
    const secret = 'whsec_stripe_test';
    const v = createVerifier({ scheme: stripe({ secret }), replay: false });
    const h = sign.stripe({ secret, body });
    const sig = h['stripe-signature']!;
    const t = sig.split(',')[0];
    await v.verify(request({ 'stripe-signature': `${t},v0=abc,v1=${'0'.repeat(64)},${sig.split(',')[1]}` }, body));
    await rejectsWith(v.verify(request({ 'stripe-signature': sig.split(',')[1]! }, body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(request({ 'stripe-signature': `${t},v0=abc` }, body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(request({ 'stripe-signature': `${t},v1=${'0'.repeat(64)}` }, body)), 'SIGNATURE_MISMATCH');
  });
  test('github: sha1 only when enabled', async () => {
    const secret = 'gh-secret';
    const h = sign.github({ secret, body, sha1: true });
    const only1 = { 'x-hub-signature': h['x-hub-signature']!, 'x-github-delivery': 'abc' };
    await rejectsWith(createVerifier({ scheme: github({ secret }), replay: false }).verify(request(only1, body)), 'MISSING_SIGNATURE');
    const w = await createVerifier({ scheme: github({ secret, allowSha1: true }), replay: false }).verify(request(only1, body));
    assert.equal(w.id, 'abc');
    await rejectsWith(createVerifier({ scheme: github({ secret }) }).verify(request({ 'x-hub-signature-256': 'sha256=XYZ' }, body)), 'MALFORMED_SIGNATURE');
  });
  test('slack and shopify (both header sets)', async () => {
    const s = 'slack-signing-secret';
    const v = createVerifier({ scheme: slack({ secret: s }), replay: false });
    await v.verify(request(sign.slack({ secret: s, body }), body));
    await rejectsWith(v.verify(request({ 'x-slack-signature': sign.slack({ secret: s, body })['x-slack-signature']! }, body)), 'MALFORMED_SIGNATURE');
    const sh = createVerifier({ scheme: shopify({ secret: 'shpss_x1' }), replay: false });
    const w1 = await sh.verify(request(sign.shopify({ secret: 'shpss_x1', body, id: 'wh-1' }), body));
    const w2 = await sh.verify(request(sign.shopify({ secret: 'shpss_x1', body, id: 'wh-2', unprefixed: true }), body));
    assert.deepEqual([w1.id, w2.id], ['wh-1', 'wh-2']);
  });
  test('generic hmac with a template, base64 and a prefix', async () => {
    const options = { header: 'X-Sig', algorithm: 'sha512', encoding: 'base64', prefix: 'sha512=', template: '{timestamp}:{id}:{body}:end', idHeader: 'X-Id', timestampHeader: 'X-Ts' } as const;
    const v = createVerifier({ scheme: hmac({ ...options, secret: 'generic-secret' }), now: clock(), replay: false });
    const h = sign.hmac({ scheme: options, secret: 'generic-secret', body, id: 'm-1', timestamp: T0 / 1000 });
    const w = await v.verify(request(h, body));
    assert.deepEqual([w.id, w.timestamp, w.scheme], ['m-1', T0 / 1000, 'hmac']);
    await rejectsWith(v.verify(request({ ...h, 'x-id': 'm-2' }, body)), 'SIGNATURE_MISMATCH');
    await rejectsWith(v.verify(request({ ...h, 'x-ts': String(T0 / 1000 - 301) }, body)), 'SIGNATURE_MISMATCH');
  });
  test('apiKey: bearer and custom header, digests only, rotation', async () => {
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update('key-new').digest('hex');
    const v = createVerifier({ scheme: apiKey({ keys: [{ id: 'new', sha256 }, { id: 'old', secret: 'key-old' }] }) });
    assert.equal((await v.verify(request(sign.apiKey({ key: 'key-new' }), body))).keyId, 'new');
    assert.equal((await v.verify(request(sign.apiKey({ key: 'key-old' }), body))).keyId, 'old');
    // No message id: API-key deliveries are not replay-tracked (the same request twice is fine).
    assert.equal((await v.verify(request(sign.apiKey({ key: 'key-old' }), body))).replayKey, undefined);
    await rejectsWith(v.verify(request(sign.apiKey({ key: 'key-wrong' }), body)), 'SIGNATURE_MISMATCH');
    await rejectsWith(v.verify(request({ authorization: 'Basic abc' }, body)), 'MALFORMED_SIGNATURE');
    const h = createVerifier({ scheme: apiKey({ header: 'X-Api-Key', keys: 'k1' }) });
    await h.verify(request(sign.apiKey({ key: 'k1', header: 'X-Api-Key' }), body));
  });
  test('all() needs every scheme; any() takes the first that verifies and reports the most useful error', async () => {
    const both = createVerifier({ scheme: all(apiKey({ keys: 'k1' }), standardWebhooks({ secret: SECRET })), replay: false });
    const h = { ...sign.apiKey({ key: 'k1' }), ...sign.standardWebhooks({ secret: SECRET, body }) };
    const w = await both.verify(request(h, body));
    assert.equal(w.scheme, 'apiKey+standardWebhooks');
    assert.equal(w.id, h['webhook-id']);
    await rejectsWith(both.verify(request({ ...h, authorization: 'Bearer nope' }, body)), 'SIGNATURE_MISMATCH');
    const either = createVerifier({ scheme: any(stripe({ secret: 'whsec_s' }), github({ secret: 'g' })), replay: false });
    assert.equal((await either.verify(request(sign.github({ secret: 'g', body }), body))).scheme, 'github');
    assert.equal((await either.verify(request(sign.stripe({ secret: 'whsec_s', body }), body))).scheme, 'stripe');
    await rejectsWith(either.verify(request({}, body)), 'MISSING_SIGNATURE');
    await rejectsWith(either.verify(request({ 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) }, body)), 'SIGNATURE_MISMATCH');
  });
});

describe('freshness', () => {
  const v = (toleranceSec?: number) => createVerifier({ scheme: standardWebhooks({ secret: SECRET }), now: clock(), replay: false, ...(toleranceSec ? { toleranceSec } : {}) });
  const at = (sec: number) => request(sign.standardWebhooks({ secret: SECRET, body, timestamp: T0 / 1000 + sec }), body);
  test('default 300 s in both directions', async () => {
    await v().verify(at(-300));
    await v().verify(at(300));
    const e = await rejectsWith(v().verify(at(-301)), 'TIMESTAMP_OUT_OF_TOLERANCE');
    assert.match(e.detail!, /in the past/);
    const f = await rejectsWith(v().verify(at(301)), 'TIMESTAMP_OUT_OF_TOLERANCE');
    assert.match(f.detail!, /in the future/);
  });
  test('configurable tolerance', async () => {
    await v(600).verify(at(-599));
    await rejectsWith(v(60).verify(at(61)), 'TIMESTAMP_OUT_OF_TOLERANCE');
  });
  test('a bad signature on a stale message is reported as a mismatch (signature first)', async () => {
    const r = at(-1000);
    await rejectsWith(v().verify({ ...r, body: Buffer.from('{}') }), 'SIGNATURE_MISMATCH');
  });
});

describe('rotation', () => {
  const newS = 'whsec_' + Buffer.alloc(24, 1).toString('base64');
  const oldS = 'whsec_' + Buffer.alloc(24, 2).toString('base64');
  test('the result names the key that matched, newest first', async () => {
    const v = createVerifier({ scheme: standardWebhooks({ secret: [{ id: 'k2026', secret: newS }, { id: 'k2025', secret: oldS }] }), replay: false });
    assert.equal((await v.verify(request(sign.standardWebhooks({ secret: newS, body }), body))).keyId, 'k2026');
    assert.equal((await v.verify(request(sign.standardWebhooks({ secret: oldS, body }), body))).keyId, 'k2025');
  });
  test('keys outside their notBefore / notAfter window do not match', async () => {
    const v = createVerifier({
      now: clock(),
      replay: false,
      scheme: standardWebhooks({ secret: [{ id: 'future', secret: newS, notBefore: T0 + 1000 }, { id: 'retired', secret: oldS, notAfter: new Date(T0 - 1) }] }),
    });
    const ts = T0 / 1000;
    await rejectsWith(v.verify(request(sign.standardWebhooks({ secret: newS, body, timestamp: ts }), body)), 'SIGNATURE_MISMATCH');
    await rejectsWith(v.verify(request(sign.standardWebhooks({ secret: oldS, body, timestamp: ts }), body)), 'SIGNATURE_MISMATCH');
  });
});

describe('tenants', () => {
  const secrets: Record<string, string> = {
    acme: 'whsec_' + Buffer.alloc(24, 11).toString('base64'),
    globex: 'whsec_' + Buffer.alloc(24, 12).toString('base64'),
  };
  const accounts: Record<string, string> = { acme: 'acct_a', globex: 'acct_g' };
  function make(extra: Partial<Parameters<typeof createVerifier<TenantConfig>>[0]> = {}, lookups = { n: 0 }) {
    return createVerifier<TenantConfig>({
      scheme: standardWebhooks(),
      tenants: {
        resolve: fromParam('tenant'),
        lookup: async (id) => {
          lookups.n++;
          if (id === 'broken') throw new Error('db down: password=hunter2');
          if (id === 'slow') return new Promise(() => {});
          if (id === 'badkey') return { secrets: ['whsec_'] };
          const s = secrets[id];
          return s ? { secrets: [{ id: `${id}-1`, secret: s }], account: accounts[id] } : undefined;
        },
        lookupTimeoutMs: 50,
      },
      ...extra,
    });
  }
  const deliver = (tenant: string, signedBy: string, b = body) => request({ ...json, ...sign.standardWebhooks({ secret: secrets[signedBy]!, body: b }) }, b, { params: { tenant } });

  test("each tenant's own secret verifies; the result names tenant and key", async () => {
    const w = await make().verify(deliver('acme', 'acme'));
    assert.deepEqual([w.tenant, w.keyId, w.tenantConfig?.account], ['acme', 'acme-1', 'acct_a']);
  });
  test("tenant B's signature sent to tenant A's endpoint is rejected", async () => {
    await rejectsWith(make().verify(deliver('acme', 'globex')), 'SIGNATURE_MISMATCH');
  });
  test('unknown tenant, no tenant, lookup throws, lookup times out, bad key in the record', async () => {
    const v = make();
    await rejectsWith(v.verify(deliver('initech', 'acme')), 'UNKNOWN_TENANT');
    await rejectsWith(v.verify({ ...deliver('acme', 'acme'), params: {} }), 'UNKNOWN_TENANT');
    const e = await rejectsWith(v.verify(deliver('broken', 'acme')), 'TENANT_LOOKUP_FAILED');
    assert.equal(e.status, 503);
    assert.ok(!e.message.includes('hunter2') && !JSON.stringify(toProblem(e)).includes('hunter2'));
    await rejectsWith(v.verify(deliver('slow', 'acme')), 'TENANT_LOOKUP_FAILED');
    await rejectsWith(v.verify(deliver('badkey', 'acme')), 'TENANT_LOOKUP_FAILED');
  });
  test('found tenants are cached within the TTL and looked up again after it', async () => {
    let now = T0;
    const lookups = { n: 0 };
    const v2 = createVerifier<TenantConfig>({
      scheme: standardWebhooks(),
      now: () => now,
      toleranceSec: 1e9,
      replay: false,
      tenants: { resolve: fromParam(), cacheTtlMs: 1000, lookup: async (id) => (lookups.n++, secrets[id] ? { secrets: [secrets[id]!] } : undefined) },
    });
    await Promise.all([v2.verify(deliver('acme', 'acme')), v2.verify(deliver('acme', 'acme'))]);
    assert.equal(lookups.n, 1, 'concurrent lookups share one call');
    await v2.verify(deliver('acme', 'acme'));
    assert.equal(lookups.n, 1);
    now += 1001;
    await v2.verify(deliver('acme', 'acme'));
    assert.equal(lookups.n, 2);
  });
  test('a failed lookup is not cached: the next request looks up again', async () => {
    let fail = true;
    const v = createVerifier({
      scheme: standardWebhooks(),
      tenants: { resolve: fromParam(), lookup: async (id) => { if (fail) throw new Error('timeout'); return { secrets: [secrets[id]!] }; } },
    });
    await rejectsWith(v.verify(deliver('acme', 'acme')), 'TENANT_LOOKUP_FAILED');
    fail = false;
    assert.equal((await v.verify(deliver('acme', 'acme'))).tenant, 'acme');
  });
  test('several resolvers must agree: TENANT_MISMATCH', async () => {
    const v = createVerifier({
      scheme: standardWebhooks(),
      tenants: { resolve: [fromParam(), fromHeader('x-tenant')], lookup: (id) => (secrets[id] ? { secrets: [secrets[id]!] } : undefined) },
    });
    const r = deliver('acme', 'acme');
    await v.verify({ ...r, headers: { ...r.headers, 'x-tenant': 'acme' } });
    await rejectsWith(v.verify({ ...r, headers: { ...r.headers, 'x-tenant': 'globex' } }), 'TENANT_MISMATCH');
  });
  test('fromHost and fromPath', async () => {
    const host = fromHost({ suffix: 'hooks.example.com' });
    assert.equal(host(request({ host: 'acme.hooks.example.com:8443' }, '')), 'acme');
    assert.equal(host(request({ host: 'evil.com' }, '')), undefined);
    assert.equal(host(request({ host: 'a.b.hooks.example.com' }, '')), undefined);
    const path = fromPath(/^\/webhooks\/([^/?]+)/);
    assert.equal(path(request({}, '', { url: '/webhooks/ac%20me?x=1' })), 'ac me');
  });
  test('account claim: payload account must be the tenant account', async () => {
    const v = make({ claims: accountClaim('account') });
    await v.verify(deliver('acme', 'acme'));
    const other = '{"type":"ping","account":"acct_g"}';
    const e = await rejectsWith(v.verify(deliver('acme', 'acme', other)), 'CLAIM_MISMATCH');
    assert.equal(e.status, 403);
    await rejectsWith(make({ claims: () => { throw new Error('boom'); } }).verify(deliver('acme', 'acme')), 'CLAIM_MISMATCH');
  });
  test('keys tagged per scheme inside all()/any()', async () => {
    const v = createVerifier({
      scheme: any(github(), stripe()),
      tenants: { resolve: fromParam(), lookup: () => ({ secrets: [{ scheme: 'github', secret: 'gh-tenant' }, { scheme: 'stripe', secret: 'whsec_st' }] }) },
    });
    assert.equal((await v.verify(request(sign.github({ secret: 'gh-tenant', body }), body, { params: { tenant: 't' } }))).scheme, 'github');
    assert.equal((await v.verify(request(sign.stripe({ secret: 'whsec_st', body }), body, { params: { tenant: 't' } }))).scheme, 'stripe');
    await rejectsWith(v.verify(request(sign.github({ secret: 'whsec_st', body }), body, { params: { tenant: 't' } })), 'SIGNATURE_MISMATCH');
  });
});

describe('payload', () => {
  const v = createVerifier({ scheme: github({ secret: 'p' }), replay: false });
  const deliver = (b: string, type?: string) => request({ ...(type ? { 'content-type': type } : {}), ...sign.github({ secret: 'p', body: b }) }, b);
  test('JSON, +json, form, text and other types', async () => {
    assert.deepEqual((await v.verify(deliver('{"a":1}', 'application/json; charset=utf-8'))).payload, { a: 1 });
    assert.deepEqual((await v.verify(deliver('{"a":2}', 'application/cloudevents+json'))).payload, { a: 2 });
    assert.deepEqual({ ...((await v.verify(deliver('a=1&b=2&b=3', 'application/x-www-form-urlencoded'))).payload as object) }, { a: '1', b: ['2', '3'] });
    assert.equal((await v.verify(deliver('hi', 'text/plain'))).payload, 'hi');
    assert.ok(Buffer.isBuffer((await v.verify(deliver('raw', 'application/octet-stream'))).payload));
    assert.equal((await v.verify(deliver('', 'application/json'))).payload, undefined);
  });
  test('invalid JSON behind a valid signature: MALFORMED_PAYLOAD, lazily or with parse: true', async () => {
    const w = await v.verify(deliver('{"a":', 'application/json'));
    assert.throws(() => w.payload, (e: unknown) => (e as WebhookVerificationError).code === 'MALFORMED_PAYLOAD');
    await rejectsWith(v.verify(deliver('{"a":', 'application/json'), { parse: true }), 'MALFORMED_PAYLOAD');
    const bad = Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]);
    await rejectsWith(v.verify(request({ 'content-type': 'application/json', ...sign.github({ secret: 'p', body: bad }) }, bad), { parse: true }), 'MALFORMED_PAYLOAD');
  });
  test('MALFORMED_PAYLOAD with parse: true holds no replay reservation', async () => {
    const store = new MemoryReplayStore();
    const r = createVerifier({ scheme: github({ secret: 'p' }), replay: { store } });
    await rejectsWith(r.verify(deliver('{"a":', 'application/json'), { parse: true }), 'MALFORMED_PAYLOAD');
    assert.equal(store.size, 0);
  });
  test('body size limit', async () => {
    const small = createVerifier({ scheme: github({ secret: 'p' }), maxBodyBytes: 10 });
    const e = await rejectsWith(small.verify(deliver('01234567890', 'text/plain')), 'BODY_TOO_LARGE');
    assert.equal(e.status, 413);
  });
});

describe('replay', () => {
  const make = (extra: object = {}) => createVerifier({ scheme: standardWebhooks({ secret: SECRET }), ...extra });
  const h = sign.standardWebhooks({ secret: SECRET, body, id: 'msg_replay' });
  test('reserved -> in flight -> committed -> duplicate (200) ; release lets the retry through', async () => {
    const v = make();
    const first = await v.verify(request(h, body));
    assert.equal(first.replayKey, '-:standardWebhooks:i:msg_replay');
    const e = await rejectsWith(v.verify(request(h, body)), 'REPLAY_IN_FLIGHT');
    assert.equal(e.status, 409);
    await first.release();
    const retry = await v.verify(request(h, body));
    await retry.settle({ status: 200 });
    const d = await rejectsWith(v.verify(request(h, body)), 'DUPLICATE');
    assert.equal(d.status, 200);
  });
  test("duplicates: 'reject' answers 409 REPLAYED", async () => {
    const v = make({ replay: { duplicates: 'reject' } });
    await (await v.verify(request(h, body))).commit();
    await rejectsWith(v.verify(request(h, body)), 'REPLAYED');
  });
  test('settle: 5xx or an error releases, < 500 commits; only the first settle counts', async () => {
    const v = make();
    const a = await v.verify(request(h, body));
    await a.settle({ status: 503 });
    const b = await v.verify(request(h, body));
    await b.settle({ status: 200, error: new Error('handler threw') });
    const c = await v.verify(request(h, body));
    await c.settle({ status: 204 });
    await c.release();
    await rejectsWith(v.verify(request(h, body)), 'DUPLICATE');
  });
  test('100 concurrent verifies of one message: exactly one reservation', async () => {
    const v = make();
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => v.verify(request(h, body))));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as WebhookVerificationError).code] : []));
    assert.equal(ok.length, 1);
    assert.deepEqual([...new Set(codes)], ['REPLAY_IN_FLIGHT']);
  });
  test('replay keys are reserved only after signature and freshness passed', async () => {
    const store = new MemoryReplayStore();
    const v = make({ replay: { store }, now: clock() });
    await rejectsWith(v.verify(request(h, body + 'x')), 'SIGNATURE_MISMATCH');
    await rejectsWith(v.verify(request(sign.standardWebhooks({ secret: SECRET, body, timestamp: T0 / 1000 - 1000 }), body)), 'TIMESTAMP_OUT_OF_TOLERANCE');
    assert.equal(store.size, 0);
  });
  test('a store that throws or hangs fails closed with REPLAY_STORE_UNAVAILABLE', async () => {
    const down = { reserve: async () => { throw new Error('ECONNREFUSED'); }, commit: async () => {}, release: async () => {} };
    await rejectsWith(make({ replay: { store: down } }).verify(request(h, body)), 'REPLAY_STORE_UNAVAILABLE');
    const hang = { reserve: () => new Promise<never>(() => {}), commit: async () => {}, release: async () => {} };
    const e = await rejectsWith(make({ replay: { store: hang, timeoutMs: 30 } }).verify(request(h, body)), 'REPLAY_STORE_UNAVAILABLE');
    assert.equal(e.status, 503);
  });
  test('a full memory store refuses rather than forgetting a live key', async () => {
    const store = new MemoryReplayStore({ maxKeys: 2 });
    const v = make({ replay: { store } });
    const one = async (id: string) => v.verify(request(sign.standardWebhooks({ secret: SECRET, body, id }), body));
    await (await one('a')).commit();
    await one('b');
    await rejectsWith(one('c'), 'REPLAY_STORE_UNAVAILABLE');
    await rejectsWith(one('a'), 'DUPLICATE');
  });
  test('tenants get separate replay keys; tenant ids are encoded', async () => {
    const v = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), tenants: { resolve: fromParam(), lookup: () => ({}) } });
    const a = await v.verify(request(h, body, { params: { tenant: 'a:b' } }));
    const b = await v.verify(request(h, body, { params: { tenant: 'a' } }));
    assert.equal(a.replayKey, 'a%3Ab:standardWebhooks:i:msg_replay');
    assert.notEqual(a.replayKey, b.replayKey);
  });
  test('github replay identity comes from the signature, not the unsigned delivery id', async () => {
    const v = createVerifier({ scheme: github({ secret: 'g' }) });
    const gh = sign.github({ secret: 'g', body, id: 'delivery-1' });
    await (await v.verify(request(gh, body))).commit();
    await rejectsWith(v.verify(request({ ...gh, 'x-github-delivery': 'delivery-2' }, body)), 'DUPLICATE');
  });
  test('replay: false turns it off', async () => {
    const v = make({ replay: false });
    const w = await v.verify(request(h, body));
    assert.equal(w.replayKey, undefined);
    await v.verify(request(h, body));
  });
});

describe('hooks', () => {
  test('onVerified and onRejected are called; a throwing hook changes nothing', async () => {
    const seen: string[] = [];
    const v = createVerifier({
      scheme: standardWebhooks({ secret: SECRET }),
      replay: false,
      onVerified: (w) => { seen.push(`ok:${w.id}`); throw new Error('hook bug'); },
      onRejected: (e) => { seen.push(`no:${e.code}`); throw new Error('hook bug'); },
    });
    const h = sign.standardWebhooks({ secret: SECRET, body, id: 'msg_h' });
    await v.verify(request(h, body));
    await rejectsWith(v.verify(request({}, body)), 'MISSING_SIGNATURE');
    assert.deepEqual(seen, ['ok:msg_h', 'no:MISSING_SIGNATURE']);
  });
});

describe('adapter helpers', () => {
  test('reject() reports an adapter-side rejection to onRejected and returns it', async () => {
    const { verifierFrom } = await import('@hookguard/core');
    const seen: string[] = [];
    const v = verifierFrom({ scheme: github({ secret: 'g' }), onRejected: (e) => seen.push(e.code) });
    const e = new WebhookVerificationError('BODY_TOO_LARGE');
    assert.equal(v.reject(e, request({}, '')), e);
    assert.deepEqual(seen, ['BODY_TOO_LARGE']);
    assert.equal(verifierFrom({ verifier: v }), v);
    // `where` names the verifier in createVerifier's own errors; without it they read as before.
    assert.throws(() => verifierFrom({ scheme: github({ secret: 'g' }), maxBodyBytes: -1 }, 'verifier "x"'), (e: Error) => /^verifier "x": maxBodyBytes/.test(e.message));
    assert.throws(() => verifierFrom({ scheme: github({ secret: 'g' }), maxBodyBytes: -1 }), (e: Error) => /^maxBodyBytes/.test(e.message));
    assert.throws(() => verifierFrom({ verifier: v, scheme: github({ secret: 'g' }) } as never), /not both/);
    assert.throws(() => verifierFrom({ verifier: {} as never }), /createVerifier/);
  });
});

describe('store failures after the handler', () => {
  test('a commit or release that fails or hangs rejects with REPLAY_STORE_UNAVAILABLE, bounded by timeoutMs', async () => {
    const mem = new MemoryReplayStore();
    const hangs = { reserve: (k: string, t: number) => mem.reserve(k, t), commit: () => new Promise<void>(() => {}), release: () => Promise.reject(new Error('down')) };
    const v = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: { store: hangs, timeoutMs: 30 } });
    const a = await v.verify(request(sign.standardWebhooks({ secret: SECRET, body }), body));
    await rejectsWith(a.commit(), 'REPLAY_STORE_UNAVAILABLE');
    const b = await v.verify(request(sign.standardWebhooks({ secret: SECRET, body }), body));
    await rejectsWith(b.release(), 'REPLAY_STORE_UNAVAILABLE');
  });
  test('a MemoryReplayStore subclass is a store like any other: its reserve() is called and its commit is bounded', async () => {
    let reserves = 0;
    class Audited extends MemoryReplayStore {
      override reserve(key: string, ttlMs: number) {
        reserves++;
        return super.reserve(key, ttlMs);
      }
      override commit(): Promise<void> {
        return new Promise<void>(() => {}); // hangs
      }
    }
    const v = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: { store: new Audited(), timeoutMs: 30 } });
    const w = await v.verify(request(sign.standardWebhooks({ secret: SECRET, body }), body));
    assert.equal(reserves, 1, 'the override is not skipped by the built-in store\'s synchronous path');
    await rejectsWith(w.commit(), 'REPLAY_STORE_UNAVAILABLE');
  });
});

describe('header text is compared as the bytes Node received', () => {
  test('a non-ASCII message id (UTF-8 on the wire, latin1 in Node) verifies, v1 and v1a', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const x = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const d = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
    const whsk = 'whsk_' + Buffer.concat([d, x]).toString('base64');
    const v = createVerifier({ scheme: standardWebhooks({ secret: [SECRET, 'whpk_' + x.toString('base64')] }), replay: false });
    for (const secret of [SECRET, whsk]) {
      const h = sign.standardWebhooks({ secret, body, id: 'msg_café_✓' });
      const asNodeSeesIt = { ...h, 'webhook-id': Buffer.from(h['webhook-id']!, 'utf8').toString('latin1') };
      await v.verify(request(asNodeSeesIt, body));
    }
  });
});

describe('replay identity cannot be varied by an attacker', () => {
  const secret = 'whsec_stripe_replay';
  const stripeBody = JSON.stringify({ id: 'evt_1', object: 'event' });
  test('stripe: re-sent with another Content-Type or extra header entries -> the same key', async () => {
    const v = createVerifier({ scheme: stripe({ secret }) });
    const h = sign.stripe({ secret, body: stripeBody });
    await (await v.verify(request({ ...h, 'content-type': 'application/json' }, stripeBody))).commit();
    await rejectsWith(v.verify(request({ ...h, 'content-type': 'text/plain' }, stripeBody)), 'DUPLICATE');
    await rejectsWith(v.verify(request({ 'stripe-signature': `${h['stripe-signature']},x=1` }, stripeBody)), 'DUPLICATE');
  });
  test('stripe without an event id: stripping one of two signatures during a rotation -> the same key', async () => {
    const v = createVerifier({ scheme: stripe({ secret: [secret, 'whsec_older'] }) });
    const raw = 'not json';
    const both = sign.stripe({ secret: [secret, 'whsec_older'], body: raw })['stripe-signature']!;
    const [t, v1new, v1old] = both.split(',');
    await (await v.verify(request({ 'stripe-signature': both }, raw))).commit();
    await rejectsWith(v.verify(request({ 'stripe-signature': `${t},${v1old}` }, raw)), 'DUPLICATE');
    await rejectsWith(v.verify(request({ 'stripe-signature': `${t},${v1new}` }, raw)), 'DUPLICATE');
  });
  test('stripe inside all(): the event id still keys replay', async () => {
    const v = createVerifier({ scheme: all(stripe({ secret })) });
    const first = await v.verify(request(sign.stripe({ secret, body: stripeBody }), stripeBody));
    assert.equal(first.replayKey, '-:stripe:i:evt_1');
  });
  test('github: a copy re-sent with only the SHA-1 header is the same message', async () => {
    const v = createVerifier({ scheme: github({ secret: 'g', allowSha1: true }) });
    const h = sign.github({ secret: 'g', body, sha1: true });
    await (await v.verify(request(h, body))).commit();
    await rejectsWith(v.verify(request({ 'x-hub-signature': h['x-hub-signature']! }, body)), 'DUPLICATE');
  });
  test('all(apiKey with idHeader, standardWebhooks): the signed id keys replay, not the header', async () => {
    const v = createVerifier({ scheme: all(apiKey({ keys: 'k1', idHeader: 'x-request-id' }), standardWebhooks({ secret: SECRET })) });
    const h = { ...sign.apiKey({ key: 'k1' }), ...sign.standardWebhooks({ secret: SECRET, body, id: 'msg_signed' }) };
    await (await v.verify(request({ ...h, 'x-request-id': 'a' }, body))).commit();
    await rejectsWith(v.verify(request({ ...h, 'x-request-id': 'b' }, body)), 'DUPLICATE');
  });
  test('a store that answers an unknown state fails closed', async () => {
    const weird = { reserve: async () => ({ state: 'weird' }) as never, commit: async () => {}, release: async () => {} };
    await rejectsWith(createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: { store: weird } }).verify(request(sign.standardWebhooks({ secret: SECRET, body }), body)), 'REPLAY_STORE_UNAVAILABLE');
    const none = { reserve: async () => undefined as never, commit: async () => {}, release: async () => {} };
    await rejectsWith(createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: { store: none } }).verify(request(sign.standardWebhooks({ secret: SECRET, body }), body)), 'REPLAY_STORE_UNAVAILABLE');
  });
  test('a tenant record with null secrets is a lookup failure (503), not a signature verdict', async () => {
    const v = createVerifier({ scheme: standardWebhooks(), tenants: { resolve: fromParam(), lookup: () => ({ secrets: [null as never] }) } });
    await rejectsWith(v.verify(request(sign.standardWebhooks({ secret: SECRET, body }), body, { params: { tenant: 't' } })), 'TENANT_LOOKUP_FAILED');
  });
  test('hmac: an unsigned timestamp header or adjacent tokens are configuration errors', () => {
    assert.throws(() => hmac({ header: 'x-sig', timestampHeader: 'x-ts', template: '{body}' }), /does not sign \{timestamp\}/);
    assert.throws(() => hmac({ header: 'x-sig', idHeader: 'x-id', timestampHeader: 'x-ts', template: '{id}{timestamp}.{body}' }), /separated/);
  });
});

describe('replay namespace', () => {
  test('two verifiers sharing one store stay apart with namespaces', async () => {
    const store = new MemoryReplayStore();
    const a = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: { store, namespace: 'billing' } });
    const b = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: { store, namespace: 'crm' } });
    const h = sign.standardWebhooks({ secret: SECRET, body, id: 'msg_shared' });
    const w = await a.verify(request(h, body));
    assert.equal(w.replayKey, '-:billing.standardWebhooks:i:msg_shared');
    await w.commit();
    await (await b.verify(request(h, body))).commit();
    assert.throws(() => createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: { namespace: 'a:b' } }), /namespace/);
  });
});

describe('rules adapters share through core', () => {
  test('settle: an answer below 500 commits, whether returned or thrown with a status; 5xx and status-less errors release', async () => {
    const cases: Array<[string, { status?: number; error?: unknown }, 'commit' | 'release']> = [
      ['status 200', { status: 200 }, 'commit'],
      ['status 404', { status: 404 }, 'commit'],
      ['status 500', { status: 500 }, 'release'],
      ['thrown ctx.throw(422)-style error', { error: Object.assign(new Error('x'), { status: 422 }) }, 'commit'],
      ['thrown error with statusCode 400', { error: Object.assign(new Error('x'), { statusCode: 400 }) }, 'commit'],
      ['thrown Nest-style exception, getStatus() 400', { error: { getStatus: () => 400, getResponse: () => ({}) } }, 'commit'],
      ['thrown Nest-style exception, getStatus() 503', { error: { getStatus: () => 503 } }, 'release'],
      ['thrown plain Error', { error: new Error('crash') }, 'release'],
      ['disconnect after a 200 was set', { status: 200, error: new Error('connection closed') }, 'release'],
      ['a status that is not an HTTP status', { error: { status: '400' } }, 'release'],
      ['getStatus that throws', { error: { getStatus: () => { throw new Error('no'); } } }, 'release'],
    ];
    for (const [name, outcome, expected] of cases) {
      const v = createVerifier({ scheme: standardWebhooks({ secret: SECRET }) });
      const d = request(sign.standardWebhooks({ secret: SECRET, body }), body);
      await (await v.verify(d)).settle(outcome);
      const again = v.verify(d);
      if (expected === 'commit') await rejectsWith(again, 'DUPLICATE');
      else assert.equal(typeof (await again).keyId, 'string', `${name}: released, so the copy is processed`);
    }
  });

  test('fromParam reads a wildcard param given as segments (Express 5) as one id', () => {
    const r = fromParam('tenant');
    assert.equal(r({ method: 'POST', url: '/', headers: {}, body: Buffer.alloc(0), params: { tenant: ['acme', 'eu'] } }), 'acme/eu');
    assert.equal(r({ method: 'POST', url: '/', headers: {}, body: Buffer.alloc(0), params: { tenant: 'acme' } }), 'acme');
    assert.equal(r({ method: 'POST', url: '/', headers: {}, body: Buffer.alloc(0), params: { tenant: [] } }), undefined);
    assert.equal(r({ method: 'POST', url: '/', headers: {}, body: Buffer.alloc(0), params: { tenant: [1] as never } }), undefined);
  });
});

describe('onSettleFailed', () => {
  test('a commit or release the store cannot record is reported once, with tenant and scheme; a throwing hook changes nothing', async () => {
    const mem = new MemoryReplayStore();
    const store = { reserve: (k: string, t: number) => mem.reserve(k, t), commit: () => Promise.reject(new Error('down')), release: () => Promise.reject(new Error('down')) };
    const seen: string[] = [];
    const v = createVerifier({
      scheme: standardWebhooks({ secret: SECRET }),
      replay: { store },
      onSettleFailed: (e, w) => {
        seen.push(`${e.code} ${e.scheme} ${w.scheme}`);
        throw new Error('a broken hook');
      },
    });
    const a = await v.verify(request(sign.standardWebhooks({ secret: SECRET, body }), body));
    await rejectsWith(a.settle({ status: 200 }), 'REPLAY_STORE_UNAVAILABLE');
    const b = await v.verify(request(sign.standardWebhooks({ secret: SECRET, body }), body));
    await rejectsWith(b.settle({ status: 500 }), 'REPLAY_STORE_UNAVAILABLE');
    assert.deepEqual(seen, ['REPLAY_STORE_UNAVAILABLE standardWebhooks standardWebhooks', 'REPLAY_STORE_UNAVAILABLE standardWebhooks standardWebhooks']);
    await b.settle({ status: 200 }); // settled already: no second store call, no second report
    assert.equal(seen.length, 2);
  });

  test('the built-in memory store: a clock that is no finite time at commit or release, and a commit replaced on the instance after createVerifier, are reported too', async () => {
    let clock = Date.now();
    let broken = false;
    const mem = new MemoryReplayStore({ now: () => (broken ? Number.NaN : clock) });
    const seen: string[] = [];
    const v = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: { store: mem }, onSettleFailed: (e) => void seen.push(e.code) });
    const a = await v.verify(request(sign.standardWebhooks({ secret: SECRET, body }), body));
    const b = await v.verify(request(sign.standardWebhooks({ secret: SECRET, body }), body));
    broken = true;
    await rejectsWith(a.settle({ status: 200 }), 'REPLAY_STORE_UNAVAILABLE');
    await rejectsWith(b.settle({ status: 503 }), 'REPLAY_STORE_UNAVAILABLE');
    broken = false;
    clock = Date.now();
    const c = await v.verify(request(sign.standardWebhooks({ secret: SECRET, body }), body));
    mem.commit = () => Promise.reject(new Error('instrumented commit failed'));
    await rejectsWith(c.settle({ status: 200 }), 'REPLAY_STORE_UNAVAILABLE');
    assert.deepEqual(seen, ['REPLAY_STORE_UNAVAILABLE', 'REPLAY_STORE_UNAVAILABLE', 'REPLAY_STORE_UNAVAILABLE']);
  });
});

describe('VerifyOptions.prototypeKeys', () => {
  const store = new MemoryReplayStore();
  const v = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: { store } });
  const deliver = (b: string, id: string, prototypeKeys?: { proto: 'error' | 'remove' | 'ignore'; constructor: 'error' | 'remove' | 'ignore' }) =>
    v.verify(request({ ...sign.standardWebhooks({ secret: SECRET, body: b, id }), 'content-type': 'application/json' }, b), prototypeKeys ? { parse: true, prototypeKeys } : { parse: true });
  const ERROR = { proto: 'error', constructor: 'error' } as const;
  for (const [what, b] of [
    ['__proto__', '{"data":{"__proto__":{"isAdmin":true}}}'],
    ['__proto__ spelled with \\u escapes', '{"data":{"\\u005f\\u005fproto\\u005f\\u005f":{"isAdmin":true}}}'],
    ['constructor.prototype', '[{"constructor":{"prototype":{"isAdmin":true}}}]'],
  ] as const) {
    test(`'error': a JSON payload with ${what} is MALFORMED_PAYLOAD before any reservation`, async () => {
      const id = `msg_${what.length}_${b.length}`;
      await rejectsWith(deliver(b, id, ERROR), 'MALFORMED_PAYLOAD');
      // No key was reserved: the same delivery without the rule is accepted (not REPLAY_IN_FLIGHT).
      const w = await deliver(b, id);
      assert.equal(w.id, id);
      await w.release();
    });
  }
  test("'remove' drops the keys; 'ignore' and no rule keep them (JSON.parse's own value)", async () => {
    const b = '{"a":1,"__proto__":{"x":1},"constructor":{"prototype":{}}}';
    const removed = await deliver(b, 'msg_remove', { proto: 'remove', constructor: 'remove' });
    assert.deepEqual(Object.keys(removed.payload as object), ['a']);
    const kept = await deliver(b, 'msg_ignore', { proto: 'ignore', constructor: 'ignore' });
    assert.ok(Object.hasOwn(kept.payload as object, '__proto__'));
    const plain = await deliver(b, 'msg_plain');
    assert.ok(Object.hasOwn(plain.payload as object, '__proto__'));
  });
  test('a form payload (no prototype to set) and a constructor key without prototype pass', async () => {
    const f = 'a=1&__proto__=x';
    const w = await v.verify(request({ ...sign.standardWebhooks({ secret: SECRET, body: f, id: 'msg_form' }), 'content-type': 'application/x-www-form-urlencoded' }, f), { parse: true, prototypeKeys: ERROR });
    assert.equal((w.payload as Record<string, string>)['__proto__'], 'x');
    const c = await deliver('{"constructor":"Car"}', 'msg_ctor', ERROR);
    assert.deepEqual(c.payload, { constructor: 'Car' });
  });
});
