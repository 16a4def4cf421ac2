// discord(): Ed25519 over X-Signature-Timestamp + body, the application's hex public key; interop
// with discord-interactions (verifyKey) both ways, and with WebCrypto signing as Discord does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, webcrypto, type KeyObject } from 'node:crypto';
import { verifyKey } from 'discord-interactions';
import { any, createVerifier, discord, fromParam, MAX_ASYMMETRIC_VERIFICATIONS, sign, standardWebhooks, WebhookConfigError } from '@hookguard/core';
import { rejectsWith, request } from './helpers.js';

function pair(): { privateKey: KeyObject; publicKey: KeyObject; hex: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const hex = Buffer.from((publicKey.export({ format: 'jwk' }) as { x: string }).x, 'base64url').toString('hex');
  return { privateKey, publicKey, hex };
}
const app = pair();
const body = JSON.stringify({ id: '1234567890', type: 1, application_id: '42', token: 'tok', version: 1 });
const now = () => Math.floor(Date.now() / 1000);

describe('discord()', () => {
  test('a signed interaction verifies: timestamp, keyId, a replay key from the signed bytes', async () => {
    const v = createVerifier({ scheme: discord({ publicKey: app.hex }) });
    const h = sign.discord({ privateKey: app.privateKey, body });
    const w = await v.verify(request({ ...h, 'content-type': 'application/json' }, body));
    assert.equal(w.scheme, 'discord');
    assert.equal(w.keyId, 'key-0');
    assert.equal(w.timestamp, Number(h['x-signature-timestamp']));
    assert.deepEqual(w.payload, JSON.parse(body));
    assert.match(w.replayKey!, /^-:discord:d:/);
    await w.commit();
    await rejectsWith(v.verify(request(h, body)), 'DUPLICATE');
  });

  test('the public key as hex (either case), SPKI PEM or a KeyObject', async () => {
    const h = sign.discord({ privateKey: app.privateKey, body });
    for (const publicKey of [app.hex, app.hex.toUpperCase(), app.publicKey.export({ format: 'pem', type: 'spki' }).toString(), app.publicKey, { id: 'app', publicKey: app.hex }]) {
      const w = await createVerifier({ scheme: discord({ publicKey }), replay: false }).verify(request(h, body));
      assert.ok(w.keyId);
    }
  });

  test('misconfigured keys are refused when the verifier is built', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    for (const publicKey of ['', ' ' + app.hex, app.hex.slice(2), 'zz'.repeat(32), app.privateKey, app.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), ec.publicKey])
      assert.throws(() => discord({ publicKey }), WebhookConfigError, String(publicKey));
  });

  test('missing, malformed, tampered, stale', async () => {
    const v = createVerifier({ scheme: discord({ publicKey: app.hex }), replay: false });
    const h = sign.discord({ privateKey: app.privateKey, body });
    await rejectsWith(v.verify(request({}, body)), 'MISSING_SIGNATURE');
    await rejectsWith(v.verify(request({ 'x-signature-ed25519': h['x-signature-ed25519']! }, body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(request({ ...h, 'x-signature-ed25519': h['x-signature-ed25519']!.toUpperCase() }, body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(request({ ...h, 'x-signature-ed25519': h['x-signature-ed25519']!.slice(2) }, body)), 'MALFORMED_SIGNATURE');
    for (const ts of [' 1', '1.5', '-1', '', '1e9']) await rejectsWith(v.verify(request({ ...h, 'x-signature-timestamp': ts }, body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(request(h, body.replace('tok', 'tak'))), 'SIGNATURE_MISMATCH');
    await rejectsWith(v.verify(request({ ...h, 'x-signature-timestamp': String(Number(h['x-signature-timestamp']) + 1) }, body)), 'SIGNATURE_MISMATCH');
    await rejectsWith(v.verify(request(sign.discord({ privateKey: pair().privateKey, body }), body)), 'SIGNATURE_MISMATCH');
    await rejectsWith(v.verify(request(sign.discord({ privateKey: app.privateKey, body, timestamp: now() - 600 }), body)), 'TIMESTAMP_OUT_OF_TOLERANCE');
  });

  test('a digit moved between the timestamp and the body: refused, or the same replay key', async () => {
    const digits = '7' + body;
    // A tolerance wide enough that freshness is not what refuses the tenfold timestamp.
    const v = createVerifier({ scheme: discord({ publicKey: app.hex }), toleranceSec: 1e11 });
    const h = sign.discord({ privateKey: app.privateKey, body: digits });
    const first = await v.verify(request(h, digits));
    const ts = h['x-signature-timestamp']!;
    // `ts` + "7{..." read as `ts7` + "{...": the same signed bytes, so the same identity.
    const moved = await v.verify(request({ ...h, 'x-signature-timestamp': ts + '7' }, body)).catch((e: { code: string }) => e.code);
    if (typeof moved === 'string') assert.equal(moved, 'REPLAY_IN_FLIGHT');
    else assert.fail('a re-split verified under its own replay key');
    await first.release();
  });

  test('rotation: two public keys, newest first; a third key past the budget is not tried', async () => {
    const older = pair();
    const newer = pair();
    const v = createVerifier({ scheme: discord({ publicKey: [newer.hex, older.hex] }), replay: false });
    assert.equal((await v.verify(request(sign.discord({ privateKey: older.privateKey, body }), body))).keyId, 'key-1');
    assert.equal(MAX_ASYMMETRIC_VERIFICATIONS, 2);
    const three = createVerifier({ scheme: discord({ publicKey: [pair().hex, newer.hex, older.hex] }), replay: false });
    await rejectsWith(three.verify(request(sign.discord({ privateKey: older.privateKey, body }), body)), 'SIGNATURE_MISMATCH');
  });

  test("keys from the tenant's publicKeys, with ids and validity windows", async () => {
    const next = pair();
    const v = createVerifier({
      scheme: discord(),
      tenants: { resolve: fromParam(), lookup: () => ({ publicKeys: [{ id: 'next', publicKey: next.hex, notBefore: Date.now() + 60_000 }, { id: 'current', publicKey: app.hex }] }) },
      replay: false,
    });
    const w = await v.verify({ ...request(sign.discord({ privateKey: app.privateKey, body }), body), params: { tenant: 'acme' } });
    assert.equal(w.keyId, 'current');
    await rejectsWith(v.verify({ ...request(sign.discord({ privateKey: next.privateKey, body }), body), params: { tenant: 'acme' } }), 'SIGNATURE_MISMATCH');
  });
});

test('one Ed25519 key in discord() and standardWebhooks() is refused: a v1a delivery with a numeric id reads as Discord', async () => {
  const whpk = `whpk_${Buffer.from(app.hex, 'hex').toString('base64')}`;
  const ts = Math.floor(Date.now() / 1000);
  // Signed by Standard Webhooks as `<id>.<ts>.<body>`; Discord reads the same bytes as `<id>` + `.<ts>.<body>`.
  const d = Buffer.from((app.privateKey.export({ format: 'jwk' }) as { d: string }).d, 'base64url');
  const h = sign.standardWebhooks({ secret: `whsk_${Buffer.concat([d, Buffer.from(app.hex, 'hex')]).toString('base64')}`, body, id: String(ts), timestamp: ts });
  const asDiscord = { 'x-signature-ed25519': Buffer.from(h['webhook-signature']!.slice(4), 'base64').toString('hex'), 'x-signature-timestamp': String(ts) };
  const reread = `.${ts}.${body}`;
  assert.ok((await createVerifier({ scheme: discord({ publicKey: app.hex }), replay: false }).verify(request(asDiscord, reread))).keyId, 'the re-reading verifies');
  assert.throws(() => createVerifier({ scheme: any(standardWebhooks({ secret: whpk }), discord({ publicKey: app.hex })) }), (e: Error) => e instanceof WebhookConfigError && /share a secret/.test(e.message));
  // From a tenant's record (one KeyObject both leaves read): fail closed, the reason in the cause.
  const v = createVerifier({ scheme: any(standardWebhooks(), discord()), tenants: { resolve: fromParam(), lookup: () => ({ publicKeys: [{ publicKey: app.publicKey }] }) } });
  const e = await rejectsWith(v.verify({ ...request(asDiscord, reread), params: { tenant: 'acme' } }), 'TENANT_LOOKUP_FAILED');
  assert.match((e.cause as Error).message, /standardWebhooks and discord share a secret/);
  // Tagged per scheme, separate keys are fine.
  const other = pair();
  const tagged = createVerifier({ scheme: any(standardWebhooks(), discord()), tenants: { resolve: fromParam(), lookup: () => ({ publicKeys: [{ publicKey: app.hex, scheme: 'discord' }, { publicKey: `whpk_${Buffer.from(other.hex, 'hex').toString('base64')}`, scheme: 'standardWebhooks' }] }) } });
  await tagged.verify({ ...request(sign.discord({ privateKey: app.privateKey, body }), body), params: { tenant: 'acme' } });
});

describe('discord-interactions interop', () => {
  test('our signatures pass its verifyKey; tampered ones fail it and us', async () => {
    const v = createVerifier({ scheme: discord({ publicKey: app.hex }), replay: false });
    for (const b of [body, '', 'ü€😀', JSON.stringify({ pad: 'x'.repeat(5000) })]) {
      const h = sign.discord({ privateKey: app.privateKey, body: b });
      assert.equal(await verifyKey(b, h['x-signature-ed25519']!, h['x-signature-timestamp']!, app.hex), true);
      await v.verify(request(h, b));
      const tampered = b + ' ';
      assert.equal(await verifyKey(tampered, h['x-signature-ed25519']!, h['x-signature-timestamp']!, app.hex), false);
      await rejectsWith(v.verify(request(h, tampered)), 'SIGNATURE_MISMATCH');
    }
  });

  test('a signature made with WebCrypto, as Discord signs, passes verifyKey and us', async () => {
    const ts = String(now());
    const key = await webcrypto.subtle.importKey('pkcs8', app.privateKey.export({ format: 'der', type: 'pkcs8' }), { name: 'Ed25519' }, false, ['sign']);
    const sig = Buffer.from(await webcrypto.subtle.sign({ name: 'Ed25519' }, key, Buffer.from(ts + body))).toString('hex');
    assert.equal(await verifyKey(body, sig, ts, app.hex), true);
    const w = await createVerifier({ scheme: discord({ publicKey: app.hex }), replay: false }).verify(request({ 'x-signature-ed25519': sig, 'x-signature-timestamp': ts }, body));
    assert.equal(w.timestamp, Number(ts));
  });
});
