import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { send, whsec } from './helpers.js';

const require = createRequire(import.meta.url);

for (const koaName of ['koa', 'koa2']) {
  test(`CommonJS: require('@hookguard/koa') works with require('${koaName}') and require('@hookguard/core')`, async () => {
    const { verifyWebhook } = require('@hookguard/koa') as typeof import('@hookguard/koa');
    const core = require('@hookguard/core') as typeof import('@hookguard/core');
    const Koa = require(koaName) as typeof import('koa');
    assert.equal(typeof verifyWebhook, 'function');
    assert.match(require.resolve('@hookguard/koa'), /dist[\\/]cjs[\\/]index\.js$/);

    const secret = whsec();
    const app = new Koa();
    app.silent = true;
    app.use(verifyWebhook({ scheme: core.standardWebhooks({ secret }) }));
    app.use((ctx) => {
      ctx.body = { body: ctx.request.body };
    });
    const server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const payload = '{"cjs":true}';
      const ok = await send(url, { headers: { ...core.sign.standardWebhooks({ secret, body: payload }), 'content-type': 'application/json' }, body: payload });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.json(), { body: { cjs: true } });
      const bad = await send(url, { headers: { 'content-type': 'application/json' }, body: payload });
      assert.equal(bad.status, 401);
      assert.equal(bad.json().code, 'MISSING_SIGNATURE');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
}
