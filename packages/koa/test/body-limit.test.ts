import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sign, standardWebhooks } from '@hookguard/core';
import { verifyWebhook } from '@hookguard/koa';
import { JSON_TYPE, KOA_VERSIONS, listen, send, whsec, type TestServer } from './helpers.js';

const secret = whsec();
const LIMIT = 1024;

for (const { name, Koa } of KOA_VERSIONS) {
  describe(`body size limit on ${name}`, () => {
    let server: TestServer;
    let handled = 0;

    before(async () => {
      const app = new Koa();
      app.use(verifyWebhook({ scheme: standardWebhooks({ secret }), maxBodyBytes: LIMIT }));
      app.use((ctx) => {
        handled++;
        ctx.body = { ok: true };
      });
      server = await listen(app);
    });
    after(() => server.close());

    test('Content-Length over the limit: 413 BODY_TOO_LARGE before the body is read', async () => {
      const res = await send(server.url, { headers: { ...sign.standardWebhooks({ secret, body: 'x' }), ...JSON_TYPE }, declaredLength: LIMIT * 64 });
      assert.equal(res.status, 413);
      assert.equal(res.json().code, 'BODY_TOO_LARGE');
      assert.equal(res.headers.connection, 'close');
    });

    test('chunked body over the limit: 413 BODY_TOO_LARGE', async () => {
      const payload = JSON.stringify({ pad: 'x'.repeat(LIMIT * 8) });
      const res = await send(server.url, { headers: { ...sign.standardWebhooks({ secret, body: payload }), ...JSON_TYPE }, body: payload, chunked: true });
      assert.equal(res.status, 413);
      assert.equal(res.json().code, 'BODY_TOO_LARGE');
    });

    test('chunked body under the limit verifies', async () => {
      const before = handled;
      const payload = JSON.stringify({ pad: 'y'.repeat(LIMIT / 2) });
      const res = await send(server.url, { headers: { ...sign.standardWebhooks({ secret, body: payload }), ...JSON_TYPE }, body: payload, chunked: true });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { ok: true });
      assert.equal(handled, before + 1);
    });
  });
}
