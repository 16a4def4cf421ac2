import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { sign, standardWebhooks } from '@hookguard/core';
import { webhook } from '@hookguard/web/hono';
import { whsec } from './helpers.js';

const secret = whsec();

function post(app: Hono<any>, path: string, body: string, headers: Record<string, string>) {
  return app.request(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

test('Hono middleware: verified deliveries reach the route with c.get("webhook"); rejections are problem+json', async () => {
  const app = new Hono();
  let runs = 0;
  const failFirst = new Set<string>();
  app.post('/hooks/:tenant', webhook({ scheme: standardWebhooks({ secret }) }), async (c) => {
    runs++;
    const hook = c.get('webhook');
    if (hook.id && failFirst.delete(hook.id)) return c.text('failed', 500);
    // The body stays readable downstream, from the verified bytes.
    return c.json({ payload: hook.payload, again: await c.req.json(), tenant: c.req.param('tenant') });
  });

  const body = JSON.stringify({ hello: 'hono' });
  const headers = sign.standardWebhooks({ secret, body });
  const ok = await post(app, '/hooks/acme', body, headers);
  assert.equal(ok.status, 200);
  assert.deepEqual((await ok.json() as any), { payload: { hello: 'hono' }, again: { hello: 'hono' }, tenant: 'acme' });

  const dup = await post(app, '/hooks/acme', body, headers);
  assert.equal(dup.status, 200);
  assert.deepEqual((await dup.json() as any), { received: true, duplicate: true });
  assert.equal(runs, 1);

  const unsigned = await post(app, '/hooks/acme', body, {});
  assert.equal(unsigned.status, 401);
  assert.match(unsigned.headers.get('content-type')!, /^application\/problem\+json/);
  assert.equal(((await unsigned.json() as any)).code, 'MISSING_SIGNATURE');

  const tampered = await post(app, '/hooks/acme', '{"hello":"evil"}', headers);
  assert.equal(((await tampered.json() as any)).code, 'SIGNATURE_MISMATCH');

  const id = 'msg_hono_fail';
  const failing = JSON.stringify({ fail: 1 });
  const failHeaders = sign.standardWebhooks({ secret, body: failing, id });
  failFirst.add(id);
  assert.equal((await post(app, '/hooks/acme', failing, failHeaders)).status, 500);
  const retried = await post(app, '/hooks/acme', failing, failHeaders);
  assert.equal(retried.status, 200);
  assert.deepEqual(((await retried.json()) as any).payload, { fail: 1 });
});

test('Hono middleware: a thrown error releases (app.onError answers), an HTTPException below 500 commits', async () => {
  const app = new Hono();
  let runs = 0;
  app.onError((err, c) => (err instanceof HTTPException ? err.getResponse() : c.text('boom', 500)));
  app.post('/hook', webhook({ scheme: standardWebhooks({ secret }) }), (c) => {
    runs++;
    const payload = c.get('webhook').payload as { mode: string };
    if (payload.mode === 'throw' && runs === 1) throw new Error('boom');
    if (payload.mode === 'bad-request') throw new HTTPException(422, { message: 'nope' });
    return c.text('done');
  });

  const body = JSON.stringify({ mode: 'throw' });
  const headers = sign.standardWebhooks({ secret, body });
  const first = await post(app, '/hook', body, headers);
  assert.equal(first.status, 500);
  const retry = await post(app, '/hook', body, headers);
  assert.equal(retry.status, 200);
  assert.equal(await retry.text(), 'done');
  assert.equal(runs, 2);

  const bad = JSON.stringify({ mode: 'bad-request' });
  const badHeaders = sign.standardWebhooks({ secret, body: bad });
  assert.equal((await post(app, '/hook', bad, badHeaders)).status, 422);
  // 422 is an answer: committed, the copy is a duplicate.
  const copy = await post(app, '/hook', bad, badHeaders);
  assert.deepEqual((await copy.json() as any), { received: true, duplicate: true });
});

test('Hono middleware: over the limit 413, and the settle goes to executionCtx.waitUntil on Workers', async () => {
  const app = new Hono();
  app.post('/hook', webhook({ scheme: standardWebhooks({ secret }), maxBodyBytes: 64 }), (c) => c.text('ok'));
  const big = JSON.stringify({ pad: 'x'.repeat(200) });
  const tooLarge = await post(app, '/hook', big, sign.standardWebhooks({ secret, body: big }));
  assert.equal(tooLarge.status, 413);
  assert.equal(((await tooLarge.json() as any)).code, 'BODY_TOO_LARGE');

  const waited: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void waited.push(p), passThroughOnException() {}, props: {} };
  const body = '{"w":1}';
  const res = await app.request('/hook', { method: 'POST', body, headers: { 'content-type': 'application/json', ...sign.standardWebhooks({ secret, body }) } }, {}, ctx as never);
  assert.equal(res.status, 200);
  assert.equal(waited.length, 1);
});
