import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyError } from 'fastify';
import { isWebhookVerificationError, sign, standardWebhooks, type WebhookVerificationError } from '@hookguard/core';
import { verifyWebhook } from '@hookguard/fastify';
import { FASTIFY_VERSIONS, JSON_TYPE, listen, send, whsec, type TestServer } from './helpers.js';

const secret = whsec();
const signed = (body: string, id = `msg_${Math.random().toString(36).slice(2)}`, type = 'application/json') => ({ headers: { ...sign.standardWebhooks({ secret, body, id }), 'content-type': type }, body });
const settleTime = () => new Promise((resolve) => setTimeout(resolve, 50));

for (const { name, create } of FASTIFY_VERSIONS) {
  describe(`hardening on ${name}`, () => {
    let server: TestServer;
    let handled = 0;
    const rejected: string[] = [];
    const errorHandler: string[] = [];

    before(async () => {
      const app = create();
      // An async onSend on every route (as compression is): an early answer is written a tick
      // later, and Fastify meanwhile goes on with the request.
      app.addHook('onSend', async (_request, _reply, payload) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return payload;
      });
      const handler = async () => {
        handled++;
        return { handled: true };
      };
      app.post('/hooks', verifyWebhook({ scheme: standardWebhooks({ secret }), maxBodyBytes: 1024, onRejected: (e) => void rejected.push(e.code) }, handler));
      // Another plugin's preParsing on a scope reads the body first.
      await app.register(async (scope) => {
        scope.addHook('preParsing', async (_request, _reply, payload) => {
          for await (const _chunk of payload) {
            // Drained.
          }
        });
        scope.post('/drained', verifyWebhook({ scheme: standardWebhooks({ secret }) }, handler));
      });
      // The route's own preParsing replaced hookguard's (a spread in the wrong order).
      app.post('/clobbered', { ...verifyWebhook({ scheme: standardWebhooks({ secret }) }, handler), preParsing: [] });
      await app.register(async (scope) => {
        scope.setErrorHandler((error: FastifyError, _request, reply) => {
          const code = isWebhookVerificationError(error) ? (error as unknown as WebhookVerificationError).code : 'other';
          errorHandler.push(code);
          return reply.code(error.statusCode ?? 500).send({ mine: code });
        });
        scope.post('/throwing', verifyWebhook({ scheme: standardWebhooks({ secret }), onError: 'throw' }, handler));
      });
      server = await listen(app);
    });
    after(() => server.close());

    test('an unsigned empty POST without Content-Type, with an async onSend delaying the 401: the handler never runs', async () => {
      const before = handled;
      const r = await send(`${server.url}/hooks`, {});
      assert.equal(r.status, 401);
      assert.equal(r.json().code, 'MISSING_SIGNATURE');
      await settleTime();
      assert.equal(handled, before);
    });

    test('a signed delivery still passes with that onSend', async () => {
      const r = await send(`${server.url}/hooks`, signed('{"a":1}'));
      assert.equal(r.status, 200, r.text);
    });

    test('oversized: 413 BODY_TOO_LARGE, reported to onRejected', async () => {
      const r = await send(`${server.url}/hooks`, signed(JSON.stringify({ pad: 'x'.repeat(2000) })));
      assert.equal(r.status, 413);
      assert.equal(r.json().code, 'BODY_TOO_LARGE');
      assert.ok(rejected.includes('BODY_TOO_LARGE'));
    });

    test('a body another preParsing hook already read: 500 RAW_BODY_UNAVAILABLE, the handler does not run', async () => {
      const before = handled;
      const r = await send(`${server.url}/drained`, signed('{"a":1}'));
      assert.equal(r.status, 500);
      assert.equal(r.json().code, 'RAW_BODY_UNAVAILABLE');
      await settleTime();
      assert.equal(handled, before);
    });

    test("a route whose preParsing lost hookguard's hook: 500 RAW_BODY_UNAVAILABLE from the gate, never the handler", async () => {
      const before = handled;
      const r = await send(`${server.url}/clobbered`, signed('{"a":1}'));
      assert.equal(r.status, 500);
      assert.equal(r.json().code, 'RAW_BODY_UNAVAILABLE');
      assert.match(r.json().detail, /preParsing/);
      await settleTime();
      assert.equal(handled, before);
    });

    test("onError: 'throw' hands the error to Fastify's error handler with its status; a duplicate is still acknowledged", async () => {
      const r = await send(`${server.url}/throwing`, { headers: JSON_TYPE, body: '{}' });
      assert.equal(r.status, 401);
      assert.deepEqual(r.json(), { mine: 'MISSING_SIGNATURE' });
      const d = signed('{"a":2}', 'msg_throw_dup');
      assert.equal((await send(`${server.url}/throwing`, d)).status, 200);
      await settleTime();
      const dup = await send(`${server.url}/throwing`, d);
      assert.equal(dup.status, 200);
      assert.deepEqual(dup.json(), { received: true, duplicate: true });
      assert.deepEqual(errorHandler, ['MISSING_SIGNATURE']);
    });
  });
}

for (const { name, create } of FASTIFY_VERSIONS) {
  test(`${name}: a config.webhook route declared before the plugin loaded (register not awaited) is refused, never run unverified`, async () => {
    const app = create();
    let runs = 0;
    void app.register((await import('@hookguard/fastify')).hookguard);
    app.post('/early', { config: { webhook: { scheme: standardWebhooks({ secret }) } } }, async () => {
      runs++;
      return { ran: true };
    });
    const server = await listen(app);
    try {
      const r = await send(`${server.url}/early`, { headers: JSON_TYPE, body: '{"a":1}' });
      assert.equal(r.status, 500);
      assert.equal(r.json().code, 'RAW_BODY_UNAVAILABLE');
      assert.match(r.json().detail, /before the hookguard plugin loaded/);
      await settleTime();
      assert.equal(runs, 0);
    } finally {
      await server.close();
    }
  });
}
