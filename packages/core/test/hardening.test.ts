// Regression tests of the hardening review: each failed on the code before the fix.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  any,
  createVerifier,
  fromParam,
  github,
  hmac,
  MAX_ASYMMETRIC_VERIFICATIONS,
  MAX_ID_LENGTH,
  MAX_TENANT_ID_LENGTH,
  shopify,
  sign,
  slack,
  standardWebhooks,
  stripe,
  toProblem,
  type TenantConfig,
  type WebhookRequest,
} from '@hookguard/core';
import { rejectsWith, request, SECRET } from './helpers.js';

const withParams = (r: WebhookRequest, tenant: string): WebhookRequest => ({ ...r, params: { tenant } });

describe('replay identity does not change under key rotation (item 1)', () => {
  const deliveries: Array<[string, (secret: string) => Record<string, string>, (secrets: string[]) => ReturnType<typeof createVerifier>]> = [
    ['github', (s) => sign.github({ secret: s, body: BODY }), (k) => verifierOf(github(), k)],
    ['shopify', (s) => sign.shopify({ secret: s, body: BODY }), (k) => verifierOf(shopify(), k)],
    ['slack (no event id)', (s) => sign.slack({ secret: s, body: BODY }), (k) => verifierOf(slack(), k)],
    ['stripe (no event id)', (s) => sign.stripe({ secret: s, body: BODY }), (k) => verifierOf(stripe(), k)],
    ['hmac without {id}', (s) => sign.hmac({ scheme: HMAC, secret: s, body: BODY }), (k) => verifierOf(hmac(HMAC), k)],
  ];
  for (const [name, signWith, verifierWith] of deliveries) {
    test(`${name}: the old key, the new key first, keys swapped — one replay key`, async () => {
      const headers = signWith('old-secret');
      const keys: string[][] = [['old-secret'], ['new-secret', 'old-secret'], ['old-secret', 'new-secret']];
      const seen = new Set<string | undefined>();
      for (const k of keys) {
        const w = await verifierWith(k).verify(withParams(request(headers, BODY), 'acme'));
        seen.add(w.replayKey);
      }
      assert.equal(seen.size, 1, `replay keys: ${[...seen].join(', ')}`);
    });
  }

  test('after rotation (new secret first, invalidate()) the captured delivery is a duplicate, not a second run', async () => {
    let secrets = ['old-secret'];
    const v = createVerifier({ scheme: github(), tenants: { resolve: fromParam(), lookup: () => ({ secrets }) } });
    const headers = sign.github({ secret: 'old-secret', body: BODY });
    const first = await v.verify(withParams(request(headers, BODY), 'acme'));
    await first.commit();
    secrets = ['new-secret', 'old-secret'];
    v.invalidate('acme');
    await rejectsWith(v.verify(withParams(request(headers, BODY), 'acme')), 'DUPLICATE');
  });

  test('a static key whose notBefore passes does not change the key', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const v = createVerifier({
      scheme: shopify({ secret: [{ id: 'next', secret: 'next-secret', notBefore: now + 1000 }, { id: 'cur', secret: 'cur-secret' }] }),
      now: () => now,
    });
    const headers = sign.shopify({ secret: 'cur-secret', body: BODY });
    const a = await v.verify(request(headers, BODY));
    await a.commit();
    now += 2000;
    await rejectsWith(v.verify(request(headers, BODY)), 'DUPLICATE');
  });
});

describe('one message through two leaves (item 6)', () => {
  test('any(github(), shopify()) with one secret: a GitHub delivery re-encoded as Shopify is a duplicate', async () => {
    const v = createVerifier({ scheme: any(github({ secret: 'shared' }), shopify({ secret: 'shared' })) });
    const gh = await v.verify(request(sign.github({ secret: 'shared', body: BODY }), BODY));
    await gh.commit();
    const reencoded = sign.shopify({ secret: 'shared', body: BODY });
    await rejectsWith(v.verify(request(reencoded, BODY)), 'DUPLICATE');
    // ...and through the newer un-prefixed Shopify header spelling.
    await rejectsWith(v.verify(request({ 'shopify-hmac-sha256': reencoded['x-shopify-hmac-sha256']! }, BODY)), 'DUPLICATE');
  });

  test('any(github(), hmac()) with one secret: the same signed body has one key', async () => {
    const v = createVerifier({ scheme: any(github({ secret: 'shared' }), hmac({ header: 'x-sig', prefix: 'sha256=', secret: 'shared' })) });
    const headers = sign.github({ secret: 'shared', body: BODY });
    const first = await v.verify(request(headers, BODY));
    await first.commit();
    await rejectsWith(v.verify(request({ 'x-sig': headers['x-hub-signature-256']! }, BODY)), 'DUPLICATE');
  });

  test('leaves that read ids differently may not share a secret: a Stripe delivery re-sent as GitHub would run twice', async () => {
    assert.throws(() => createVerifier({ scheme: any(stripe({ secret: 'shared' }), github({ secret: 'shared' })) }), (e: Error) => e.name === 'WebhookConfigError' && /share a secret/.test(e.message));
    assert.throws(() => createVerifier({ scheme: any(hmac({ header: 'x-sig', idHeader: 'x-id', template: '{id}.{body}', secret: 's' }), shopify({ secret: 's' })) }));
    // From the tenant's record: fail closed, the reason only in the cause.
    const v = createVerifier({ scheme: any(slack(), github()), tenants: { resolve: fromParam(), lookup: () => ({ secrets: ['shared'] }) } });
    const e = await rejectsWith(v.verify(withParams(request(sign.github({ secret: 'shared', body: BODY }), BODY), 'acme')), 'TENANT_LOOKUP_FAILED');
    assert.doesNotMatch(e.detail ?? '', /secret/);
    assert.match((e.cause as Error).message, /slack and github share a secret/);
    // Separate secrets (tagged per scheme) are fine.
    const tagged = createVerifier({
      scheme: any(slack(), github()),
      tenants: { resolve: fromParam(), lookup: () => ({ secrets: [{ secret: 'for-slack', scheme: 'slack' }, { secret: 'for-github', scheme: 'github' }] }) },
    });
    await tagged.verify(withParams(request(sign.github({ secret: 'for-github', body: BODY }), BODY), 'acme'));
  });

  test('github: the SHA-1 and SHA-256 headers of one delivery share a key', async () => {
    const v = createVerifier({ scheme: github({ secret: 's', allowSha1: true }) });
    const body = Buffer.from('{"n":1}');
    const sha1 = `sha1=${createHmac('sha1', 's').update(body).digest('hex')}`;
    await (await v.verify(request(sign.github({ secret: 's', body }), body))).commit();
    await rejectsWith(v.verify(request({ 'x-hub-signature': sha1 }, body)), 'DUPLICATE');
  });
});

describe('one signature, one reading (item 4)', () => {
  test('a Standard Webhooks id holding "." is refused: a longer id plus a shorter body never verifies', async () => {
    const v = createVerifier({ scheme: standardWebhooks({ secret: SECRET }) });
    const body = Buffer.from('abc.{"x":1}');
    const h = sign.standardWebhooks({ secret: SECRET, body, id: 'msg_1' });
    await v.verify(request(h, body));
    // Any id with a dot is refused before a signature is checked: `a.b` + `<ts>.body` and `a` +
    // `b.<ts>...` would otherwise be two readings of one signed text.
    await rejectsWith(v.verify(request({ ...h, 'webhook-id': 'msg.1' }, body)), 'MALFORMED_SIGNATURE');
  });

  test('timestamps are ASCII digits only', async () => {
    const v = createVerifier({ scheme: standardWebhooks({ secret: SECRET }) });
    const h = sign.standardWebhooks({ secret: SECRET, body: BODY });
    for (const ts of [` ${h['webhook-timestamp']}`, `${h['webhook-timestamp']}.0`, '١٢٣', '+1', '1e9'])
      await rejectsWith(v.verify(request({ ...h, 'webhook-timestamp': ts }, BODY)), 'MALFORMED_SIGNATURE');
  });

  test('ids over MAX_ID_LENGTH are refused in every scheme that reads one', async () => {
    const long = 'a'.repeat(MAX_ID_LENGTH + 1);
    const sw = createVerifier({ scheme: standardWebhooks({ secret: SECRET }) });
    await rejectsWith(sw.verify(request(sign.standardWebhooks({ secret: SECRET, body: BODY, id: long }), BODY)), 'MALFORMED_SIGNATURE');
    const gh = createVerifier({ scheme: github({ secret: 's' }) });
    await rejectsWith(gh.verify(request({ ...sign.github({ secret: 's', body: BODY }), 'x-github-delivery': long }, BODY)), 'MALFORMED_SIGNATURE');
    const hm = createVerifier({ scheme: hmac({ header: 'x-sig', idHeader: 'x-id', template: '{id}:{body}', secret: 's' }) });
    const sig = createHmac('sha256', 's').update(`${long}:`).update(BODY).digest('hex');
    await rejectsWith(hm.verify(request({ 'x-sig': sig, 'x-id': long }, BODY)), 'MALFORMED_SIGNATURE');
    // At the cap it is accepted, and the replay key stays bounded.
    const ok = 'b'.repeat(MAX_ID_LENGTH);
    const w = await sw.verify(request(sign.standardWebhooks({ secret: SECRET, body: BODY, id: ok }), BODY));
    assert.ok(w.replayKey!.length <= 256, `replay key of ${w.replayKey!.length} characters`);
  });
});

describe('tenant spellings (item 5)', () => {
  const rows = new Map<string, TenantConfig>([['acme', { id: 'acme', secrets: ['tenant-secret'] }]]);
  // A case-insensitive collation, as many databases have.
  const lookup = (id: string) => rows.get(id.toLowerCase());

  test('/hooks/acme, /hooks/ACME and /hooks/Acme share one replay key: the handler runs once', async () => {
    let calls = 0;
    const v = createVerifier({ scheme: github(), tenants: { resolve: fromParam(), lookup: (id) => (calls++, lookup(id)) } });
    const headers = sign.github({ secret: 'tenant-secret', body: BODY });
    const first = await v.verify(withParams(request(headers, BODY), 'acme'));
    assert.equal(first.tenant, 'acme');
    await first.commit();
    for (const spelling of ['ACME', 'Acme']) await rejectsWith(v.verify(withParams(request(headers, BODY), spelling)), 'DUPLICATE');
    assert.ok(calls >= 1);
  });

  test('tenant ids over the cap, with control characters or lone surrogates are UNKNOWN_TENANT without a lookup', async () => {
    let calls = 0;
    const v = createVerifier({ scheme: github(), tenants: { resolve: fromParam(), lookup: () => (calls++, undefined) } });
    const headers = sign.github({ secret: 'x', body: BODY });
    for (const id of ['a'.repeat(MAX_TENANT_ID_LENGTH + 1), 'acme\n', 'ac\u0000me', 'a\u007f', '\ud800acme'])
      await rejectsWith(v.verify(withParams(request(headers, BODY), id)), 'UNKNOWN_TENANT');
    assert.equal(calls, 0);
  });
});

describe('prototype names and function-valued lookups (item 10)', () => {
  test('constructor, toString, hasOwnProperty, valueOf, __proto__ are 404 with a plain-object lookup', async () => {
    const tenants: Record<string, TenantConfig> = { acme: { secrets: ['s'] } };
    const v = createVerifier({ scheme: github(), tenants: { resolve: fromParam(), lookup: (id) => tenants[id] } });
    const headers = sign.github({ secret: 's', body: BODY });
    for (const id of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', '__defineGetter__'])
      await rejectsWith(v.verify(withParams(request(headers, BODY), id)), 'UNKNOWN_TENANT');
    await v.verify(withParams(request(headers, BODY), 'acme'));
  });
});

describe('no details about our configuration in the public answer (item 11)', () => {
  for (const [what, secrets] of [
    ['a whsec_ secret that decodes to 8 bytes', ['whsec_' + randomBytes(8).toString('base64')]],
    ['a secret with whitespace', [' whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw ']],
  ] as const) {
    test(`${what}: 503 that says the endpoint is misconfigured; the reason only in error.cause`, async () => {
      const v = createVerifier({ scheme: standardWebhooks(), tenants: { resolve: fromParam(), lookup: () => ({ secrets: [...secrets] }) } });
      const e = await rejectsWith(v.verify(withParams(request(sign.standardWebhooks({ secret: SECRET, body: BODY }), BODY), 'acme')), 'TENANT_LOOKUP_FAILED');
      const problem = JSON.stringify(toProblem(e));
      assert.doesNotMatch(problem, /bytes|whitespace|secret|key|whsec/i);
      assert.match(problem, /misconfigured/);
      assert.match(String((e.cause as Error).message), /bytes|whitespace/);
    });
  }
});

describe('bounded asymmetric work (item 7)', () => {
  const pair = () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' }) as { d: string; x: string };
    const x = Buffer.from(jwk.x, 'base64url');
    return { whpk: `whpk_${x.toString('base64')}`, whsk: `whsk_${Buffer.concat([Buffer.from(jwk.d, 'base64url'), x]).toString('base64')}` };
  };

  test(`at most ${MAX_ASYMMETRIC_VERIFICATIONS} Ed25519 verifications per request: a valid signature past the budget is not tried`, async () => {
    assert.equal(MAX_ASYMMETRIC_VERIFICATIONS, 2);
    const k = pair();
    const other = pair();
    const v = createVerifier({ scheme: standardWebhooks({ secret: k.whpk }), replay: false });
    const h = sign.standardWebhooks({ secret: k.whsk, body: BODY });
    const bogus = sign.standardWebhooks({ secret: other.whsk, body: BODY, id: h['webhook-id']!, timestamp: Number(h['webhook-timestamp']) })['webhook-signature']!;
    await v.verify(request(h, BODY));
    await v.verify(request({ ...h, 'webhook-signature': `${bogus} ${h['webhook-signature']}` }, BODY)); // 2nd try: within budget
    await rejectsWith(v.verify(request({ ...h, 'webhook-signature': `${bogus} ${bogus} ${h['webhook-signature']}` }, BODY)), 'SIGNATURE_MISMATCH');
    const flood = Array.from({ length: 16 }, () => bogus).join(' ');
    await rejectsWith(v.verify(request({ ...h, 'webhook-signature': flood }, BODY)), 'SIGNATURE_MISMATCH');
  });

  test('rotation: two public keys (new first) and one signature by the old key still verify', async () => {
    const oldKey = pair();
    const newKey = pair();
    const v = createVerifier({ scheme: standardWebhooks({ secret: [newKey.whpk, oldKey.whpk] }), replay: false });
    const w = await v.verify(request(sign.standardWebhooks({ secret: oldKey.whsk, body: BODY }), BODY));
    assert.equal(w.keyId, 'key-1');
    // The sender signing with both, in either order, verifies against the new key alone.
    const only = createVerifier({ scheme: standardWebhooks({ secret: oldKey.whpk }), replay: false });
    await only.verify(request(sign.standardWebhooks({ secret: [newKey.whsk, oldKey.whsk], body: BODY }), BODY));
  });
});

const BODY = Buffer.from('{"id":"no-event-id-here","amount":4200}'.replace('"id"', '"ref"'));
const HMAC = { header: 'x-signature', idHeader: 'x-delivery' } as const;

function verifierOf(scheme: ReturnType<typeof github>, secrets: string[]) {
  return createVerifier({ scheme, tenants: { resolve: fromParam(), lookup: () => ({ secrets }) }, toleranceSec: 1e9 });
}
