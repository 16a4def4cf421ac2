// Interop of linear() and zoom() with the vendors' own verifiers:
//   @linear/sdk/webhooks  LinearWebhookClient (verify, parseData, createHandler on a Fetch Request)
//   @zoom/rivet/meetings  AwsLambdaReceiver (Rivet's webhook receiver: CommonHttpRequest.isEventVerified,
//                         and its endpoint.url_validation answer)
// Neither library signs, so both directions are: hookguard's sign.linear / sign.zoom through the vendor's
// verifier, and signatures built as the vendors' docs say (named at each) through the vendor's verifier
// first — proving the recipe is what the vendor accepts — then through hookguard. Every single-byte change
// of the body and of the signed headers is refused by both. Where they differ it is said and asserted:
// Rivet verifies JSON.stringify(JSON.parse(body)), not the bytes received, and checks no timestamp.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { LinearWebhookClient } from '@linear/sdk/webhooks';
import { AwsLambdaReceiver } from '@zoom/rivet/meetings';
import { createVerifier, linear, sign, zoom, zoomUrlValidation } from '@hookguard/core';
import { rejectsWith, request } from './helpers.js';
import { mutateChar } from './lib/providers.js';

const NON_ASCII = 'ü€😀 a.b,c;d=e "f" \\ </script>';

// ---------------------------------------------------------------------------------------------------
// Linear

const LINEAR_SECRET = 'lin_wh_interop_0123456789abcdefABCDEF';
const linearSdk = new LinearWebhookClient(LINEAR_SECRET);
/** A Linear event as Linear sends it: compact JSON, webhookTimestamp (ms) inside the signed body. */
function linearBody(ms = Date.now(), extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    action: 'create',
    type: 'Issue',
    data: { id: '2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9', title: `interop ${NON_ASCII}`, number: 42 },
    url: 'https://linear.app/acme/issue/ENG-42',
    organizationId: 'e2b1a7c8-0000-4000-8000-000000000001',
    webhookId: '000042e6-6c4a-4f5b-9a33-0000000000a1',
    ...extra,
    webhookTimestamp: ms,
  });
}
/** The SDK's verdict: verify() returns true or throws. */
function linearSdkAccepts(body: Buffer | string, signature: string): boolean {
  try {
    return linearSdk.verify(Buffer.from(body), signature) === true;
  } catch {
    return false;
  }
}
/**
 * Linear's documented recipe (https://linear.app/developers/webhooks#securing-webhooks, "Securing
 * webhooks"): the hex HMAC-SHA256 of the raw body under the webhook's signing secret, compared with the
 * `Linear-Signature` header; freshness from `webhookTimestamp` within a minute.
 */
const linearDocSign = (secret: string, body: Buffer | string) => createHmac('sha256', secret).update(body).digest('hex');
const linearVerifier = (toleranceSec?: number) => createVerifier({ scheme: linear({ secret: LINEAR_SECRET }), replay: false, ...(toleranceSec ? { toleranceSec } : {}) });

describe('@linear/sdk LinearWebhookClient', () => {
  test("hookguard's sign.linear passes verify, parseData and createHandler (Fetch Request)", async () => {
    const body = linearBody();
    const headers = sign.linear({ secret: LINEAR_SECRET, body, id: 'delivery-1' });
    assert.equal(linearSdk.verify(Buffer.from(body), headers['linear-signature']!), true);
    assert.deepEqual(linearSdk.parseData(Buffer.from(body), headers['linear-signature']!), JSON.parse(body));
    const handler = linearSdk.createHandler();
    const seen: unknown[] = [];
    handler.on('Issue', (payload) => {
      seen.push(payload);
    });
    // A Fetch Request handled in process: nothing listens on any port.
    const response = await handler(new Request('http://127.0.0.1/hooks/linear', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body }));
    assert.equal(response.status, 200);
    assert.deepEqual(seen, [JSON.parse(body)]);
    // And hookguard agrees on its own signature.
    const w = await linearVerifier().verify(request(headers, body));
    assert.equal(w.keyId, 'key-0');
    assert.equal(w.id, 'delivery-1');
  });

  test('signatures built as Linear documents: the SDK accepts them, then hookguard does (timestamp, replay identity)', async () => {
    const ms = Date.now() - 1234;
    const body = linearBody(ms);
    const signature = linearDocSign(LINEAR_SECRET, body);
    assert.equal(linearSdkAccepts(body, signature), true);
    // With the replay store on (the default), so the replay identity is computed.
    const w = await createVerifier({ scheme: linear({ secret: LINEAR_SECRET }) }).verify(request({ 'linear-signature': signature, 'linear-delivery': 'd-2', 'content-type': 'application/json' }, body));
    assert.equal(w.timestamp, Math.floor(ms / 1000));
    assert.equal(w.replayKey, `-:linear:d:${createHash('sha256').update(body).digest('base64url')}`);
    assert.equal(w.id, 'd-2');
    // Rotation: Linear sends one signature; both secrets listed verify it, the old one named.
    const rotated = await createVerifier({ scheme: linear({ secret: [{ id: 'new', secret: 'lin_wh_next' }, { id: 'old', secret: LINEAR_SECRET }] }), replay: false }).verify(request({ 'linear-signature': signature }, body));
    assert.equal(rotated.keyId, 'old');
  });

  test('verdicts agree on tampered bodies, other secrets, respelled signatures, stale and missing timestamps', async () => {
    const now = Date.now();
    const good = linearBody(now);
    const cases: Array<{ name: string; body: string; signature: string; ok: boolean }> = [
      { name: 'as signed', body: good, signature: linearDocSign(LINEAR_SECRET, good), ok: true },
      { name: 'another secret', body: good, signature: linearDocSign('lin_wh_other', good), ok: false },
      { name: 'upper-case hex', body: good, signature: linearDocSign(LINEAR_SECRET, good).toUpperCase(), ok: false },
      { name: 'signature + space', body: good, signature: `${linearDocSign(LINEAR_SECRET, good)} `, ok: false },
      { name: 'truncated signature', body: good, signature: linearDocSign(LINEAR_SECRET, good).slice(0, 63), ok: false },
      { name: 'body re-spaced', body: JSON.stringify(JSON.parse(good), null, 1), signature: linearDocSign(LINEAR_SECRET, good), ok: false },
      // Linear's SDK allows 60 s; hookguard's tolerance set to the same for this table.
      { name: '2 minutes old', body: linearBody(now - 120_000), signature: linearDocSign(LINEAR_SECRET, linearBody(now - 120_000)), ok: false },
      { name: '2 minutes ahead', body: linearBody(now + 120_000), signature: linearDocSign(LINEAR_SECRET, linearBody(now + 120_000)), ok: false },
      { name: '30 s old', body: linearBody(now - 30_000), signature: linearDocSign(LINEAR_SECRET, linearBody(now - 30_000)), ok: true },
    ];
    const noTs = JSON.stringify({ action: 'create', type: 'Issue', data: { id: 'x' } });
    cases.push({ name: 'no webhookTimestamp', body: noTs, signature: linearDocSign(LINEAR_SECRET, noTs), ok: false });
    const strTs = JSON.stringify({ type: 'Issue', webhookTimestamp: String(now) });
    cases.push({ name: 'webhookTimestamp as a string', body: strTs, signature: linearDocSign(LINEAR_SECRET, strTs), ok: false });
    const v = linearVerifier(60);
    for (const c of cases) {
      assert.equal(linearSdkAccepts(c.body, c.signature), c.ok, `SDK: ${c.name}`);
      let ours = true;
      try {
        await v.verify(request({ 'linear-signature': c.signature }, c.body));
      } catch {
        ours = false;
      }
      assert.equal(ours, c.ok, `hookguard: ${c.name}`);
    }
  });

  test('every single-byte change of the body and of Linear-Signature is refused by both', async () => {
    const body = Buffer.from(linearBody());
    const signature = sign.linear({ secret: LINEAR_SECRET, body })['linear-signature']!;
    const v = linearVerifier();
    await v.verify(request({ 'linear-signature': signature }, body));
    for (let i = 0; i < body.length; i++) {
      const m = Buffer.from(body);
      m[i] = m[i] === 0x41 ? 0x42 : 0x41;
      assert.equal(linearSdkAccepts(m, signature), false, `SDK accepted body[${i}]`);
      await rejectsWith(v.verify(request({ 'linear-signature': signature }, m)), 'SIGNATURE_MISMATCH');
    }
    for (let i = 0; i < signature.length; i++) {
      const s = mutateChar(signature, i, 'hex');
      assert.equal(linearSdkAccepts(body, s), false, `SDK accepted signature[${i}]`);
      await rejectsWith(v.verify(request({ 'linear-signature': s }, body)), 'SIGNATURE_MISMATCH');
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Zoom

const ZOOM_SECRET = 'zm_secret_token_interop_0123456789';
/**
 * Zoom's documented recipe (https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events,
 * "Verify webhook events"): message = `v0:{x-zm-request-timestamp}:{request body}`, its hex HMAC-SHA256
 * under the app's secret token, sent as `x-zm-signature: v0={hash}`; the docs' sample builds the body
 * text with JSON.stringify(req.body), which is the compact JSON Zoom sends.
 */
function zoomDocSign(secret: string, timestamp: number, body: string): Record<string, string> {
  const hash = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-zm-signature': `v0=${hash}`, 'x-zm-request-timestamp': String(timestamp) };
}
function zoomBody(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    event: 'meeting.started',
    event_ts: 1_800_000_000_123,
    payload: { account_id: 'AAAAAAAAAAAAAAAAAAAAAA', object: { id: '85012345678', uuid: 'yZbj2c+BR3yo7Uc4HUI3ZQ==', topic: `interop ${NON_ASCII}` } },
    ...extra,
  });
}

/** Rivet's AwsLambdaReceiver, driven with Lambda events in process (no server, no port). */
function rivet(secret = ZOOM_SECRET) {
  const receiver = new AwsLambdaReceiver({ webhooksSecretToken: secret });
  const emitted: unknown[] = [];
  receiver.init({ eventEmitter: { emit: async (_name: string, payload: unknown) => void emitted.push(payload) } } as never);
  const handle = receiver.start() as unknown as (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
  return {
    emitted,
    /** Rivet logs every event with console.debug: silenced around the call. */
    async deliver(headers: Record<string, string>, body: string | Buffer): Promise<{ statusCode: number; body: unknown }> {
      const debug = console.debug;
      const error = console.error;
      console.debug = () => {};
      console.error = () => {};
      try {
        const r = await handle({ headers, body: Buffer.isBuffer(body) ? body.toString('base64') : body, isBase64Encoded: Buffer.isBuffer(body) }, {});
        return { statusCode: r.statusCode, body: JSON.parse(r.body) };
      } finally {
        console.debug = debug;
        console.error = error;
      }
    },
  };
}
const zoomVerifier = (secret: unknown = ZOOM_SECRET, replay = false) => createVerifier({ scheme: zoom({ secret: secret as string }), ...(replay ? {} : { replay: false }) });
const nowS = () => Math.floor(Date.now() / 1000);

describe('@zoom/rivet AwsLambdaReceiver', () => {
  test("hookguard's sign.zoom passes Rivet's verification; the event reaches its listeners", async () => {
    const body = zoomBody();
    const headers = sign.zoom({ secret: ZOOM_SECRET, body });
    const r = rivet();
    const answer = await r.deliver(headers, body);
    assert.equal(answer.statusCode, 200, JSON.stringify(answer.body));
    assert.deepEqual(r.emitted, [JSON.parse(body)]);
    const w = await zoomVerifier().verify(request(headers, body));
    assert.equal(w.timestamp, Number(headers['x-zm-request-timestamp']));
  });

  test('signatures built as Zoom documents: Rivet accepts them, then hookguard does (rotation too)', async () => {
    const ts = nowS() - 7;
    const body = zoomBody();
    const headers = zoomDocSign(ZOOM_SECRET, ts, body);
    assert.equal((await rivet().deliver(headers, body)).statusCode, 200);
    const w = await zoomVerifier([{ id: 'next', secret: 'zm_next_token' }, { id: 'current', secret: ZOOM_SECRET }], true).verify(request({ ...headers, 'content-type': 'application/json' }, body));
    assert.equal(w.keyId, 'current');
    assert.equal(w.timestamp, ts);
    assert.equal(w.replayKey, `-:zoom:d:${createHash('sha256').update(`v0:${ts}:`).update(body).digest('base64url')}`);
    // Base64-encoded by API Gateway (isBase64Encoded): Rivet decodes it as 'ascii', which clears the high
    // bit of every byte, so only an ASCII body still verifies there; hookguard reads the bytes.
    const ascii = zoomBody({ payload: { object: { topic: 'plain ascii' } } });
    assert.equal((await rivet().deliver(zoomDocSign(ZOOM_SECRET, ts, ascii), Buffer.from(ascii))).statusCode, 200);
    assert.equal((await rivet().deliver(headers, Buffer.from(body))).statusCode, 400);
  });

  test('endpoint.url_validation: zoomUrlValidation answers what Rivet answers', async () => {
    const body = JSON.stringify({ event: 'endpoint.url_validation', event_ts: 1_800_000_000_000, payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' } });
    const headers = sign.zoom({ secret: ZOOM_SECRET, body });
    const theirs = await rivet().deliver(headers, body);
    assert.equal(theirs.statusCode, 200);
    const webhook = await zoomVerifier().verify(request({ ...headers, 'content-type': 'application/json' }, body), { parse: true });
    const ours = zoomUrlValidation({ payload: webhook.payload, secret: ZOOM_SECRET });
    assert.deepEqual(ours, theirs.body);
    // Zoom's documented answer (same page, "Validate your webhook endpoint"): the hex HMAC-SHA256 of plainToken.
    assert.equal(ours?.encryptedToken, createHmac('sha256', ZOOM_SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'));
  });

  test('verdicts agree on other secrets and timestamps, respelled signatures; they differ where Rivet re-serialises or ignores time', async () => {
    const ts = nowS();
    const body = zoomBody();
    const signed = zoomDocSign(ZOOM_SECRET, ts, body);
    const cases: Array<{ name: string; headers: Record<string, string>; body: string; rivet: boolean; hookguard: boolean }> = [
      { name: 'as signed', headers: signed, body, rivet: true, hookguard: true },
      { name: 'another secret', headers: zoomDocSign('zm_other', ts, body), body, rivet: false, hookguard: false },
      { name: 'another timestamp header', headers: { ...signed, 'x-zm-request-timestamp': String(ts + 1) }, body, rivet: false, hookguard: false },
      { name: 'upper-case hex', headers: { ...signed, 'x-zm-signature': signed['x-zm-signature']!.toUpperCase().replace('V0=', 'v0=') }, body, rivet: false, hookguard: false },
      { name: 'no v0= prefix', headers: { ...signed, 'x-zm-signature': signed['x-zm-signature']!.slice(3) }, body, rivet: false, hookguard: false },
      { name: 'a changed value', headers: signed, body: body.replace('meeting.started', 'meeting.startee'), rivet: false, hookguard: false },
      // Rivet hashes JSON.stringify(JSON.parse(body)): another spelling of the same JSON passes there. hookguard
      // verifies the bytes received, as Zoom's docs describe (the raw request body).
      { name: 'same JSON re-spaced (Rivet re-serialises)', headers: signed, body: JSON.stringify(JSON.parse(body), null, 2), rivet: true, hookguard: false },
      // Rivet checks no timestamp at all; hookguard's tolerance (300 s) refuses an hour-old signature.
      { name: 'signed an hour ago (Rivet checks no time)', headers: zoomDocSign(ZOOM_SECRET, ts - 3600, body), body, rivet: true, hookguard: false },
    ];
    const v = zoomVerifier();
    for (const c of cases) {
      assert.equal((await rivet().deliver(c.headers, c.body)).statusCode === 200, c.rivet, `Rivet: ${c.name}`);
      let ours = true;
      try {
        await v.verify(request(c.headers, c.body));
      } catch {
        ours = false;
      }
      assert.equal(ours, c.hookguard, `hookguard: ${c.name}`);
    }
  });

  test('every single-byte change of the body, x-zm-signature and x-zm-request-timestamp is refused by both', async () => {
    const body = Buffer.from(zoomBody());
    const headers = sign.zoom({ secret: ZOOM_SECRET, body });
    const v = zoomVerifier();
    const r = rivet();
    await v.verify(request(headers, body));
    let refusedByRivet = 0;
    for (let i = 0; i < body.length; i++) {
      const m = Buffer.from(body);
      m[i] = m[i] === 0x41 ? 0x42 : 0x41;
      await rejectsWith(v.verify(request(headers, m)), 'SIGNATURE_MISMATCH');
      // A Lambda event's body is text. Rivet answers 400 for a signature that does not verify and for a
      // body it cannot parse.
      const answer = await r.deliver(headers, m.toString('utf8'));
      assert.equal(answer.statusCode, 400, `Rivet accepted body[${i}]`);
      refusedByRivet++;
    }
    const ts = headers['x-zm-request-timestamp']!;
    for (let i = 0; i < ts.length; i++) {
      const changed = { ...headers, 'x-zm-request-timestamp': mutateChar(ts, i, 'digits', i === 0) };
      await rejectsWith(v.verify(request(changed, body)), 'SIGNATURE_MISMATCH');
      assert.equal((await r.deliver(changed, body)).statusCode, 400, `Rivet accepted timestamp[${i}]`);
    }
    const sig = headers['x-zm-signature']!;
    for (let i = 0; i < sig.length; i++) {
      const kind = i < 3 ? undefined : 'hex';
      const changed = { ...headers, 'x-zm-signature': mutateChar(sig, i, kind) };
      await rejectsWith(v.verify(request(changed, body)), kind ? 'SIGNATURE_MISMATCH' : 'MALFORMED_SIGNATURE');
      assert.equal((await r.deliver(changed, body)).statusCode, 400, `Rivet accepted signature[${i}]`);
    }
    assert.equal(refusedByRivet, body.length);
    assert.deepEqual(r.emitted, []);
  });
});
