// Answers that do not come from the handler: a timeout hook's 503 while the handler still runs, a
// preHandler that replies before the handler (in either order of hooks, with or without an async
// onSend holding the reply back), an onSend hook that fails after the handler answered. The key
// must never be released while the handler runs (a second copy would run beside it), and must never
// be committed for a handler that did not run (the delivery would be lost).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sign, standardWebhooks, WebhookConfigError } from '@hookguard/core';
import { hookguard, verifyWebhook } from '@hookguard/fastify';
import { deferred, type Deferred, FASTIFY_VERSIONS, JSON_TYPE, listen, send, startRequest, whsec, type TestServer } from './helpers.js';

const secret = whsec();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Standard Webhooks delivery of message `id` to `path`. */
function signedDelivery(base: string, id: string, path: string) {
  const payload = JSON.stringify({ type: 'order.paid', id });
  return { url: `${base}${path}`, options: { headers: { ...sign.standardWebhooks({ secret, body: payload, id }), ...JSON_TYPE }, body: payload } };
}

for (const { name, create } of FASTIFY_VERSIONS) {
  describe(`answers from outside the handler on ${name}`, () => {
    let server: TestServer;
    const runs = new Map<string, number>();
    const finished = new Map<string, number>();
    const gates = new Map<string, { entered: Deferred; release: Deferred }>();
    // Ids whose first delivery a preHandler answers (once each).
    const refuseOnce = new Set<string>();
    const failSendOnce = new Set<string>();

    const delivery = (id: string, path: string) => signedDelivery(server.url, id, path);
    /** Sends until the answer is no longer 409 REPLAY_IN_FLIGHT (bounded: 50 tries, 10 ms apart). */
    async function settled(d: ReturnType<typeof delivery>) {
      let r = await send(d.url, d.options);
      for (let i = 0; i < 50 && r.status === 409 && r.json().code === 'REPLAY_IN_FLIGHT'; i++) {
        await sleep(10);
        r = await send(d.url, d.options);
      }
      return r;
    }

    const handler = async (request: FastifyRequest) => {
      const id = request.webhook!.id!;
      runs.set(id, (runs.get(id) ?? 0) + 1);
      const gate = gates.get(id);
      if (gate) {
        gate.entered.resolve();
        await gate.release.promise;
      }
      finished.set(id, (finished.get(id) ?? 0) + 1);
      return { processed: id };
    };

    before(async () => {
      const app = create({ logger: false });
      await app.register(hookguard);
      // A timeout hook, as @fastify/under-pressure or a hand-written one answers: 503 after 50 ms.
      const timeout = async (_request: FastifyRequest, reply: FastifyReply) => {
        const timer = setTimeout(() => {
          if (!reply.sent) void reply.code(503).send({ timeout: true });
        }, 50);
        // The response's close, not the request's: a request closes once its body is read.
        reply.raw.once('close', () => clearTimeout(timer));
      };
      app.post('/timeout', { ...verifyWebhook({ scheme: standardWebhooks({ secret }) }, handler), onRequest: [timeout] });
      app.post('/timeout-plugin', { onRequest: [timeout], config: { webhook: { scheme: standardWebhooks({ secret }) } } }, handler);
      // A preHandler (an auth check of the app) that answers 403 once per id, returning the reply.
      const refuse = async (request: FastifyRequest, reply: FastifyReply) => {
        const id = request.webhook?.id ?? '';
        if (!refuseOnce.delete(id)) return;
        return reply.code(403).send({ refused: true });
      };
      app.post('/refused', { ...verifyWebhook({ scheme: standardWebhooks({ secret }) }, handler), preHandler: [refuse] });
      app.post('/refused-plugin', { preHandler: [refuse], config: { webhook: { scheme: standardWebhooks({ secret }) } } }, handler);
      // The same, forgetting `return reply`, behind an async onSend: Fastify calls the handler anyway.
      await app.register(async (scope) => {
        scope.addHook('onSend', async (_request, _reply, payload) => {
          await sleep(5);
          return payload;
        });
        scope.post('/refused-late', {
          ...verifyWebhook({ scheme: standardWebhooks({ secret }) }, handler),
          preHandler: [
            async (request: FastifyRequest, reply: FastifyReply) => {
              if (refuseOnce.delete(request.webhook?.id ?? '')) void reply.code(403).send({ refused: true });
            },
          ],
        });
      });
      // An onSend hook of the app that fails once after the handler answered: Fastify answers 500.
      await app.register(async (scope) => {
        scope.addHook('onSend', async (request, _reply, payload) => {
          const id = (request as FastifyRequest).webhook?.id ?? '';
          if (failSendOnce.delete(id)) throw new Error('onSend failed');
          return payload;
        });
        scope.post('/send-fails', verifyWebhook({ scheme: standardWebhooks({ secret }) }, handler));
      });
      server = await listen(app);
    });
    after(() => server.close());

    for (const path of ['/timeout', '/timeout-plugin']) {
      test(`${path}: a 503 sent by a timeout hook while the handler runs does not free the key until the handler returned`, async () => {
        const id = `msg_timeout_${path.slice(1)}`;
        const gate = { entered: deferred(), release: deferred() };
        gates.set(id, gate);
        const d = delivery(id, path);
        const first = await send(d.url, d.options);
        assert.equal(first.status, 503);
        assert.deepEqual(first.json(), { timeout: true });
        await gate.entered.promise;
        // The sender's retry while the first handler still runs: held off, not run beside it.
        for (let i = 0; i < 3; i++) {
          const copy = await send(d.url, d.options);
          assert.equal(copy.status, 409);
          assert.equal(copy.json().code, 'REPLAY_IN_FLIGHT');
        }
        assert.equal(runs.get(id), 1);
        gates.delete(id);
        gate.release.resolve();
        // The sender was told 503: once the handler returned the key is released and the retry runs.
        const retry = await settled(d);
        assert.equal(retry.status, 200);
        assert.deepEqual(retry.json(), { processed: id });
        assert.equal(runs.get(id), 2);
        assert.equal(finished.get(id), 2);
      });
    }

    for (const path of ['/refused', '/refused-plugin']) {
      test(`${path}: a preHandler that answers 403 before the handler releases the key; the next copy is processed`, async () => {
        const id = `msg_refused_${path.slice(1)}`;
        refuseOnce.add(id);
        const d = delivery(id, path);
        const first = await send(d.url, d.options);
        assert.equal(first.status, 403);
        assert.deepEqual(first.json(), { refused: true });
        await sleep(20);
        assert.equal(runs.get(id), undefined, 'the handler must not run after an answer began');
        const next = await settled(d);
        assert.equal(next.status, 200);
        assert.deepEqual(next.json(), { processed: id });
        assert.equal(runs.get(id), 1);
        const copy = await settled(d);
        assert.deepEqual(copy.json(), { received: true, duplicate: true });
        assert.equal(runs.get(id), 1);
      });
    }

    test('/refused-late: a preHandler that replies without `return reply`, behind an async onSend: Fastify still calls the handler; it ran, so the key is committed and it never runs again', async () => {
      const id = 'msg_refused_late';
      refuseOnce.add(id);
      const d = delivery(id, '/refused-late');
      const first = await send(d.url, d.options);
      assert.equal(first.status, 403);
      await sleep(20);
      // Fastify's documented behaviour for an async hook that answers without returning the reply.
      assert.equal(runs.get(id), 1);
      for (let i = 0; i < 2; i++) {
        const copy = await settled(d);
        assert.equal(copy.status, 200);
        assert.deepEqual(copy.json(), { received: true, duplicate: true });
      }
      assert.equal(runs.get(id), 1);
    });

    test('/send-fails: an onSend hook that fails after the handler answered: the sender gets 500, the key follows that answer (released), never while running', async () => {
      const id = 'msg_send_fails';
      failSendOnce.add(id);
      const d = delivery(id, '/send-fails');
      const first = await send(d.url, d.options);
      assert.equal(first.status, 500);
      assert.equal(runs.get(id), 1);
      const retry = await settled(d);
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.json(), { processed: id });
      assert.equal(runs.get(id), 2);
      const copy = await settled(d);
      assert.deepEqual(copy.json(), { received: true, duplicate: true });
    });
  });
}

describe('verifyWebhook without a handler', () => {
  test('throws WebhookConfigError at declaration: the handler is needed to know when it ran', () => {
    const call = verifyWebhook as unknown as (options: unknown) => unknown;
    assert.throws(() => call({ scheme: standardWebhooks({ secret }) }), (e: unknown) => e instanceof WebhookConfigError && /needs the route handler/.test(e.message));
  });
});

for (const { name, create } of FASTIFY_VERSIONS) {
  describe(`hang-ups without an answer, and hookguard applied twice, on ${name}`, () => {
    let server: TestServer;
    const runs = new Map<string, number>();
    const gates = new Map<string, { entered: Deferred; release: Deferred; closed: Deferred }>();
    const delivery = (id: string, path: string) => signedDelivery(server.url, id, path);
    // Waits in the handler until released; what it does then depends on the route.
    const held = (then: (request: FastifyRequest, reply: FastifyReply) => unknown) => async (request: FastifyRequest, reply: FastifyReply) => {
      const id = request.webhook!.id!;
      runs.set(id, (runs.get(id) ?? 0) + 1);
      const gate = gates.get(id);
      if (gate) {
        reply.raw.once('close', () => gate.closed.resolve());
        gate.entered.resolve();
        await gate.release.promise;
      }
      return then(request, reply);
    };

    before(async () => {
      const app = create({ logger: false });
      await app.register(hookguard);
      // Resolves undefined without sending (Fastify 5 then sends nothing on a dead socket).
      app.post('/silent-undefined', verifyWebhook({ scheme: standardWebhooks({ secret }) }, held(() => undefined)));
      // Hijacks and ends the raw response after the client left.
      app.post('/hijacked', verifyWebhook({ scheme: standardWebhooks({ secret }) }, held((_request, reply) => {
        reply.hijack();
        reply.raw.writeHead(202).end();
        return reply;
      })));
      // The plugin registered again in a child scope: still one verification per request.
      await app.register(async (child) => {
        await child.register(hookguard);
        child.post('/twice', { config: { webhook: { scheme: standardWebhooks({ secret }) } } }, held(() => ({ ok: true })));
      });
      server = await listen(app);
    });
    after(() => server.close());

    for (const path of ['/silent-undefined', '/hijacked'])
      test(`${path}: the client hangs up, the handler then returns without an answer going out: its outcome commits, no second run`, async () => {
        const id = `msg_hangup_${path.slice(1)}`;
        const gate = { entered: deferred(), release: deferred(), closed: deferred() };
        gates.set(id, gate);
        const d = delivery(id, path);
        const pending = startRequest(d.url, d.options);
        pending.response.catch(() => {
          // The client hung up on purpose.
        });
        await gate.entered.promise;
        pending.abort();
        await gate.closed.promise;
        gates.delete(id);
        gate.release.resolve();
        await sleep(50);
        const copy = await send(d.url, d.options);
        assert.equal(copy.status, 200, copy.text);
        assert.deepEqual(copy.json(), { received: true, duplicate: true });
        assert.equal(runs.get(id), 1);
      });

    test('/twice: the plugin registered at the root and again in a child scope verifies once (200, then DUPLICATE)', async () => {
      const d = delivery('msg_twice', '/twice');
      const first = await send(d.url, d.options);
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.json(), { ok: true });
      const copy = await send(d.url, d.options);
      assert.deepEqual(copy.json(), { received: true, duplicate: true });
      assert.equal(runs.get('msg_twice'), 1);
    });

    test('verifyWebhook() spread into a route that also names config.webhook: WebhookConfigError when the route is declared', async () => {
      const app = create({ logger: false });
      await app.register(hookguard);
      assert.throws(
        () => app.post('/both', { ...verifyWebhook({ scheme: standardWebhooks({ secret }) }, async () => ({})), config: { webhook: { scheme: standardWebhooks({ secret }) } } }),
        (e: unknown) => e instanceof WebhookConfigError && /already spreads verifyWebhook/.test(e.message),
      );
      await app.close().catch(() => undefined);
    });
  });
}
