// A client that hangs up mid-handler never frees the reservation: the handler's own outcome settles
// the key (success commits, failure releases), through Express 4, Express 5, Koa and NestJS, each a
// real server on 127.0.0.1. Senders hang up again and again while the first handler still runs:
// the handler runs once, every copy meanwhile gets 409 REPLAY_IN_FLIGHT. With a shared Redis, the
// same holds across two instances of each adapter.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { RedisReplayStore } from '@hookguard/redis';
import { describeWithRedis, RedisServer } from '@hookguard/testkit';
import type { RunningServer } from './lib/fixture.js';
import { ADAPTERS } from './lib/adapters.js';
import { nextId, standard, tenantBody, type Delivery } from './lib/deliveries.js';

const HANGUPS = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Reply = { status: number; body: { code?: string; ok?: boolean; received?: boolean; duplicate?: boolean } } | 'hung-up';

/**
 * Sends the delivery whole over a fresh connection. When `hangUp` settles before the answer arrives,
 * the socket is destroyed (the client hangs up) and the result is 'hung-up'. Bounded: 10 s.
 */
function deliver(base: string, d: Delivery, hangUp?: Promise<unknown>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const url = new URL(d.path, base);
    const body = Buffer.from(d.body);
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false,
      headers: { ...d.headers, 'content-length': String(body.length) },
    });
    let done = false;
    const finish = (r: Reply | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const timer = setTimeout(() => (req.destroy(), finish(new Error(`no answer from ${d.path} in 10 s`))), 10_000);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Exclude<Reply, 'hung-up'>['body'] = {};
        try {
          parsed = JSON.parse(text) as typeof parsed;
        } catch {
          // not JSON: only the status is checked then
        }
        finish({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    // After a hang-up of ours, `done` is set and the socket's error is ignored.
    req.on('error', (e) => finish(new Error(`${d.path}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    void hangUp?.then(() => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve('hung-up');
    });
    req.end(body);
  });
}

const describeReply = (r: Reply) => (r === 'hung-up' ? r : `${r.status} ${r.body.code ?? JSON.stringify(r.body)}`);

/** Sends copies until one is answered other than 409 (the handler's outcome landed). Bounded: 100 tries, 20 ms apart. */
async function untilSettled(base: string, d: Delivery): Promise<Reply> {
  let r: Reply = 'hung-up';
  for (let i = 0; i < 100; i++) {
    r = await deliver(base, d);
    if (r !== 'hung-up' && r.status !== 409) return r;
    await sleep(20);
  }
  return r;
}

for (const adapter of ADAPTERS) {
  describe(`a hang-up mid-handler never frees the reservation: ${adapter.name}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await adapter.start();
    });
    after(async () => {
      await server?.close();
    });

    /**
     * The first delivery's handler starts and its client hangs up; then HANGUPS - 1 more senders each
     * send a copy and hang up as soon as a handler runs for it (or after 500 ms), then one copy is
     * sent whole. The first handler is still running throughout: it ran once, and every copy got 409.
     * Then the handler is let go; returns the answer to a copy once its outcome landed.
     */
    async function hangUpRepeatedly(d: Delivery, id: string): Promise<Exclude<Reply, 'hung-up'>> {
      const first = await deliver(server.url, d, server.log.whenRunning('tenants', id));
      assert.equal(first, 'hung-up', 'the first client hangs up while its handler runs');
      const replies: Reply[] = [];
      for (let i = 1; i < HANGUPS; i++) {
        // Time for the server to see the close, as a sender's retry would give it.
        await sleep(50);
        replies.push(await deliver(server.url, d, Promise.race([server.log.whenRunning('tenants', id), sleep(500)])));
      }
      await sleep(50);
      replies.push(await deliver(server.url, d));
      const runs = server.log.count('tenants', id);
      assert.equal(runs, 1, `the handler ran once (ran ${runs} times) while copies came in: ${replies.map(describeReply).join(', ')}`);
      // A copy whose sender gives up after 500 ms may not see its 409 on a loaded machine; what counts is
      // that none ran the handler (above) and that the copy sent whole is answered 409.
      for (const r of replies.slice(0, -1)) assert.ok(['409 REPLAY_IN_FLIGHT', 'hung-up'].includes(describeReply(r)), `copy answered ${describeReply(r)}`);
      assert.equal(describeReply(replies[replies.length - 1]!), '409 REPLAY_IN_FLIGHT', 'the copy sent whole during the first run is in flight');
      server.log.open('tenants', id);
      const after = await untilSettled(server.url, d);
      if (after === 'hung-up') return assert.fail('the copy was not answered');
      return after;
    }

    test(`${HANGUPS} hang-ups mid-handler, then the whole delivery: the handler runs once, success commits`, async () => {
      const id = nextId('hangup_ok');
      const d = standard({ id, body: tenantBody('acme', { behavior: 'slow' }) });
      const after = await hangUpRepeatedly(d, id);
      assert.equal(after.status, 200);
      assert.deepEqual(after.body, { received: true, duplicate: true }, 'the handler succeeded: a copy is acknowledged');
      assert.equal(server.log.count('tenants', id), 1, 'the handler ran exactly once');
    });

    for (const behavior of ['slow-fail', 'slow-throw'] as const) {
      test(`hang-up, then the handler ${behavior === 'slow-fail' ? 'answers 500' : 'throws'}: released, the retry runs the handler`, async () => {
        const id = nextId(`hangup_${behavior.replace('-', '_')}`);
        const d = standard({ id, body: tenantBody('acme', { behavior }) });
        const retry = await hangUpRepeatedly(d, id);
        assert.equal(retry.status, 200, describeReply(retry));
        assert.equal(retry.body.ok, true, 'the retry ran the handler');
        assert.equal(server.log.count('tenants', id), 2, 'the failed run and the retry');
      });
    }
  });
}

describeWithRedis('a hang-up mid-handler never frees the reservation: two instances sharing one Redis', () => {
  let redis: RedisServer;
  const stores: RedisReplayStore[] = [];
  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    await Promise.allSettled(stores.map((s) => s.client.quit()));
    await redis?.stop();
  });

  for (const adapter of ADAPTERS) {
    test(`${adapter.name}: hang-ups at instance A, copies to instance B get 409, the handler runs once in total`, async () => {
      const store = () => {
        const s = new RedisReplayStore({ url: redis.url, keyPrefix: `hookguard-hangup-${adapter.name}:` });
        stores.push(s);
        return s;
      };
      const a = await adapter.start(store());
      const b = await adapter.start(store());
      try {
        const id = nextId('hangup_redis');
        const d = standard({ id, body: tenantBody('acme', { behavior: 'slow' }) });
        const total = () => a.log.count('tenants', id) + b.log.count('tenants', id);
        assert.equal(await deliver(a.url, d, a.log.whenRunning('tenants', id)), 'hung-up');
        const replies: Reply[] = [];
        for (let i = 1; i < HANGUPS; i++) {
          await sleep(50);
          // A copy at A, then one at B; each sender hangs up if a handler starts for it.
          const at = i % 2 ? b : a;
          replies.push(await deliver(at.url, d, Promise.race([at.log.whenRunning('tenants', id), sleep(500)])));
        }
        await sleep(50);
        replies.push(await deliver(b.url, d));
        assert.equal(total(), 1, `the handler ran once in total (ran ${total()} times): ${replies.map(describeReply).join(', ')}`);
        // As above: a sender that gives up after its wait may not see its 409 on a loaded machine (CI
        // once saw one such copy at B); none ran the handler (above), and the copy sent whole is 409.
        for (const r of replies.slice(0, -1)) assert.ok(['409 REPLAY_IN_FLIGHT', 'hung-up'].includes(describeReply(r)), `copy answered ${describeReply(r)}`);
        assert.equal(describeReply(replies[replies.length - 1]!), '409 REPLAY_IN_FLIGHT', 'the copy sent whole during the first run is in flight');
        a.log.open('tenants', id);
        const after = await untilSettled(b.url, d);
        if (after === 'hung-up') return assert.fail('the copy was not answered');
        assert.deepEqual(after.body, { received: true, duplicate: true }, 'committed in Redis: instance B acknowledges the copy');
        assert.equal(total(), 1);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  }
});
