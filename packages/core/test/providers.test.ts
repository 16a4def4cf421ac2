// The provider presets (pagerduty, docusign, paddle, square, zoom, linear, mailgun, gitlab, intercom,
// bitbucket): every single-byte change of the body and of the signed headers is refused with the code it
// should get; rotation with several signatures; bounded lists; one replay key whatever key order, header
// spelling or number of signatures; freshness; no secret in any rejection.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import {
  createVerifier,
  docusign,
  fromParam,
  gitlab,
  isWebhookVerificationError,
  linear,
  mailgun,
  MAX_ID_LENGTH,
  paddle,
  pagerduty,
  rejectionResponse,
  sign,
  square,
  toProblem,
  zoom,
  zoomUrlValidation,
  type ReplayStore,
  type VerifierOptions,
  type WebhookErrorCode,
  type WebhookRequest,
} from '@hookguard/core';
import { rejectsWith } from './helpers.js';
import { classAt, mutateChar, NOW_MS, NOW_S, PRESETS, SQUARE_URL, type Preset } from './lib/providers.js';

const EVENT = { id: 'notif_1', event_id: 'evt_1', type: 'thing.happened', note: 'ü€ a.b,c;d=e "f"' };
const SECRET = 'provider-secret-0123456789';
const OTHER = 'provider-secret-other-9876';

function openStore(): ReplayStore {
  return { reserve: () => Promise.resolve({ state: 'reserved', token: 't' }), commit: () => Promise.resolve(), release: () => Promise.resolve() };
}
function verifier(p: Preset, secret: unknown = SECRET, extra: Partial<VerifierOptions> = {}) {
  return createVerifier({ scheme: p.make(secret as never), replay: { store: openStore() }, now: () => NOW_MS, ...extra } as VerifierOptions);
}
const req = (headers: Record<string, string | string[]>, body: Buffer, extra: Partial<WebhookRequest> = {}): WebhookRequest => ({ method: 'POST', url: '/hooks', headers, body, ...extra });

describe('every single-byte change of a signed delivery is refused with its code', () => {
  for (const p of PRESETS) {
    test(`${p.name}: each body byte`, async () => {
      const v = verifier(p);
      const d = p.deliver([SECRET], EVENT, NOW_S);
      await v.verify(req(d.headers, d.body));
      if (!p.bodySigned) return; // mailgun and gitlab: below
      for (let i = 0; i < d.body.length; i++) {
        const m = Buffer.from(d.body);
        m[i] = m[i] === 0x41 ? 0x42 : 0x41;
        await rejectsWith(v.verify(req(d.headers, m)), 'SIGNATURE_MISMATCH');
      }
    });

    test(`${p.name}: each byte of each signed header (a digest or timestamp digit: SIGNATURE_MISMATCH; syntax: MALFORMED_SIGNATURE)`, async () => {
      const v = verifier(p);
      const d = p.deliver([SECRET], EVENT, NOW_S);
      const spans = p.spans(d.headers);
      let changed = 0;
      for (const [name, parts] of Object.entries(spans)) {
        const value = d.headers[name]!;
        for (let i = 0; i < value.length; i++) {
          const kind = classAt(parts, i);
          const headers = { ...d.headers, [name]: mutateChar(value, i, kind) };
          const expected: WebhookErrorCode = kind === undefined ? 'MALFORMED_SIGNATURE' : 'SIGNATURE_MISMATCH';
          const e = await rejectsWith(v.verify(req(headers, d.body)), expected).catch((err: Error) => {
            throw new Error(`${name}[${i}] (${kind ?? 'syntax'}) of ${JSON.stringify(value)}: ${err.message}`);
          });
          assert.ok(e);
          changed++;
        }
      }
      if (p.name !== 'mailgun') assert.ok(changed > 0);
    });
  }

  test('mailgun: each byte of the signed timestamp, token and signature in a JSON body; the rest of the body is not signed', async () => {
    const p = PRESETS.find((x) => x.name === 'mailgun')!;
    const v = verifier(p);
    const d = p.deliver([SECRET], EVENT, NOW_S);
    const o = JSON.parse(d.body.toString()) as { signature: Record<string, string>; 'event-data': unknown };
    for (const [field, kind] of [['timestamp', 'digits'], ['token', 'token'], ['signature', 'hex']] as const) {
      const value = o.signature[field]!;
      for (let i = 0; i < value.length; i++) {
        const body = Buffer.from(JSON.stringify({ ...o, signature: { ...o.signature, [field]: mutateChar(value, i, kind, i === 0) } }));
        await rejectsWith(v.verify(req(d.headers, body)), 'SIGNATURE_MISMATCH');
      }
    }
    // What Mailgun does not sign verifies whatever it holds: the README says so; the token still runs it once.
    const forged = Buffer.from(JSON.stringify({ ...o, 'event-data': { event: 'delivered', id: 'anything' } }));
    const w = await v.verify(req(d.headers, forged));
    assert.equal(w.replayKey, `-:mailgun:i:${o.signature.token}`);
  });

  test('gitlab: each byte of the token is SIGNATURE_MISMATCH; the body and the idempotency key are not signed', async () => {
    const p = PRESETS.find((x) => x.name === 'gitlab')!;
    const v = verifier(p);
    const d = p.deliver([SECRET], EVENT, NOW_S);
    const w = await v.verify(req({ ...d.headers, 'idempotency-key': 'another' }, Buffer.from('{"x":1}')));
    assert.equal(w.replayKey, '-:gitlab:i:another');
  });
});

describe('rotation: several signatures, several keys, one replay key', () => {
  for (const p of PRESETS) {
    test(`${p.name}: old key, new key first, swapped, named${p.multi ? ', signed by both keys in either order' : ''}`, async () => {
      const d = p.deliver([SECRET], EVENT, NOW_S);
      const keys: unknown[] = [[SECRET], [OTHER, SECRET], [SECRET, OTHER], [{ id: 'next', secret: OTHER }, { id: 'cur', secret: SECRET }]];
      const seen = new Set<string | undefined>();
      for (const k of keys) seen.add((await verifier(p, k).verify(req(d.headers, d.body))).replayKey);
      if (p.multi) {
        for (const signers of [[OTHER, SECRET], [SECRET, OTHER]]) {
          const both = p.deliver(signers, EVENT, NOW_S);
          seen.add((await verifier(p, [SECRET]).verify(req(both.headers, both.body))).replayKey);
          seen.add((await verifier(p, [OTHER]).verify(req(both.headers, both.body))).replayKey);
        }
      }
      assert.equal(seen.size, 1, [...seen].join(' '));
      const [key] = [...seen];
      if (p.idField === 'event_id') assert.equal(key, `-:${p.name}:i:evt_1`);
      if (p.idField === 'id') assert.equal(key, `-:${p.name}:i:notif_1`);
      const named = await verifier(p, [{ id: 'next', secret: OTHER }, { id: 'cur', secret: SECRET }]).verify(req(d.headers, d.body));
      assert.equal(named.keyId, 'cur');
    });

    test(`${p.name}: header names in any case and one-element arrays keep the key; a header sent twice is MALFORMED_SIGNATURE`, async () => {
      const v = verifier(p);
      const d = p.deliver([SECRET], EVENT, NOW_S);
      const ref = (await v.verify(req(d.headers, d.body))).replayKey;
      const upper = Object.fromEntries(Object.entries(d.headers).map(([k, x]) => [k.toUpperCase(), x]));
      assert.equal((await v.verify(req(upper, d.body))).replayKey, ref);
      const arrays = Object.fromEntries(Object.entries(d.headers).map(([k, x]) => [k, [x]]));
      assert.equal((await v.verify(req(arrays, d.body))).replayKey, ref);
      for (const name of Object.keys(p.spans(d.headers))) await rejectsWith(v.verify(req({ ...d.headers, [name]: [d.headers[name]!, d.headers[name]!] }, d.body)), 'MALFORMED_SIGNATURE');
    });

    test(`${p.name}: tenants — the key comes from the tenant, /hooks/ACME and /hooks/acme share the replay key`, async () => {
      const v = createVerifier({ scheme: p.make(), replay: { store: openStore() }, now: () => NOW_MS, tenants: { resolve: fromParam(), lookup: (id) => (id.toLowerCase() === 'acme' ? { id: 'acme', secrets: [SECRET] } : undefined) } });
      const d = p.deliver([SECRET], EVENT, NOW_S);
      const a = await v.verify(req(d.headers, d.body, { params: { tenant: 'acme' } }));
      const b = await v.verify(req(d.headers, d.body, { params: { tenant: 'ACME' } }));
      assert.equal(b.replayKey, a.replayKey);
      assert.ok(a.replayKey!.startsWith('acme:'));
      const other = p.deliver([OTHER], EVENT, NOW_S);
      await rejectsWith(v.verify(req(other.headers, other.body, { params: { tenant: 'acme' } })), 'SIGNATURE_MISMATCH');
    });

    if (p.timestamped) {
      test(`${p.name}: a signed timestamp outside the tolerance is refused both ways; at the edge it verifies`, async () => {
        const v = verifier(p, SECRET, { toleranceSec: 300 });
        for (const off of [301, -301, 3600]) {
          const d = p.deliver([SECRET], EVENT, NOW_S - off);
          await rejectsWith(v.verify(req(d.headers, d.body)), 'TIMESTAMP_OUT_OF_TOLERANCE');
        }
        for (const off of [300, -299]) {
          const d = p.deliver([SECRET], EVENT, NOW_S - off);
          await v.verify(req(d.headers, d.body));
        }
      });
    }
  }
});

describe('bounded lists', () => {
  test('pagerduty: more than 4 v1 signatures, or more than 16 entries, is MALFORMED_SIGNATURE; 4 verify', async () => {
    const v = verifier(PRESETS.find((p) => p.name === 'pagerduty')!);
    const body = Buffer.from('{}');
    const good = sign.pagerduty({ secret: SECRET, body })['x-pagerduty-signature']!;
    const bogus = (n: number) => Array.from({ length: n }, (_, i) => `v1=${createHmac('sha256', `x${i}`).update(body).digest('hex')}`);
    await v.verify(req({ 'x-pagerduty-signature': [...bogus(3), good].join(',') }, body));
    await rejectsWith(v.verify(req({ 'x-pagerduty-signature': [...bogus(4), good].join(',') }, body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(req({ 'x-pagerduty-signature': [good, ...Array.from({ length: 16 }, () => 'v0=zz')].join(',') }, body)), 'MALFORMED_SIGNATURE');
    await v.verify(req({ 'x-pagerduty-signature': [good, ...Array.from({ length: 15 }, () => 'v9=zz')].join(',') }, body));
  });

  test('paddle: more than 4 h1, a second ts, or more than 16 entries is MALFORMED_SIGNATURE', async () => {
    const v = verifier(PRESETS.find((p) => p.name === 'paddle')!);
    const body = Buffer.from('{"event_id":"evt_1"}');
    const h = sign.paddle({ secret: [SECRET, 'b', 'c', 'd'], body, timestamp: NOW_S })['paddle-signature']!;
    await v.verify(req({ 'paddle-signature': h }, body));
    await rejectsWith(v.verify(req({ 'paddle-signature': `${h};h1=${'0'.repeat(64)}` }, body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(req({ 'paddle-signature': `${h};ts=${NOW_S}` }, body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(req({ 'paddle-signature': `${h}${';x=1'.repeat(12)}` }, body)), 'MALFORMED_SIGNATURE');
  });

  test('docusign: X-DocuSign-Signature-1..16 by default (the match may be the 16th), 17 is MALFORMED_SIGNATURE; maxSignatures up to 100', async () => {
    const body = Buffer.from('{"envelopeId":"e1"}');
    const others = Array.from({ length: 15 }, (_, i) => `other-${i}`);
    await verifier(PRESETS.find((p) => p.name === 'docusign')!).verify(req(sign.docusign({ secret: [...others, SECRET], body }), body));
    await rejectsWith(verifier(PRESETS.find((p) => p.name === 'docusign')!).verify(req(sign.docusign({ secret: [...others, 'x', SECRET], body }), body)), 'MALFORMED_SIGNATURE');
    const wide = createVerifier({ scheme: docusign({ secret: SECRET, maxSignatures: 100 }), replay: false });
    await wide.verify(req(sign.docusign({ secret: [...Array.from({ length: 99 }, (_, i) => `o${i}`), SECRET], body }), body));
    assert.throws(() => docusign({ maxSignatures: 101 }), /maxSignatures/);
    // Numbered without gaps: a -2 without a -1 is no signature at all.
    await rejectsWith(wide.verify(req({ 'x-docusign-signature-2': sign.docusign({ secret: SECRET, body })['x-docusign-signature-1']! }, body)), 'MISSING_SIGNATURE');
  });

  test('mailgun: a signature object over 4 KiB, a field sent twice in a form, a non-object signature are MALFORMED_SIGNATURE', async () => {
    const v = createVerifier({ scheme: mailgun({ secret: SECRET }), replay: false, now: () => NOW_MS });
    const s = sign.mailgun({ secret: SECRET, timestamp: NOW_S });
    await rejectsWith(v.verify(req({}, Buffer.from(JSON.stringify({ signature: { ...s, pad: 'x'.repeat(5000) } })))), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(req({}, Buffer.from(`${new URLSearchParams(s)}&token=${s.token}`))), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(req({}, Buffer.from(JSON.stringify({ signature: [s] })))), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(req({}, Buffer.from(`{"signature":${JSON.stringify(s)},"signature":${JSON.stringify(s)}}`))), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(req({}, Buffer.from(JSON.stringify({ 'event-data': {} })))), 'MISSING_SIGNATURE');
  });

  test('ids are capped at 256 characters: Linear-Delivery, X-Webhook-Id, Idempotency-Key, a Mailgun token', async () => {
    const long = 'x'.repeat(MAX_ID_LENGTH + 1);
    const body = Buffer.from(JSON.stringify({ webhookTimestamp: NOW_MS }));
    const now = () => NOW_MS;
    await rejectsWith(createVerifier({ scheme: linear({ secret: SECRET }), now }).verify(req(sign.linear({ secret: SECRET, body, id: long }), body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(createVerifier({ scheme: pagerduty({ secret: SECRET }) }).verify(req(sign.pagerduty({ secret: SECRET, body, id: long }), body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(createVerifier({ scheme: gitlab({ secret: SECRET }) }).verify(req(sign.gitlab({ token: SECRET, id: long }), body)), 'MALFORMED_SIGNATURE');
    const s = sign.mailgun({ secret: SECRET, timestamp: NOW_S, token: long });
    await rejectsWith(createVerifier({ scheme: mailgun({ secret: SECRET }), now }).verify(req({}, Buffer.from(JSON.stringify({ signature: s })))), 'MALFORMED_SIGNATURE');
    const ok = sign.gitlab({ token: SECRET, id: 'y'.repeat(MAX_ID_LENGTH) });
    assert.ok((await createVerifier({ scheme: gitlab({ secret: SECRET }) }).verify(req(ok, body))).replayKey!.length <= 256);
  });
});

describe('per provider', () => {
  test('linear: freshness from webhookTimestamp in the signed body (ms, digits only, once); none is MALFORMED_SIGNATURE', async () => {
    const v = createVerifier({ scheme: linear({ secret: SECRET }), replay: false, now: () => NOW_MS });
    const signed = (text: string) => req(sign.linear({ secret: SECRET, body: text }), Buffer.from(text));
    assert.equal((await v.verify(signed(`{"action":"create","data":{"webhookTimestamp":1},"webhookTimestamp":${NOW_MS}}`))).timestamp, NOW_S);
    assert.equal((await v.verify(signed(`\ufeff { "webhook\\u0054imestamp" : ${NOW_MS - 5000} }`))).timestamp, NOW_S - 5);
    for (const t of [`"${NOW_MS}"`, `${NOW_MS}.0`, `1.8e12`, `-${NOW_MS}`, `0${NOW_MS}`, 'null', '[]'])
      await rejectsWith(v.verify(signed(`{"webhookTimestamp":${t}}`)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(signed(`{"data":{"webhookTimestamp":${NOW_MS}}}`)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(signed(`{"webhookTimestamp":${NOW_MS},"webhookTimestamp":${NOW_MS}}`)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(signed(`{"webhookTimestamp":${NOW_MS - 3_600_000}}`)), 'TIMESTAMP_OUT_OF_TOLERANCE');
    await rejectsWith(v.verify(signed(`[{"webhookTimestamp":${NOW_MS}}]`)), 'MALFORMED_SIGNATURE');
    // A string value holding the name is no member.
    await rejectsWith(v.verify(signed(`{"note":"\\"webhookTimestamp\\":${NOW_MS}"}`)), 'MALFORMED_SIGNATURE');
  });

  test('mailgun: JSON and form bodies of one signature share the replay key (the token); parent-signature; 10-digit timestamps only', async () => {
    const v = createVerifier({ scheme: mailgun({ secret: SECRET }), replay: { store: openStore() }, now: () => NOW_MS });
    const s = sign.mailgun({ secret: SECRET, timestamp: NOW_S });
    const a = await v.verify(req({ 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ signature: s, 'event-data': { event: 'opened' } }))));
    const b = await v.verify(req({ 'content-type': 'application/x-www-form-urlencoded' }, Buffer.from(`${new URLSearchParams({ ...s, event: 'opened' })}`)));
    const c = await v.verify(req({}, Buffer.from(JSON.stringify({ signature: { ...s, timestamp: Number(s.timestamp) } }))));
    assert.equal(a.replayKey, `-:mailgun:i:${s.token}`);
    assert.equal(b.replayKey, a.replayKey);
    assert.equal(c.replayKey, a.replayKey);
    assert.equal(a.id, s.token);
    assert.equal(a.timestamp, NOW_S);
    // A subaccount's event, signed with the parent account's key.
    const parent = sign.mailgun({ secret: 'parent-key', timestamp: NOW_S, token: s.token });
    const pv = createVerifier({ scheme: mailgun({ secret: 'parent-key' }), replay: false, now: () => NOW_MS });
    await pv.verify(req({}, Buffer.from(JSON.stringify({ signature: { ...s, 'parent-signature': parent.signature } }))));
    // timestamp + token has one split only: the timestamp is exactly 10 digits.
    const mac = (ts: string, token: string) => createHmac('sha256', SECRET).update(ts + token).digest('hex');
    const wide = createVerifier({ scheme: mailgun({ secret: SECRET }), replay: false, toleranceSec: 1e10, now: () => NOW_MS });
    for (const [ts, token] of [['180000000', '01abc'], ['18000000001', 'abc'], ['0180000000', 'x'], [' 1800000000', 'x']] as const)
      await rejectsWith(wide.verify(req({}, Buffer.from(JSON.stringify({ signature: { timestamp: ts, token, signature: mac(ts, token) } })))), 'MALFORMED_SIGNATURE');
    for (const token of ['with space', 'é', '']) await rejectsWith(wide.verify(req({}, Buffer.from(JSON.stringify({ signature: { timestamp: s.timestamp!, token, signature: mac(s.timestamp!, token) } })))), 'MALFORMED_SIGNATURE');
  });

  test('square: the notification URL is signed (another URL, or the URL of another tenant, is SIGNATURE_MISMATCH); a function per tenant; UTF-8 URLs', async () => {
    const body = Buffer.from('{"event_id":"e-1"}');
    const h = sign.square({ secret: SECRET, notificationUrl: SQUARE_URL, body });
    await createVerifier({ scheme: square({ notificationUrl: SQUARE_URL, secret: SECRET }) }).verify(req(h, body));
    await rejectsWith(createVerifier({ scheme: square({ notificationUrl: `${SQUARE_URL}x`, secret: SECRET }) }).verify(req(h, body)), 'SIGNATURE_MISMATCH');
    const perTenant = createVerifier({
      scheme: square({ notificationUrl: (t) => `https://hooks.example.com/square/${t}` }),
      tenants: { resolve: fromParam(), lookup: (id) => ({ secrets: [SECRET], id }) },
    });
    const acme = sign.square({ secret: SECRET, notificationUrl: 'https://hooks.example.com/square/acme', body });
    await perTenant.verify(req(acme, body, { params: { tenant: 'acme' } }));
    await rejectsWith(perTenant.verify(req(acme, body, { params: { tenant: 'globex' } })), 'SIGNATURE_MISMATCH');
    const unicode = 'https://hooks.example.com/süd/€';
    await createVerifier({ scheme: square({ notificationUrl: unicode, secret: SECRET }) }).verify(req(sign.square({ secret: SECRET, notificationUrl: unicode, body }), body));
    assert.throws(() => square({ notificationUrl: 'not a url' }), /notificationUrl/);
    assert.throws(() => square({} as never), /notificationUrl/);
    const broken = createVerifier({ scheme: square({ notificationUrl: () => 'nope' }), tenants: { resolve: fromParam(), lookup: () => ({ secrets: [SECRET] }) } });
    const e = await rejectsWith(broken.verify(req(acme, body, { params: { tenant: 'acme' } })), 'TENANT_LOOKUP_FAILED');
    assert.ok(!e.message.includes('nope'));
  });

  test('gitlab: the secret token stored hashed ({ sha256 }) or plain; compared by digest; no id, no replay', async () => {
    const digest = createHmac('sha256', 'unused').update('').digest('hex'); // a well-formed digest of something else
    const hashed = createVerifier({ scheme: gitlab({ secret: [{ id: 'old', sha256: digest }, { id: 'cur', sha256: createHash256(SECRET) }] }) });
    const w = await hashed.verify(req(sign.gitlab({ token: SECRET, id: 'i-1' }), Buffer.from('{}')));
    assert.equal(w.keyId, 'cur');
    assert.equal(w.id, 'i-1');
    await rejectsWith(hashed.verify(req({ 'x-gitlab-token': `${SECRET}x` }, Buffer.from('{}'))), 'SIGNATURE_MISMATCH');
    await rejectsWith(hashed.verify(req({}, Buffer.from('{}'))), 'MISSING_SIGNATURE');
    const noId = await hashed.verify(req({ 'x-gitlab-token': SECRET }, Buffer.from('{}')));
    assert.equal(noId.replayKey, undefined);
    const uuid = await hashed.verify(req({ 'x-gitlab-token': SECRET, 'x-gitlab-event-uuid': 'ev-9' }, Buffer.from('{}')));
    assert.equal(uuid.replayKey, '-:gitlab:i:ev-9');
    assert.throws(() => gitlab({ secret: { sha256: 'abc' } }), /sha256/);
  });

  test('zoom: zoomUrlValidation answers the endpoint.url_validation challenge of a verified delivery', async () => {
    const body = Buffer.from(JSON.stringify({ event: 'endpoint.url_validation', payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, event_ts: NOW_MS }));
    const w = await createVerifier({ scheme: zoom({ secret: SECRET }), now: () => NOW_MS }).verify(req({ ...sign.zoom({ secret: SECRET, body, timestamp: NOW_S }), 'content-type': 'application/json' }, body));
    const answer = zoomUrlValidation({ payload: w.payload, secret: SECRET });
    assert.deepEqual(answer, { plainToken: 'qgg8vlvZRS6UYooatFL8Aw', encryptedToken: createHmac('sha256', SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex') });
    assert.equal(zoomUrlValidation({ payload: { event: 'meeting.started', payload: {} }, secret: SECRET }), undefined);
    assert.equal(zoomUrlValidation({ payload: { event: 'endpoint.url_validation', payload: { plainToken: 'x'.repeat(257) } }, secret: SECRET }), undefined);
    assert.equal(zoomUrlValidation({ payload: null, secret: SECRET }), undefined);
    assert.throws(() => zoomUrlValidation({ payload: {}, secret: '' }), /secret/);
  });

  test('paddle and zoom: timestamps are ASCII digits only, though signed', async () => {
    const body = Buffer.from('{}');
    for (const ts of [`+${NOW_S}`, `${NOW_S}.0`, '\u0661\u0662', `${NOW_S}x`, '']) {
      const ph = `ts=${ts};h1=${createHmac('sha256', SECRET).update(`${ts}:`).update(body).digest('hex')}`;
      await rejectsWith(createVerifier({ scheme: paddle({ secret: SECRET }), toleranceSec: 1e9 }).verify(req({ 'paddle-signature': ph }, body)), 'MALFORMED_SIGNATURE');
      const zh = { 'x-zm-request-timestamp': ts, 'x-zm-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:`).update(body).digest('hex')}` };
      await rejectsWith(createVerifier({ scheme: zoom({ secret: SECRET }), toleranceSec: 1e9 }).verify(req(zh, body)), 'MALFORMED_SIGNATURE');
    }
  });
});

const createHash256 = (s: string) => createHash('sha256').update(s).digest('hex');

test('no rejection of any preset holds a secret or an expected signature', async () => {
  const logged: string[] = [];
  let rejections = 0;
  for (const p of PRESETS) {
    const v = createVerifier({ scheme: p.make(SECRET), now: () => NOW_MS, onRejected: (e) => logged.push(String(e), JSON.stringify(e)) });
    const good = p.deliver([SECRET], EVENT, NOW_S);
    const wrong = p.deliver([OTHER], EVENT, NOW_S);
    const stale = p.deliver([SECRET], EVENT, NOW_S - 10_000);
    const expected = [SECRET, ...Object.values(good.headers), good.body.toString().match(/"signature":"([0-9a-f]{64})"/)?.[1] ?? SECRET];
    const attempts: WebhookRequest[] = [req(wrong.headers, wrong.body)];
    // Mailgun and GitLab sign no body: a changed body is no attempt at them (the token is, below).
    if (p.bodySigned) attempts.push(req(good.headers, Buffer.concat([good.body, Buffer.from(' ')])), req({}, good.body));
    if (p.name === 'mailgun') attempts.push(req({}, Buffer.from(good.body.toString().replace(/"token":"tok/, '"token":"toc'))));
    if (p.name === 'gitlab') attempts.push(req({ ...good.headers, 'x-gitlab-token': `${SECRET}x` }, good.body));
    if (p.timestamped) attempts.push(req(stale.headers, stale.body));
    for (const r of attempts) {
      try {
        await v.verify(r);
        assert.fail(`${p.name}: should reject`);
      } catch (e) {
        assert.ok(isWebhookVerificationError(e), String(e));
        rejections++;
        const shown = [e.message, e.detail ?? '', JSON.stringify(e), JSON.stringify(toProblem(e)), JSON.stringify(rejectionResponse(e))].join('\n');
        for (const s of expected) if (s.length >= 16) assert.ok(!shown.includes(s), `${p.name} ${e.code} shows ${s.slice(0, 12)}...`);
        // The signature the true key makes for the attempted bytes.
        for (const enc of ['hex', 'base64'] as const) assert.ok(!shown.includes(createHmac('sha256', SECRET).update(r.body).digest(enc)));
      }
    }
  }
  for (const line of logged) assert.ok(!line.includes(SECRET));
  assert.ok(rejections >= 30, String(rejections));
});
