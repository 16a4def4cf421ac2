import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import Stripe from 'stripe';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { createVerifier, github, sign, standardWebhooks, stripe } from '@hookguard/core';
import { request, rejectsWith } from './helpers.js';

const WHSEC = 'whsec_' + Buffer.from('interop-secret-0123456789abcdef').toString('base64');
const stripeLib = new Stripe('sk_test_interop');
const body = JSON.stringify({ id: 'evt_1', type: 'invoice.paid', emoji: '🧾', amount: 4200 });

describe('Standard Webhooks reference library', () => {
  test('its signatures verify with hookguard', async () => {
    const wh = new StandardWebhook(WHSEC);
    const ts = new Date();
    const sig = wh.sign('msg_interop_1', ts, body);
    const v = createVerifier({ scheme: standardWebhooks({ secret: WHSEC }) });
    const w = await v.verify(
      request({ 'webhook-id': 'msg_interop_1', 'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)), 'webhook-signature': sig, 'content-type': 'application/json' }, body),
    );
    assert.deepEqual(w.payload, JSON.parse(body));
    assert.equal(w.id, 'msg_interop_1');
  });
  test('hookguard signatures verify with it', () => {
    const headers = sign.standardWebhooks({ secret: WHSEC, id: 'msg_interop_2', body });
    assert.deepEqual(new StandardWebhook(WHSEC).verify(body, headers), JSON.parse(body));
  });
  test('it rejects a hookguard signature under another secret, and so do we', async () => {
    const other = 'whsec_' + Buffer.from('another-secret-0123456789abcdef').toString('base64');
    const headers = sign.standardWebhooks({ secret: other, id: 'msg_interop_3', body });
    assert.throws(() => new StandardWebhook(WHSEC).verify(body, headers), /No matching signature/);
    await rejectsWith(createVerifier({ scheme: standardWebhooks({ secret: WHSEC }) }).verify(request(headers, body)), 'SIGNATURE_MISMATCH');
  });
});

describe('svix library', () => {
  test('its signatures verify with hookguard under svix-* header names', async () => {
    const wh = new SvixWebhook(WHSEC);
    const ts = new Date();
    const sig = wh.sign('msg_svix_1', ts, body);
    const v = createVerifier({ scheme: standardWebhooks({ secret: WHSEC }) });
    const w = await v.verify(request({ 'svix-id': 'msg_svix_1', 'svix-timestamp': String(Math.floor(ts.getTime() / 1000)), 'svix-signature': sig }, body));
    assert.equal(w.id, 'msg_svix_1');
    assert.equal(w.scheme, 'standardWebhooks');
  });
  test('hookguard signatures (svix header names) verify with it', () => {
    const headers = sign.standardWebhooks({ secret: WHSEC, id: 'msg_svix_2', body, headers: 'svix' });
    assert.deepEqual(new SvixWebhook(WHSEC).verify(body, headers), JSON.parse(body));
  });
});

describe('stripe library', () => {
  const secret = 'whsec_stripe_interop_secret';
  test('generateTestHeaderString signatures verify with hookguard', async () => {
    const header = stripeLib.webhooks.generateTestHeaderString({ payload: body, secret });
    const w = await createVerifier({ scheme: stripe({ secret }) }).verify(request({ 'stripe-signature': header, 'content-type': 'application/json' }, body));
    assert.equal(w.scheme, 'stripe');
    assert.equal(typeof w.timestamp, 'number');
    assert.equal(w.replayKey, '-:stripe:i:evt_1');
  });
  test('hookguard signatures verify with constructEvent', () => {
    const headers = sign.stripe({ secret, body });
    const event = stripeLib.webhooks.constructEvent(body, headers['stripe-signature']!, secret);
    assert.equal(event.id, 'evt_1');
  });
  test('a stale Stripe header is refused by both', async () => {
    const t = Math.floor(Date.now() / 1000) - 3600;
    const header = stripeLib.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: t });
    assert.throws(() => stripeLib.webhooks.constructEvent(body, header, secret), /Timestamp outside the tolerance/);
    await rejectsWith(createVerifier({ scheme: stripe({ secret }) }).verify(request({ 'stripe-signature': header }, body)), 'TIMESTAMP_OUT_OF_TOLERANCE');
  });
});

describe('@octokit/webhooks-methods', () => {
  const secret = "It's a Secret to Everybody";
  test('its signatures verify with hookguard', async () => {
    const sig = await octokitSign(secret, body);
    const w = await createVerifier({ scheme: github({ secret }) }).verify(request({ 'x-hub-signature-256': sig, 'x-github-delivery': 'd-1' }, body));
    assert.equal(w.id, 'd-1');
  });
  test('hookguard signatures verify with it', async () => {
    const headers = sign.github({ secret, body });
    assert.equal(await octokitVerify(secret, body, headers['x-hub-signature-256']!), true);
  });
});
