import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import Router from '@koa/router';
import { fromParam, sign, standardWebhooks } from '@hookguard/core';
import { verifyWebhook, type WebhookState } from '@hookguard/koa';
import { deferred, type Deferred, JSON_TYPE, KOA_VERSIONS, listen, send, startRequest, whsec, type TestServer } from './helpers.js';

const secret = whsec();

/** What the handler does for a message id. */
type Behaviour = 'ok' | 'throw' | 'status-500' | 'wait';

for (const { name, Koa } of KOA_VERSIONS) {
  describe(`replay settlement on ${name}`, () => {
    let server: TestServer;
    const runs = new Map<string, number>();
    const behaviour = new Map<string, Behaviour[]>();
    const gates = new Map<string, { entered: Deferred; release: Deferred; closed: Deferred }>();
    const slowTenant: Record<'gate' | 'asked' | 'closed', Deferred> = { gate: deferred(), asked: deferred(), closed: deferred() };

    function delivery(id: string, tenantPath = '/hooks') {
      const payload = JSON.stringify({ type: 'order.paid', id });
      return { url: `${server.url}${tenantPath}`, options: { headers: { ...sign.standardWebhooks({ secret, body: payload, id }), ...JSON_TYPE }, body: payload } };
    }

    before(async () => {
      const app = new Koa();
      const router = new Router();
      const handler = async (ctx: { state: unknown; res: NodeJS.EventEmitter; status: number; body: unknown }) => {
        const { webhook } = ctx.state as WebhookState;
        const id = webhook.id!;
        runs.set(id, (runs.get(id) ?? 0) + 1);
        const step = behaviour.get(id)?.shift() ?? 'ok';
        if (step === 'throw') throw new Error('handler failed');
        if (step === 'status-500') {
          ctx.status = 500;
          ctx.body = { failed: true };
          return;
        }
        if (step === 'wait') {
          const gate = gates.get(id)!;
          ctx.res.once('close', () => gate.closed.resolve());
          gate.entered.resolve();
          await gate.release.promise;
        }
        ctx.body = { processed: id };
      };
      router.post('/hooks', verifyWebhook({ scheme: standardWebhooks({ secret }) }), handler);
      // A tenant whose lookup waits, so the client can leave before the handler would run.
      router.post(
        '/slow/:tenant',
        async (ctx, next) => {
          ctx.res.once('close', () => slowTenant.closed.resolve());
          await next();
        },
        verifyWebhook({
          scheme: standardWebhooks(),
          tenants: {
            resolve: fromParam(),
            lookup: async () => {
              slowTenant.asked.resolve();
              await slowTenant.gate.promise;
              return { secrets: [secret] };
            },
          },
        }),
        handler,
      );
      app.use(router.routes());
      server = await listen(app);
    });
    after(() => server.close());

    test('a duplicate after success is acknowledged with 200 {duplicate:true} and the handler does not run again', async () => {
      const d = delivery('msg_dup_1');
      const first = await send(d.url, d.options);
      assert.equal(first.status, 200);
      assert.deepEqual(first.json(), { processed: 'msg_dup_1' });
      const second = await send(d.url, d.options);
      assert.equal(second.status, 200);
      assert.deepEqual(second.json(), { received: true, duplicate: true });
      assert.equal(runs.get('msg_dup_1'), 1);
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
      const third = await send(d.url, d.options);
      assert.deepEqual(third.json(), { received: true, duplicate: true });
    });

    test('a handler that throws: 500, the key is released and the retry is processed', async () => {
      const id = 'msg_throw_1';
      behaviour.set(id, ['throw']);
      const d = delivery(id);
      const first = await send(d.url, d.options);
      assert.equal(first.status, 500);
      const retry = await send(d.url, d.options);
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.json(), { processed: id });
      assert.equal(runs.get(id), 2);
      const again = await send(d.url, d.options);
      assert.deepEqual(again.json(), { received: true, duplicate: true });
      assert.equal(runs.get(id), 2);
    });

    test('a handler that sets 500: the key is released and the retry is processed', async () => {
      const id = 'msg_500_1';
      behaviour.set(id, ['status-500']);
      const d = delivery(id);
      const first = await send(d.url, d.options);
      assert.equal(first.status, 500);
      assert.deepEqual(first.json(), { failed: true });
      const retry = await send(d.url, d.options);
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.json(), { processed: id });
      assert.equal(runs.get(id), 2);
    });

    test('the client hangs up while the handler runs: the key stays reserved, the handler runs once', async () => {
      const id = 'msg_gone_1';
      behaviour.set(id, ['wait']);
      const gate: { entered: Deferred; release: Deferred; closed: Deferred } = { entered: deferred(), release: deferred(), closed: deferred() };
      gates.set(id, gate);
      const d = delivery(id);
      const pending = startRequest(d.url, d.options);
      pending.response.catch(() => {
        // The client hung up on purpose.
      });
      await gate.entered.promise;
      pending.abort();
      await gate.closed.promise;
      // Copies while the first handler still runs are in flight, however often their senders hang up.
      for (let i = 0; i < 4; i++) {
        const copy = await send(d.url, d.options);
        assert.equal(copy.status, 409);
        assert.equal(copy.json().code, 'REPLAY_IN_FLIGHT');
      }
      // The first handler finishes with 200: that commits.
      gate.release.resolve();
      let again = await send(d.url, d.options);
      for (let i = 0; i < 50 && again.status === 409; i++) {
        await new Promise((r) => setTimeout(r, 10));
        again = await send(d.url, d.options);
      }
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
      const retry = await send(d.url, d.options);
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.json(), { processed: id });
      assert.equal(runs.get(id), 1);
    });
  });
}
