import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Router from '@koa/router';
import { createVerifier, isWebhookVerificationError, sign, standardWebhooks, WebhookConfigError } from '@hookguard/core';
import { verifyWebhook, type WebhookState } from '@hookguard/koa';
import { JSON_TYPE, KOA_VERSIONS, listen, send, whsec, type TestServer } from './helpers.js';

const secret = whsec();

function signed(payload: string, id?: string) {
  return { headers: { ...sign.standardWebhooks({ secret, body: payload, ...(id ? { id } : {}) }), ...JSON_TYPE }, body: payload };
}

test('options are checked when the middleware is created', () => {
  assert.throws(() => verifyWebhook({} as never), WebhookConfigError);
  assert.throws(() => verifyWebhook({ scheme: standardWebhooks({ secret }), onError: 'log' as never }), WebhookConfigError);
  const verifier = createVerifier({ scheme: standardWebhooks({ secret }) });
  assert.throws(() => verifyWebhook({ verifier, scheme: standardWebhooks({ secret }) } as never), /not both/);
  assert.throws(() => verifyWebhook({ verifier: {} as never }), WebhookConfigError);
});

for (const { name, Koa } of KOA_VERSIONS) {
  describe(`onError and prebuilt verifiers on ${name}`, () => {
    let server: TestServer;
    const caught: Array<{ code: string; status: number; expose: unknown }> = [];
    let prebuiltRuns = 0;

    before(async () => {
      const app = new Koa();
      // The app's own error middleware, outermost.
      app.use(async (ctx, next) => {
        if (!ctx.path.startsWith('/custom')) return next();
        try {
          await next();
        } catch (err) {
          if (!isWebhookVerificationError(err)) throw err;
          caught.push({ code: err.code, status: err.status, expose: (err as { expose?: unknown }).expose });
          ctx.status = err.status;
          ctx.body = { error: err.code, handledBy: 'app' };
        }
      });
      const router = new Router();
      const throwing = verifyWebhook({ scheme: standardWebhooks({ secret }), onError: 'throw' });
      router.post('/custom', throwing, (ctx) => {
        ctx.body = { ok: true };
      });
      // No error middleware: Koa's default handler answers.
      router.post('/default', verifyWebhook({ scheme: standardWebhooks({ secret }), onError: 'throw', maxBodyBytes: 64 }), (ctx) => {
        ctx.body = { ok: true };
      });
      const verifier = createVerifier({ scheme: standardWebhooks({ secret }) });
      router.post('/prebuilt', verifyWebhook({ verifier }), (ctx) => {
        prebuiltRuns++;
        ctx.body = { id: (ctx.state as WebhookState).webhook.id };
      });
      app.use(router.routes());
      server = await listen(app);
    });
    after(() => server.close());

    test("onError: 'throw' hands the error, with its code and status, to the app's error middleware", async () => {
      const res = await send(`${server.url}/custom`, { headers: JSON_TYPE, body: '{}' });
      assert.equal(res.status, 401);
      assert.deepEqual(res.json(), { error: 'MISSING_SIGNATURE', handledBy: 'app' });
      assert.deepEqual(caught.at(-1), { code: 'MISSING_SIGNATURE', status: 401, expose: true });
    });

    test("onError: 'throw' with a verified delivery runs the handler", async () => {
      const res = await send(`${server.url}/custom`, signed('{"a":1}'));
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { ok: true });
    });

    test("onError: 'throw' still acknowledges a duplicate with 200", async () => {
      const delivery = signed('{"a":2}', `msg_throw_dup_${name.replace(' ', '')}`);
      assert.equal((await send(`${server.url}/custom`, delivery)).status, 200);
      const dup = await send(`${server.url}/custom`, delivery);
      assert.equal(dup.status, 200);
      assert.deepEqual(dup.json(), { received: true, duplicate: true });
    });

    test("onError: 'throw' without an error middleware: Koa's default handler keeps the status and headers", async () => {
      const bad = await send(`${server.url}/default`, { headers: JSON_TYPE, body: '{}' });
      assert.equal(bad.status, 401);
      assert.match(bad.text, /signature missing/i);
      const big = await send(`${server.url}/default`, signed(JSON.stringify({ pad: 'x'.repeat(200) })));
      assert.equal(big.status, 413);
      assert.equal(big.headers.connection, 'close');
      assert.match(big.text, /body too large/i);
    });

    test('a prebuilt { verifier } is used as given', async () => {
      const delivery = signed('{"b":1}', `msg_prebuilt_${name.replace(' ', '')}`);
      const ok = await send(`${server.url}/prebuilt`, delivery);
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.json(), { id: `msg_prebuilt_${name.replace(' ', '')}` });
      const bad = await send(`${server.url}/prebuilt`, { headers: JSON_TYPE, body: '{}' });
      assert.equal(bad.status, 401);
      assert.equal(bad.json().code, 'MISSING_SIGNATURE');
      assert.equal(prebuiltRuns, 1);
    });
  });
}
