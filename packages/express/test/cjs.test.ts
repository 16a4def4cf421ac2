import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { close, listen, send, whsec } from './helpers.js';

const require = createRequire(import.meta.url);

test("require('@hookguard/express') (CommonJS) exports a working middleware", async () => {
  const adapter = require('@hookguard/express') as typeof import('@hookguard/express');
  const core = require('@hookguard/core') as typeof import('@hookguard/core');
  const express = require('express') as typeof import('express');
  assert.equal(typeof adapter.verifyWebhook, 'function');
  assert.equal(typeof adapter.keepRawBody, 'function');
  const secret = whsec();
  const app = express();
  app.post('/hook', adapter.verifyWebhook({ scheme: core.standardWebhooks({ secret }) }), (req, res) => {
    res.json({ got: req.body, scheme: req.webhook?.scheme });
  });
  const { server, base } = await listen(app);
  try {
    const body = JSON.stringify({ hello: 'cjs' });
    const ok = await send(`${base}/hook`, { body, headers: { ...core.sign.standardWebhooks({ secret, body }), 'content-type': 'application/json' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { got: { hello: 'cjs' }, scheme: 'standardWebhooks' });
    const bad = await send(`${base}/hook`, { body, headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 401);
    assert.equal(bad.json.code, 'MISSING_SIGNATURE');
  } finally {
    await close(server);
  }
});
