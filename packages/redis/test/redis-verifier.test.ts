// A real verifier from @hookguard/core on the Redis store: exactly-once across concurrent
// deliveries and instances, fail closed while Redis is down, and recovery when it returns.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import {
  createVerifier,
  isWebhookVerificationError,
  sign,
  standardWebhooks,
  type Verifier,
  type WebhookErrorCode,
  type WebhookRequest,
} from '@hookguard/core';
import { RedisReplayStore } from '@hookguard/redis';
import { describeWithRedis, eventually, RedisServer } from '@hookguard/testkit';

const SECRET = 'whsec_' + randomBytes(24).toString('base64');

function signedRequest(id = `msg_${randomBytes(8).toString('hex')}`): WebhookRequest {
  const body = JSON.stringify({ type: 'invoice.paid', id });
  const headers = sign.standardWebhooks({ secret: SECRET, id, body });
  return { method: 'POST', url: '/webhooks', headers: { ...headers, 'content-type': 'application/json' }, body: Buffer.from(body) };
}

function verifierFor(store: RedisReplayStore): Verifier {
  return createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: { store } });
}

/** The error code a verify settles with, or 'VERIFIED'. */
async function outcome(verifier: Verifier, request: WebhookRequest): Promise<WebhookErrorCode | 'VERIFIED'> {
  try {
    await verifier.verify(request, { parse: true });
    return 'VERIFIED';
  } catch (e) {
    assert.ok(isWebhookVerificationError(e), `expected a WebhookVerificationError, got ${String(e)}`);
    return e.code;
  }
}

describeWithRedis('createVerifier with RedisReplayStore', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const newClient = async () => {
    // A fast reconnect keeps the recovery test short; the store itself needs nothing special.
    const c = new Redis(server.url, { lazyConnect: true, retryStrategy: () => 100 });
    c.on('error', () => {});
    clients.push(c);
    await c.connect();
    return c;
  };

  before(async () => {
    server = await RedisServer.start();
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await server?.stop();
  });

  test('50 concurrent deliveries of one message across two instances: the handler runs once', async () => {
    const instances = [verifierFor(new RedisReplayStore({ client: await newClient() })), verifierFor(new RedisReplayStore({ client: await newClient() }))];
    const request = signedRequest();
    const settled = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => instances[i % 2]!.verify(request, { parse: true })));
    const verified = settled.filter((s) => s.status === 'fulfilled');
    assert.equal(verified.length, 1);
    const codes = settled.flatMap((s) => (s.status === 'rejected' && isWebhookVerificationError(s.reason) ? [s.reason.code] : []));
    assert.equal(codes.length, 49);
    assert.ok(codes.every((c) => c === 'REPLAY_IN_FLIGHT'), `unexpected codes: ${[...new Set(codes)].join(', ')}`);

    const webhook = (verified[0] as PromiseFulfilledResult<Awaited<ReturnType<Verifier['verify']>>>).value;
    assert.deepEqual(webhook.payload, JSON.parse(request.body.toString()));
    await webhook.settle({ status: 200 });
    for (const v of instances) assert.equal(await outcome(v, request), 'DUPLICATE');
  });

  test('a failed handler releases the key: the retry is processed, once', async () => {
    const verifier = verifierFor(new RedisReplayStore({ client: await newClient() }));
    const request = signedRequest();
    const first = await verifier.verify(request);
    await first.settle({ status: 500 });
    const retry = await verifier.verify(request);
    assert.equal(await outcome(verifier, request), 'REPLAY_IN_FLIGHT');
    await retry.settle({ status: 204 });
    assert.equal(await outcome(verifier, request), 'DUPLICATE');
  });

  test('Redis killed: verify fails closed with 503 REPLAY_STORE_UNAVAILABLE; restarted: the same store works again', async () => {
    const client = await newClient();
    const stores = [new RedisReplayStore({ client }), new RedisReplayStore({ url: server.url })];
    try {
      const verifiers = stores.map(verifierFor);
      for (const v of verifiers) assert.equal(await outcome(v, signedRequest()), 'VERIFIED');

      await server.kill('SIGKILL');
      for (const v of verifiers) {
        // Several calls: right after the kill, and once the client knows the connection is gone.
        for (let i = 0; i < 3; i++) {
          try {
            await v.verify(signedRequest());
            assert.fail('verified while Redis was down');
          } catch (e) {
            assert.ok(isWebhookVerificationError(e));
            assert.equal(e.code, 'REPLAY_STORE_UNAVAILABLE');
            assert.equal(e.status, 503);
          }
        }
      }

      await server.restart();
      for (const v of verifiers) {
        await eventually(async () => (await outcome(v, signedRequest())) === 'VERIFIED', 20_000, 'verify succeeds once Redis is back');
        // And replay protection is back in force, not just "no error".
        const request = signedRequest();
        const w = await v.verify(request);
        assert.equal(await outcome(v, request), 'REPLAY_IN_FLIGHT');
        await w.settle({ status: 200 });
        assert.equal(await outcome(v, request), 'DUPLICATE');
      }
    } finally {
      await stores[1]!.close();
    }
  });
});
