import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { sign, standardWebhooks } from '@hookguard/core';
import { verifyWebhook, type WebhookState } from '@hookguard/koa';
import { JSON_TYPE, KOA_VERSIONS, listen, send, whsec, type TestServer } from './helpers.js';

const secret = whsec();

function signed(payload: string | Buffer, extra: Record<string, string> = JSON_TYPE) {
  return { headers: { ...sign.standardWebhooks({ secret, body: payload }), ...extra }, body: payload };
}

for (const { name, Koa } of KOA_VERSIONS) {
  describe(`body parsers on ${name}`, () => {
    let server: TestServer;

    before(async () => {
      const app = new Koa();
      const router = new Router();
      const handler = (ctx: { state: unknown; request: { body?: unknown; rawBody: unknown }; body: unknown }) => {
        const { webhook } = ctx.state as WebhookState;
        ctx.body = {
          body: ctx.request.body,
          rawIsBuffer: Buffer.isBuffer(ctx.request.rawBody),
          sameBytes: Buffer.isBuffer(ctx.request.rawBody) && ctx.request.rawBody.equals(webhook.rawBody),
        };
      };
      // @koa/bodyparser first, with its ctx.request.rawBody.
      router.post('/parsed', bodyParser(), verifyWebhook({ scheme: standardWebhooks({ secret }) }), handler);
      // A middleware that drains the stream and keeps nothing.
      router.post(
        '/drained',
        async (ctx, next) => {
          for await (const _chunk of ctx.req) {
            // discard
          }
          ctx.request.body = { parsedBy: 'someone else' };
          await next();
        },
        verifyWebhook({ scheme: standardWebhooks({ secret }) }),
        handler,
      );
      // verifyWebhook first; a body parser after it must not read the stream again.
      router.post('/before-parser', verifyWebhook({ scheme: standardWebhooks({ secret }) }), bodyParser(), handler);
      app.use(router.routes());
      server = await listen(app);
    });
    after(() => server.close());

    test("@koa/bodyparser mounted first: its rawBody verifies and the body is core's parse", async () => {
      const payload = JSON.stringify({ type: 'user.created', name: 'Zoë' });
      const res = await send(`${server.url}/parsed`, signed(payload));
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { body: { type: 'user.created', name: 'Zoë' }, rawIsBuffer: true, sameBytes: true });
    });

    test('@koa/bodyparser first with a form body verifies too', async () => {
      const payload = 'type=user.created&tag=a&tag=b';
      const res = await send(`${server.url}/parsed`, signed(payload, { 'content-type': 'application/x-www-form-urlencoded' }));
      assert.equal(res.status, 200);
      assert.deepEqual(res.json().body, { type: 'user.created', tag: ['a', 'b'] });
    });

    test('@koa/bodyparser first with a non-UTF-8 body fails closed: 401 SIGNATURE_MISMATCH', async () => {
      // "café" in Latin-1: the parser's UTF-8 text no longer holds the signed bytes.
      const payload = Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
      const res = await send(`${server.url}/parsed`, signed(payload));
      assert.equal(res.status, 401);
      assert.equal(res.json().code, 'SIGNATURE_MISMATCH');
    });

    test('body consumed without a raw copy: 500 RAW_BODY_UNAVAILABLE that says how to fix it', async () => {
      const res = await send(`${server.url}/drained`, signed(JSON.stringify({ type: 'user.created' })));
      assert.equal(res.status, 500);
      const problem = res.json();
      assert.equal(problem.code, 'RAW_BODY_UNAVAILABLE');
      assert.match(problem.detail, /mount verifyWebhook before the body parser/);
      assert.match(problem.detail, /rawBody/);
    });

    test('a body parser mounted after verifyWebhook leaves the verified body alone', async () => {
      const payload = JSON.stringify({ type: 'user.deleted' });
      const res = await send(`${server.url}/before-parser`, signed(payload));
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { body: { type: 'user.deleted' }, rawIsBuffer: true, sameBytes: true });
    });

    test('an empty signed body with a body parser after verifyWebhook does not fail', async () => {
      const res = await send(`${server.url}/before-parser`, signed(''));
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { rawIsBuffer: true, sameBytes: true });
    });
  });
}
