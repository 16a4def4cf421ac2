import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fromParam, sign, standardWebhooks } from '@hookguard/core';
import { verifyWebhook } from '@hookguard/fastify';
import { deferred, type Deferred, FASTIFY_VERSIONS, JSON_TYPE, listen, send, startRequest, whsec, type TestServer } from './helpers.js';

const secret = whsec();

/** What the handler does for a message id. */
type Behaviour = 'ok' | 'throw' | 'status-500' | 'status-422' | 'wait' | 'hijack';

for (const { name, create } of FASTIFY_VERSIONS) {
  describe(`replay settlement on ${name}`, () => {
    let server: TestServer;
    const runs = new Map<string, number>();
    const behaviour = new Map<string, Behaviour[]>();
    const gates = new Map<string, { entered: Deferred; release: Deferred; closed: Deferred }>();
    const slowTenant: Record<'gate' | 'asked' | 'closed', Deferred> = { gate: deferred(), asked: deferred(), closed: deferred() };

    function delivery(id: string, path = '/hooks') {
      const payload = JSON.stringify({ type: 'order.paid', id });
      return { url: `${server.url}${path}`, options: { headers: { ...sign.standardWebhooks({ secret, body: payload, id }), ...JSON_TYPE }, body: payload } };
    }
    async function until(d: ReturnType<typeof delivery>, isDone: (status: number) => boolean) {
      // Bounded: the settle runs just after the answer is written.
      let r = await send(d.url, d.options);
      for (let i = 0; i < 50 && !isDone(r.status); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        r = await send(d.url, d.options);
      }
      return r;
    }

    before(async () => {
      const app = create();
      const handler = async (request: FastifyRequest, reply: FastifyReply) => {
        const id = request.webhook!.id!;
        runs.set(id, (runs.get(id) ?? 0) + 1);
        const step = behaviour.get(id)?.shift() ?? 'ok';
        if (step === 'throw') throw new Error('handler failed');
        if (step === 'status-500') return reply.code(500).send({ failed: true });
        if (step === 'status-422') return reply.code(422).send({ refused: true });
        if (step === 'hijack') {
          reply.hijack();
          reply.raw.writeHead(202, { 'content-type': 'application/json' });
          reply.raw.end(JSON.stringify({ hijacked: id }));
          return reply;
        }
        if (step === 'wait') {
          const gate = gates.get(id)!;
          reply.raw.once('close', () => gate.closed.resolve());
          gate.entered.resolve();
          await gate.release.promise;
        }
        return { processed: id };
      };
      app.post('/hooks', verifyWebhook({ scheme: standardWebhooks({ secret }) }, handler));
      // A tenant whose lookup waits, so the client can leave before the handler would run.
      app.post('/slow/:tenant', {
        ...verifyWebhook({
          scheme: standardWebhooks(),
          tenants: {
            resolve: fromParam(),
            lookup: async () => {
              slowTenant.asked.resolve();
              await slowTenant.gate.promise;
              return { secrets: [secret] };
            },
          },
        }, handler),
        onRequest: async (request: FastifyRequest) => {
          request.raw.socket.once('close', () => slowTenant.closed.resolve());
        },
      });
      server = await listen(app);
    });
    after(() => server.close());

    test('a duplicate after success is acknowledged with 200 {duplicate:true} and the handler does not run again', async () => {
      const d = delivery('msg_dup_1');
      const first = await send(d.url, d.options);
      assert.equal(first.status, 200);
      assert.deepEqual(first.json(), { processed: 'msg_dup_1' });
      const second = await until(d, (s) => s !== 409);
      assert.equal(second.status, 200);
      assert.deepEqual(second.json(), { received: true, duplicate: true });
      assert.equal(runs.get('msg_dup_1'), 1);
    });

    test('8 concurrent copies: the handler runs once; the others are 409 REPLAY_IN_FLIGHT or acknowledged duplicates', async () => {
      const id = 'msg_concurrent_1';
      const d = delivery(id);
      const answers = await Promise.all(Array.from({ length: 8 }, () => send(d.url, d.options)));
      assert.equal(runs.get(id), 1);
      const processed = answers.filter((a) => a.status === 200 && a.json().processed === id);
      assert.equal(processed.length, 1);
      for (const a of answers) if (a !== processed[0]) assert.ok(a.status === 409 ? a.json().code === 'REPLAY_IN_FLIGHT' : a.json().duplicate === true, a.text);
    });

    test('a duplicate while the first is in flight: 409 REPLAY_IN_FLIGHT with Retry-After', async () => {
      const id = 'msg_inflight_1';
      behaviour.set(id, ['wait']);
      gates.set(id, { entered: deferred(), release: deferred(), closed: deferred() });
      const d = delivery(id);
      const first = send(d.url, d.options);
      await gates.get(id)!.entered.promise;
      const second = await send(d.url, d.options);
      assert.equal(second.status, 409);
      assert.equal(second.json().code, 'REPLAY_IN_FLIGHT');
      assert.ok(second.headers['retry-after']);
      gates.get(id)!.release.resolve();
      assert.equal((await first).status, 200);
      assert.equal(runs.get(id), 1);
      const third = await until(d, (s) => s !== 409);
      assert.deepEqual(third.json(), { received: true, duplicate: true });
    });

    test('a handler that throws: 500, the key is released and the retry is processed', async () => {
      const id = 'msg_throw_1';
      behaviour.set(id, ['throw']);
      const d = delivery(id);
      const first = await send(d.url, d.options);
      assert.equal(first.status, 500);
      const retry = await until(d, (s) => s !== 409);
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.json(), { processed: id });
      assert.equal(runs.get(id), 2);
      const again = await until(d, (s) => s !== 409);
      assert.deepEqual(again.json(), { received: true, duplicate: true });
      assert.equal(runs.get(id), 2);
    });

    test('a handler that answers 500: released, the retry is processed; one that answers 422: committed', async () => {
      const id = 'msg_500_1';
      behaviour.set(id, ['status-500']);
      const d = delivery(id);
      assert.equal((await send(d.url, d.options)).status, 500);
      const retry = await until(d, (s) => s !== 409);
      assert.deepEqual(retry.json(), { processed: id });
      assert.equal(runs.get(id), 2);
      const refused = 'msg_422_1';
      behaviour.set(refused, ['status-422']);
      const r = delivery(refused);
      assert.equal((await send(r.url, r.options)).status, 422);
      const copy = await until(r, (s) => s !== 409);
      assert.deepEqual(copy.json(), { received: true, duplicate: true });
      assert.equal(runs.get(refused), 1);
    });

    test('a handler that hijacks the reply: settled when its raw response finishes', async () => {
      const id = 'msg_hijack_1';
      behaviour.set(id, ['hijack']);
      const d = delivery(id);
      const first = await send(d.url, d.options);
      assert.equal(first.status, 202);
      const copy = await until(d, (s) => s !== 409);
      assert.deepEqual(copy.json(), { received: true, duplicate: true });
      assert.equal(runs.get(id), 1);
    });

    test('the client hangs up while the handler runs: the key stays reserved, the handler runs once', async () => {
      const id = 'msg_gone_1';
      behaviour.set(id, ['wait']);
      const gate = { entered: deferred(), release: deferred(), closed: deferred() };
      gates.set(id, gate);
      const d = delivery(id);
      const pending = startRequest(d.url, d.options);
      pending.response.catch(() => {
        // The client hung up on purpose.
      });
      await gate.entered.promise;
      pending.abort();
      await gate.closed.promise;
      for (let i = 0; i < 4; i++) {
        const copy = await send(d.url, d.options);
        assert.equal(copy.status, 409);
        assert.equal(copy.json().code, 'REPLAY_IN_FLIGHT');
      }
      // The first handler finishes with 200 on the dead connection: that commits.
      gate.release.resolve();
      const again = await until(d, (s) => s !== 409);
      assert.deepEqual(again.json(), { received: true, duplicate: true });
      assert.equal(runs.get(id), 1);
    });

    test('the client disconnects before verification ends: the handler is not run and the retry is processed', async () => {
      const id = 'msg_slow_1';
      const d = delivery(id, '/slow/acme');
      const pending = startRequest(d.url, d.options);
      pending.response.catch(() => {
        // The client hung up on purpose.
      });
      await slowTenant.asked.promise;
      pending.abort();
      await slowTenant.closed.promise;
      slowTenant.gate.resolve();
      const retry = await until(d, (s) => s !== 409);
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.json(), { processed: id });
      assert.equal(runs.get(id), 1);
    });
  });
}
