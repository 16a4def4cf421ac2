// Interop with the vendors' own verifiers — @paddle/paddle-node-sdk (webhooks.unmarshal /
// isSignatureValid) and the square SDK (WebhooksHelper.verifySignature, and the legacy
// isValidWebhookEventSignature) — both ways; and the vendors' published vectors (vectors/pagerduty.json
// from go-pagerduty, vectors/square.json from Square's SDK tests, vectors/paddle.json from Paddle's).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Paddle } from '@paddle/paddle-node-sdk';
import { WebhooksHelper } from 'square';
import { WebhooksHelper as LegacyWebhooksHelper } from 'square/legacy';
import { createVerifier, paddle, pagerduty, sign, square, type Scheme, type WebhookErrorCode } from '@hookguard/core';
import { rejectsWith, request, vectors } from './helpers.js';

const paddleSdk = new Paddle('pdl_sdbx_apikey_interop_placeholder');
const PADDLE_SECRET = 'pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI';
const paddleBody = JSON.stringify({
  event_id: 'evt_01h8bkrvdbx1ha0q9sstwtbpfs',
  event_type: 'hookguard.interop_test',
  occurred_at: '2026-11-20T10:00:00.000Z',
  notification_id: 'ntf_01h8bkrw0amam2g1h5ngd0n4yt',
  data: { id: 'txn_01h8bkrq2wtscqgp7qdxqbjm9d', status: 'paid', note: 'ü€😀 a;b=c' },
});

describe('@paddle/paddle-node-sdk', () => {
  test("hookguard's signatures pass unmarshal and isSignatureValid (the SDK reads the last h1)", async () => {
    const headers = sign.paddle({ secret: ['pdl_ntfset_old_secret_for_rotation', PADDLE_SECRET], body: paddleBody });
    const event = await paddleSdk.webhooks.unmarshal(paddleBody, PADDLE_SECRET, headers['paddle-signature']!);
    assert.equal(event.eventId, 'evt_01h8bkrvdbx1ha0q9sstwtbpfs');
    assert.equal(await paddleSdk.webhooks.isSignatureValid(paddleBody, PADDLE_SECRET, headers['paddle-signature']!), true);
  });

  test("the SDK's signatures (from its own HMAC: the header it would accept) verify with hookguard, under rotation too", async () => {
    const ts = Math.floor(Date.now() / 1000);
    // The SDK has no signer: build the header from what isSignatureValid accepts, then prove it does.
    const { createHmac } = await import('node:crypto');
    const h1 = createHmac('sha256', PADDLE_SECRET).update(`${ts}:${paddleBody}`).digest('hex');
    const header = `ts=${ts};h1=${h1}`;
    assert.equal(await paddleSdk.webhooks.isSignatureValid(paddleBody, PADDLE_SECRET, header), true);
    const w = await createVerifier({ scheme: paddle({ secret: ['pdl_ntfset_new_secret', PADDLE_SECRET] }) }).verify(request({ 'paddle-signature': header, 'content-type': 'application/json' }, paddleBody));
    assert.equal(w.keyId, 'key-1');
    assert.equal(w.replayKey, '-:paddle:i:evt_01h8bkrvdbx1ha0q9sstwtbpfs');
    assert.equal((w.payload as { event_id: string }).event_id, 'evt_01h8bkrvdbx1ha0q9sstwtbpfs');
  });

  test('a tampered body or another secret is refused by both', async () => {
    const headers = sign.paddle({ secret: PADDLE_SECRET, body: paddleBody });
    const tampered = paddleBody.replace('paid"', 'paie"');
    assert.equal(await paddleSdk.webhooks.isSignatureValid(tampered, PADDLE_SECRET, headers['paddle-signature']!), false);
    await rejectsWith(createVerifier({ scheme: paddle({ secret: PADDLE_SECRET }) }).verify(request(headers, tampered)), 'SIGNATURE_MISMATCH');
    assert.equal(await paddleSdk.webhooks.isSignatureValid(paddleBody, 'pdl_other', headers['paddle-signature']!), false);
    await rejectsWith(createVerifier({ scheme: paddle({ secret: 'pdl_other' }) }).verify(request(headers, paddleBody)), 'SIGNATURE_MISMATCH');
  });
});

const SQUARE_KEY = 'Ibxx_5AKakO-3qeNVR61Dw';
const SQUARE_URL = 'https://example.com/webhooks/square?tenant=acme&x=é';
const squareBody = JSON.stringify({ merchant_id: 'MLEFBHHSJGVHD', type: 'payment.updated', event_id: 'ac3ac95b-f97d-458c-a6e6-18981597e05f', data: { note: 'ü€😀' } });

describe('square SDK', () => {
  test("hookguard's signatures pass WebhooksHelper.verifySignature and the legacy isValidWebhookEventSignature", async () => {
    const h = sign.square({ secret: SQUARE_KEY, notificationUrl: SQUARE_URL, body: squareBody });
    const signatureHeader = h['x-square-hmacsha256-signature']!;
    assert.equal(await WebhooksHelper.verifySignature({ requestBody: squareBody, signatureHeader, signatureKey: SQUARE_KEY, notificationUrl: SQUARE_URL }), true);
    assert.equal(LegacyWebhooksHelper.isValidWebhookEventSignature(squareBody, signatureHeader, SQUARE_KEY, SQUARE_URL), true);
  });

  test("the SDK's verdicts agree with hookguard's on its own signatures, other URLs, keys and bodies", async () => {
    const { createHmac } = await import('node:crypto');
    const sdkSign = (url: string, body: string, key: string) => createHmac('sha256', key).update(url + body).digest('base64');
    const v = createVerifier({ scheme: square({ notificationUrl: SQUARE_URL, secret: SQUARE_KEY }) });
    const cases: Array<[string, string, string]> = [
      [SQUARE_URL, squareBody, SQUARE_KEY],
      [`${SQUARE_URL}/`, squareBody, SQUARE_KEY],
      [SQUARE_URL, squareBody.replace('payment', 'paymenT'), SQUARE_KEY],
      [SQUARE_URL, squareBody, 'another-signature-key'],
    ];
    for (const [url, body, key] of cases) {
      const signatureHeader = sdkSign(url, body, key);
      const theirs = await WebhooksHelper.verifySignature({ requestBody: squareBody, signatureHeader, signatureKey: SQUARE_KEY, notificationUrl: SQUARE_URL });
      let ours = true;
      try {
        const w = await v.verify(request({ 'x-square-hmacsha256-signature': signatureHeader, 'content-type': 'application/json' }, squareBody));
        assert.equal(w.replayKey, '-:square:i:ac3ac95b-f97d-458c-a6e6-18981597e05f');
      } catch {
        ours = false;
      }
      assert.equal(ours, theirs, `${url} ${key}`);
    }
  });
});

interface VectorCase {
  name: string;
  secret: string;
  body: string;
  headers: Record<string, string>;
  notificationUrl?: string;
  error?: WebhookErrorCode;
}

function runVectors(file: string, make: (c: VectorCase) => Scheme) {
  const v = vectors<{ source: string; now?: number; cases: VectorCase[] }>(file);
  describe(`${file} (${v.source.split(':')[0]})`, () => {
    for (const c of v.cases) {
      const verifier = () => createVerifier({ scheme: make(c), replay: false, ...(v.now ? { now: () => v.now! } : {}) });
      if (c.error) {
        test(`${c.name}: ${c.error}`, async () => {
          await rejectsWith(verifier().verify(request(c.headers, c.body)), c.error!);
        });
        continue;
      }
      test(`${c.name}: verifies; every single-byte change of the body is SIGNATURE_MISMATCH`, async () => {
        const ver = verifier();
        const w = await ver.verify(request(c.headers, c.body));
        assert.equal(w.rawBody.toString(), c.body);
        const b = Buffer.from(c.body);
        for (let i = 0; i < b.length; i++) {
          const m = Buffer.from(b);
          m[i] = m[i] === 0x41 ? 0x42 : 0x41;
          await rejectsWith(ver.verify(request(c.headers, m)), 'SIGNATURE_MISMATCH');
        }
      });
    }
  });
}

runVectors('pagerduty.json', (c) => pagerduty({ secret: c.secret }));
runVectors('square.json', (c) => square({ secret: c.secret, notificationUrl: c.notificationUrl! }));
runVectors('paddle.json', (c) => paddle({ secret: c.secret }));
