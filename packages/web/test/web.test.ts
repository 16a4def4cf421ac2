import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { sign, standardWebhooks, WebhookConfigError, type VerifiedWebhook } from '@hookguard/core';
import { createWebVerifier, verifyWebhook, withWebhook } from '@hookguard/web';
import { close, send, serve, whsec } from './helpers.js';

const secret = whsec();
const json = { 'content-type': 'application/json' };

function signed(body: string, id?: string): Record<string, string> {
  return { ...json, ...sign.standardWebhooks({ secret, body, ...(id && { id }) }) };
}

describe('withWebhook over a real server', () => {
  let server: Server;
  let base: string;
  const seen: unknown[] = [];
  // What the next delivery's handler does, by message id.
  const behaviour = new Map<string, 'fail' | 'throw'>();

  before(async () => {
    const handler = withWebhook({ scheme: standardWebhooks({ secret }), maxBodyBytes: 1024 }, async (webhook: VerifiedWebhook, request: Request) => {
      seen.push(webhook.payload);
      const what = webhook.id ? behaviour.get(webhook.id) : undefined;
      if (what) behaviour.delete(webhook.id!);
      if (what === 'fail') return new Response('downstream failed', { status: 500 });
      if (what === 'throw') throw new Error('handler blew up');
      return Response.json({ got: webhook.payload, id: webhook.id, method: request.method, scheme: webhook.scheme });
    });
    ({ server, base } = await serve(handler));
  });
  after(() => close(server));

  test('a signed standardWebhooks delivery reaches the handler with its payload', async () => {
    const body = JSON.stringify({ type: 'invoice.paid', n: 1 });
    const reply = await send(`${base}/hook?x=1`, { body, headers: signed(body) });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json.got, { type: 'invoice.paid', n: 1 });
    assert.equal(reply.json.scheme, 'standardWebhooks');
    assert.equal(reply.json.method, 'POST');
  });

  test('unsigned: 401 MISSING_SIGNATURE as problem+json, no handler', async () => {
    const before = seen.length;
    const reply = await send(`${base}/hook`, { body: '{"a":1}', headers: json });
    assert.equal(reply.status, 401);
    assert.match(String(reply.headers['content-type']), /^application\/problem\+json/);
    assert.equal(reply.json.code, 'MISSING_SIGNATURE');
    assert.equal(reply.json.status, 401);
    assert.equal(seen.length, before);
  });

  test('tampered body: SIGNATURE_MISMATCH', async () => {
    const body = JSON.stringify({ amount: 10 });
    const reply = await send(`${base}/hook`, { body: JSON.stringify({ amount: 10000 }), headers: signed(body) });
    assert.equal(reply.status, 401);
    assert.equal(reply.json.code, 'SIGNATURE_MISMATCH');
  });

  test('body over maxBodyBytes with Content-Length: 413 BODY_TOO_LARGE', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(2000) });
    const reply = await send(`${base}/hook`, { body, headers: signed(body) });
    assert.equal(reply.status, 413);
    assert.equal(reply.json.code, 'BODY_TOO_LARGE');
    assert.match(reply.json.detail, /Content-Length/);
  });

  test('body over maxBodyBytes streamed without Content-Length: 413 BODY_TOO_LARGE', async () => {
    const body = JSON.stringify({ pad: 'y'.repeat(4000) });
    const bytes = Buffer.from(body);
    const chunks = [bytes.subarray(0, 500), bytes.subarray(500, 1500), bytes.subarray(1500)];
    const reply = await send(`${base}/hook`, { chunks, headers: signed(body) });
    assert.equal(reply.status, 413);
    assert.equal(reply.json.code, 'BODY_TOO_LARGE');
    assert.match(reply.json.detail, /body exceeds the limit of 1024 bytes/);
  });

  test('a chunked body within the limit verifies', async () => {
    const body = JSON.stringify({ chunked: true, pad: 'z'.repeat(300) });
    const bytes = Buffer.from(body);
    const reply = await send(`${base}/hook`, { chunks: [bytes.subarray(0, 7), bytes.subarray(7)], headers: signed(body) });
    assert.equal(reply.status, 200);
    assert.equal(reply.json.got.chunked, true);
  });

  test('a duplicate of a processed delivery: 200 acknowledgement, the handler ran once', async () => {
    const body = JSON.stringify({ dup: true });
    const headers = signed(body);
    const first = await send(`${base}/hook`, { body, headers });
    assert.equal(first.status, 200);
    const count = seen.length;
    const second = await send(`${base}/hook`, { body, headers });
    assert.equal(second.status, 200);
    assert.deepEqual(second.json, { received: true, duplicate: true });
    assert.equal(seen.length, count);
  });

  test('the handler answers 500: the reservation is released and the retry is processed', async () => {
    const id = `msg_fail_${Date.now()}`;
    const body = JSON.stringify({ retry: 'after 500' });
    const headers = signed(body, id);
    behaviour.set(id, 'fail');
    const first = await send(`${base}/hook`, { body, headers });
    assert.equal(first.status, 500);
    const retry = await send(`${base}/hook`, { body, headers });
    assert.equal(retry.status, 200);
    assert.deepEqual(retry.json.got, { retry: 'after 500' });
    // ...and now it is processed: a third copy is a duplicate.
    const third = await send(`${base}/hook`, { body, headers });
    assert.deepEqual(third.json, { received: true, duplicate: true });
  });

  test('the handler throws: released (the runtime answers 500), and the retry is processed', async () => {
    const id = `msg_throw_${Date.now()}`;
    const body = JSON.stringify({ retry: 'after throw' });
    const headers = signed(body, id);
    behaviour.set(id, 'throw');
    const first = await send(`${base}/hook`, { body, headers });
    assert.equal(first.status, 500);
    const retry = await send(`${base}/hook`, { body, headers });
    assert.equal(retry.status, 200);
    assert.deepEqual(retry.json.got, { retry: 'after throw' });
  });
});

describe('withWebhook called directly with Request objects', () => {
  test("onHandlerError: 'respond' answers a problem 500 and releases", async () => {
    let runs = 0;
    const handler = withWebhook({ scheme: standardWebhooks({ secret }), onHandlerError: 'respond' }, () => {
      runs++;
      if (runs === 1) throw new Error('first run fails');
      return new Response('ok');
    });
    const body = '{"x":1}';
    const headers = signed(body);
    const first = await handler(new Request('http://example.test/hook', { method: 'POST', body, headers }));
    assert.equal(first.status, 500);
    assert.match(first.headers.get('content-type')!, /^application\/problem\+json/);
    assert.equal(((await first.json() as any)).status, 500);
    const retry = await handler(new Request('http://example.test/hook', { method: 'POST', body, headers }));
    assert.equal(retry.status, 200);
    assert.equal(await retry.text(), 'ok');
    assert.equal(runs, 2);
  });

  test("the settle goes to a ctx.waitUntil among the arguments (Workers' fetch(request, env, ctx))", async () => {
    const waited: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void waited.push(p) };
    const handler = withWebhook({ scheme: standardWebhooks({ secret }) }, (_webhook, _request: Request, env: { name: string }, _ctx: unknown) => new Response(env.name, { status: 202 }));
    const body = '{"w":1}';
    const headers = signed(body);
    const response = await handler(new Request('http://example.test/hook', { method: 'POST', body, headers }), { name: 'env' }, ctx);
    assert.equal(response.status, 202);
    assert.equal(await response.text(), 'env');
    assert.equal(waited.length, 1);
    await waited[0];
    const again = await handler(new Request('http://example.test/hook', { method: 'POST', body, headers }), { name: 'env' }, ctx);
    assert.deepEqual((await again.json() as any), { received: true, duplicate: true });
  });

  test('an already-read body: RAW_BODY_UNAVAILABLE', async () => {
    const body = '{"read":true}';
    const request = new Request('http://example.test/hook', { method: 'POST', body, headers: signed(body) });
    await request.text();
    const options = { scheme: standardWebhooks({ secret }) };
    await assert.rejects(verifyWebhook(request, options), (e: any) => e.code === 'RAW_BODY_UNAVAILABLE' && /already read/.test(e.detail));
    const handler = withWebhook(options, () => new Response('never'));
    const reread = new Request('http://example.test/hook', { method: 'POST', body, headers: signed(body) });
    await reread.arrayBuffer();
    const response = await handler(reread);
    assert.equal(response.status, 500);
    assert.equal(((await response.json() as any)).code, 'RAW_BODY_UNAVAILABLE');
  });

  test('a locked body stream: RAW_BODY_UNAVAILABLE', async () => {
    const body = '{"locked":true}';
    const request = new Request('http://example.test/hook', { method: 'POST', body, headers: signed(body) });
    request.body!.getReader();
    await assert.rejects(verifyWebhook(request, { scheme: standardWebhooks({ secret }) }), (e: any) => e.code === 'RAW_BODY_UNAVAILABLE');
  });

  test('verifyWebhook resolves to the VerifiedWebhook; the caller settles it', async () => {
    const options = { scheme: standardWebhooks({ secret }) };
    const body = JSON.stringify({ direct: true });
    const headers = signed(body);
    const webhook = await verifyWebhook<{ direct: boolean }>(new Request('http://example.test/a/b?c=d', { method: 'POST', body, headers }), options);
    assert.equal(webhook.payload.direct, true);
    assert.equal(webhook.rawBody.toString(), body);
    await webhook.settle({ status: 200 });
    await assert.rejects(verifyWebhook(new Request('http://example.test/a/b', { method: 'POST', body, headers }), options), (e: any) => e.code === 'DUPLICATE');
  });

  test('the verifier is built once per options object', async () => {
    let built = 0;
    const scheme = standardWebhooks({ secret });
    const options = {
      scheme,
      get maxBodyBytes() {
        built++;
        return 4096;
      },
    };
    for (let i = 0; i < 3; i++) {
      const body = JSON.stringify({ i });
      await verifyWebhook(new Request('http://example.test/', { method: 'POST', body, headers: signed(body) }), options);
    }
    assert.equal(built, 1);
  });

  test('remoteAddress and params options receive the request and the runtime arguments', async () => {
    const calls: unknown[][] = [];
    const web = createWebVerifier({
      scheme: standardWebhooks({ secret }),
      remoteAddress: (_req: Request, server: { ip: string }) => server.ip,
      params: async (_req: Request, server: { ip: string }) => ({ tenant: `t-${server.ip}` }),
      onRejected: (_e: unknown, request: any) => void calls.push([request.remoteAddress, request.params, request.url, request.headers.host]),
    });
    await assert.rejects(web.verify(new Request('http://example.test/p?q=1', { method: 'POST', body: '{}' }), { ip: '10.1.2.3' }));
    assert.deepEqual(calls, [['10.1.2.3', { tenant: 't-10.1.2.3' }, '/p?q=1', 'example.test']]);
  });

  test('misconfiguration throws at startup', () => {
    assert.throws(() => withWebhook({} as never, () => new Response()), WebhookConfigError);
    assert.throws(() => withWebhook({ scheme: standardWebhooks({ secret }), problemDetail: 'yes' as never }, () => new Response()), WebhookConfigError);
    assert.throws(() => createWebVerifier({ scheme: standardWebhooks({ secret }), remoteAddress: 'x' as never }), WebhookConfigError);
    assert.throws(() => withWebhook({ scheme: standardWebhooks({ secret }), onHandlerError: 'x' as never }, () => new Response()), WebhookConfigError);
  });

  test('a declared Content-Length over the limit is refused before the body is read', async () => {
    const body = JSON.stringify({ pad: 'q'.repeat(100) });
    const request = new Request('http://example.test/', { method: 'POST', body, headers: { ...signed(body), 'content-length': '999999999' } });
    await assert.rejects(verifyWebhook(request, { scheme: standardWebhooks({ secret }), maxBodyBytes: 1000 }), (e: any) => e.code === 'BODY_TOO_LARGE');
  });
});

describe('Next.js-style route handler with tenants from async params', () => {
  test('POST(request, { params: Promise }) resolves the tenant and checks its secret only', async () => {
    const { fromParam } = await import('@hookguard/core');
    const secrets = new Map([['acme', [whsec()]], ['globex', [whsec()]]]);
    const POST = withWebhook(
      {
        scheme: standardWebhooks(),
        tenants: { resolve: fromParam('tenant'), lookup: async (id: string) => (secrets.has(id) ? { secrets: secrets.get(id)! } : undefined) },
        params: async (_request: Request, context: { params: Promise<{ tenant: string }> }) => await context.params,
      },
      (webhook) => Response.json({ tenant: webhook.tenant }),
    );
    const body = '{"n":1}';
    const acme = sign.standardWebhooks({ secret: secrets.get('acme')![0]!, body });
    const ok = await POST(new Request('http://example.test/api/webhooks/acme', { method: 'POST', body, headers: { ...json, ...acme } }), { params: Promise.resolve({ tenant: 'acme' }) });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { tenant: 'acme' });
    const wrong = await POST(new Request('http://example.test/api/webhooks/globex', { method: 'POST', body, headers: { ...json, ...acme } }), { params: Promise.resolve({ tenant: 'globex' }) });
    assert.equal(wrong.status, 401);
    const unknown = await POST(new Request('http://example.test/api/webhooks/x', { method: 'POST', body, headers: { ...json, ...acme } }), { params: Promise.resolve({ tenant: 'x' }) });
    assert.equal(((await unknown.json()) as any).code, 'UNKNOWN_TENANT');
  });
});
