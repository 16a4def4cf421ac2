// sendgrid(): ECDSA P-256 / SHA-256 over the timestamp + body, base64 DER signature, the console's
// base64 SPKI key; the vendor library's own vectors, and interop with @sendgrid/eventwebhook both ways.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import eventwebhook from '@sendgrid/eventwebhook';
import { createVerifier, sendgrid, sign, WebhookConfigError } from '@hookguard/core';
import { rejectsWith, request, vectors } from './helpers.js';

const { EventWebhook } = eventwebhook;
// The ECDSA implementation @sendgrid/eventwebhook verifies with; it also signs, as SendGrid's side would.
const starkbank = createRequire(createRequire(import.meta.url).resolve('@sendgrid/eventwebhook'))('starkbank-ecdsa') as {
  Ecdsa: { sign(message: string, key: unknown): { toBase64(): string } };
  PrivateKey: { fromPem(pem: string): unknown };
};

interface Vector {
  name: string;
  publicKey: string;
  signature: string;
  timestamp: string;
  body: string;
}
const V = vectors<{ cases: Vector[]; otherKey: string }>('sendgrid.json');
const SIG = 'x-twilio-email-event-webhook-signature';
const TS = 'x-twilio-email-event-webhook-timestamp';

function pair(): { privateKey: KeyObject; publicKey: KeyObject; console: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicKey, console: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
}
const key = pair();
const body = JSON.stringify([{ email: 'a@example.com', event: 'delivered', sg_event_id: 'ZGVsaXZlcmVk', timestamp: 1_700_000_000 }]) + '\r\n';

describe('sendgrid(): the vectors of @sendgrid/eventwebhook', () => {
  for (const c of V.cases) {
    const at = () => Number(c.timestamp) * 1000;
    const headers = { [SIG]: c.signature, [TS]: c.timestamp };
    test(`${c.name}: verifies; every single-byte change of the body or timestamp is rejected`, async () => {
      const v = createVerifier({ scheme: sendgrid({ publicKey: c.publicKey }), now: at, replay: false });
      const w = await v.verify(request(headers, c.body));
      assert.equal(w.timestamp, Number(c.timestamp));
      const bytes = Buffer.from(c.body);
      for (let i = 0; i < bytes.length; i++) {
        const m = Buffer.from(bytes);
        m[i] = m[i] === 0x41 ? 0x42 : 0x41;
        await rejectsWith(v.verify(request(headers, m)), 'SIGNATURE_MISMATCH');
      }
      for (let i = 0; i < c.timestamp.length; i++) {
        const ts = c.timestamp.slice(0, i) + String((Number(c.timestamp[i]) + 1) % 10) + c.timestamp.slice(i + 1);
        const e = await v.verify(request({ ...headers, [TS]: ts }, c.body)).then(() => 'accepted', (x: { code: string }) => x.code);
        assert.ok(['SIGNATURE_MISMATCH', 'TIMESTAMP_OUT_OF_TOLERANCE'].includes(e), e);
      }
      await rejectsWith(createVerifier({ scheme: sendgrid({ publicKey: V.otherKey }), now: at }).verify(request(headers, c.body)), 'SIGNATURE_MISMATCH');
    });
  }
});

describe('sendgrid()', () => {
  test('our signer: verifies, with a replay key from the signed bytes; the second copy is a duplicate', async () => {
    const v = createVerifier({ scheme: sendgrid({ publicKey: key.console }) });
    const h = sign.sendgrid({ privateKey: key.privateKey, body });
    const w = await v.verify(request({ ...h, 'content-type': 'application/json' }, body));
    assert.equal(w.scheme, 'sendgrid');
    assert.match(w.replayKey!, /^-:sendgrid:d:/);
    await w.commit();
    // ECDSA signs with a fresh nonce: another signature of the same content is the same delivery.
    await rejectsWith(v.verify(request(sign.sendgrid({ privateKey: key.privateKey, body, timestamp: Number(h[TS]) }), body)), 'DUPLICATE');
  });

  test('the key as console base64, SPKI PEM or KeyObject; other curves, private keys and junk refused', async () => {
    const h = sign.sendgrid({ privateKey: key.privateKey, body });
    for (const publicKey of [key.console, key.publicKey.export({ format: 'pem', type: 'spki' }).toString(), key.publicKey])
      await createVerifier({ scheme: sendgrid({ publicKey }), replay: false }).verify(request(h, body));
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey;
    const ed = generateKeyPairSync('ed25519').publicKey;
    for (const publicKey of [p384, ed, key.privateKey, key.privateKey.export({ format: 'pem', type: 'sec1' }).toString(), `${key.console}\n`, key.console.slice(4), 'not a key'])
      assert.throws(() => sendgrid({ publicKey }), WebhookConfigError, String(publicKey));
  });

  test('missing, malformed, non-canonical DER, stale', async () => {
    const v = createVerifier({ scheme: sendgrid({ publicKey: key.console }), replay: false });
    const h = sign.sendgrid({ privateKey: key.privateKey, body });
    await rejectsWith(v.verify(request({}, body)), 'MISSING_SIGNATURE');
    await rejectsWith(v.verify(request({ [SIG]: h[SIG]! }, body)), 'MALFORMED_SIGNATURE');
    for (const sig of ['', 'not base64!', Buffer.alloc(64, 1).toString('base64'), 'A'.repeat(200)]) await rejectsWith(v.verify(request({ ...h, [SIG]: sig }, body)), 'MALFORMED_SIGNATURE');
    // The same (r, s) in a longer BER form (a length byte in long form): not DER, refused before any
    // verification, whatever the signature's length (it was MISMATCH or MALFORMED by length before).
    const der = Buffer.from(h[SIG]!, 'base64');
    const ber = Buffer.concat([Buffer.from([0x30, 0x81, der[1]!]), der.subarray(2)]);
    await rejectsWith(v.verify(request({ ...h, [SIG]: ber.toString('base64') }, body)), 'MALFORMED_SIGNATURE');
    // A trailing byte after the SEQUENCE: the same.
    await rejectsWith(v.verify(request({ ...h, [SIG]: Buffer.concat([der, Buffer.from([0])]).toString('base64') }, body)), 'MALFORMED_SIGNATURE');
    // A raw (IEEE P1363) signature is not SendGrid's encoding.
    let raw: Buffer;
    do raw = cryptoSign('sha256', Buffer.from(h[TS]! + body), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    while (raw[0] === 0x30);
    await rejectsWith(v.verify(request({ ...h, [SIG]: raw.toString('base64') }, body)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(request(sign.sendgrid({ privateKey: key.privateKey, body, timestamp: Math.floor(Date.now() / 1000) + 600 }), body)), 'TIMESTAMP_OUT_OF_TOLERANCE');
  });
});

describe('@sendgrid/eventwebhook interop', () => {
  const ew = new EventWebhook();
  test('our signatures pass EventWebhook.verifySignature; tampered ones fail it and us', async () => {
    const v = createVerifier({ scheme: sendgrid({ publicKey: key.console }), replay: false });
    const theirKey = ew.convertPublicKeyToECDSA(key.console);
    for (const b of [body, '', '[{"note":"ü€😀"}]\r\n', JSON.stringify([{ pad: 'x'.repeat(5000) }])]) {
      const h = sign.sendgrid({ privateKey: key.privateKey, body: b });
      assert.equal(ew.verifySignature(theirKey, b, h[SIG]!, h[TS]!), true);
      await v.verify(request(h, b));
      assert.equal(ew.verifySignature(theirKey, `${b} `, h[SIG]!, h[TS]!), false);
      await rejectsWith(v.verify(request(h, `${b} `)), 'SIGNATURE_MISMATCH');
    }
  });

  test("signatures by the library's ECDSA (starkbank-ecdsa, as SendGrid's side) verify with us", async () => {
    const v = createVerifier({ scheme: sendgrid({ publicKey: key.console }), replay: false });
    const theirPrivate = starkbank.PrivateKey.fromPem(key.privateKey.export({ format: 'pem', type: 'sec1' }).toString());
    for (const b of [body, '[]']) {
      const ts = String(Math.floor(Date.now() / 1000));
      const signature = starkbank.Ecdsa.sign(ts + b, theirPrivate).toBase64();
      assert.equal(ew.verifySignature(ew.convertPublicKeyToECDSA(key.console), b, signature, ts), true);
      const w = await v.verify(request({ [SIG]: signature, [TS]: ts }, b));
      assert.equal(w.timestamp, Number(ts));
    }
  });
});
