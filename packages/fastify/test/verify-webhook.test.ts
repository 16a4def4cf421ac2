import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromParam, sign, standardWebhooks, twilio } from '@hookguard/core';
import formbody from '@fastify/formbody';
import { hookguard, verifyWebhook } from '@hookguard/fastify';
import { FASTIFY_VERSIONS, JSON_TYPE, listen, send, whsec, type TestServer } from './helpers.js';

const secret = whsec();
const signed = (body: string, id = `msg_${Math.random().toString(36).slice(2)}`) => ({ headers: { ...sign.standardWebhooks({ secret, body, id }), ...JSON_TYPE }, body });

for (const { name, create } of FASTIFY_VERSIONS) {
  describe(`@hookguard/fastify on ${name}`, () => {
    let server: TestServer;
    const runs: string[] = [];

    before(async () => {
      const app = create();
      await app.register(hookguard);
      // @fastify/formbody 8 is for Fastify 5; on Fastify 4 a hand-written form parser stands in.
      if (name === 'Fastify 5') await app.register(formbody);
      else app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
      app.post('/hooks', verifyWebhook({ scheme: standardWebhooks({ secret }), maxBodyBytes: 4096 }, async (request) => {
        runs.push(request.webhook!.id!);
        return { got: request.body, id: request.webhook!.id, raw: request.webhook!.rawBody.length };
      }));
      // The plugin form: config.webhook, merged with the route's own hooks.
      app.post('/plugin/:tenant', {
        config: { webhook: { scheme: standardWebhooks(), tenants: { resolve: fromParam(), lookup: async (id: string) => (id === 'acme' ? { secrets: [secret] } : undefined) } } },
        preHandler: async (request) => {
          (request as unknown as { mine: boolean }).mine = true;
        },
      }, async (request) => ({ tenant: request.webhook!.tenant, mine: (request as unknown as { mine?: boolean }).mine === true, got: request.body }));
      // A body schema validates core's payload.
      app.post('/schema', {
        ...verifyWebhook({ scheme: standardWebhooks({ secret }) }, async (request) => ({ ok: true, type: (request.body as { type: string }).type })),
        schema: { body: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } },
      });
      // An ordinary route in the same app: Fastify's own JSON parsing and errors, untouched.
      app.post('/plain', async (request) => ({ echo: request.body }));
      app.post('/form-twilio', verifyWebhook({ scheme: twilio({ secret: 'tw-token-0123', publicUrl: 'https://hooks.example.com' }) }, async (request) => ({ from: (request.body as Record<string, string>).From })));
      server = await listen(app);
    });
    after(() => server.close());

    test('a signed JSON delivery: 200, request.webhook and request.body are core\'s', async () => {
      const body = JSON.stringify({ type: 'order.paid', amount: 4200 });
      const r = await send(`${server.url}/hooks`, { ...signed(body, 'msg_ok_1') });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json(), { got: { type: 'order.paid', amount: 4200 }, id: 'msg_ok_1', raw: Buffer.byteLength(body) });
    });

    test('unsigned: 401 MISSING_SIGNATURE as problem+json, not Fastify\'s error shape', async () => {
      const r = await send(`${server.url}/hooks`, { headers: JSON_TYPE, body: '{"a":1}' });
      assert.equal(r.status, 401);
      assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
      assert.equal(r.json().code, 'MISSING_SIGNATURE');
      assert.equal(r.json().statusCode, undefined);
    });

    test('unsigned and unparseable for Fastify (invalid JSON, unknown media type): still 401 MISSING_SIGNATURE, never 400/415', async () => {
      const bad = await send(`${server.url}/hooks`, { headers: JSON_TYPE, body: '{"a":' });
      assert.equal(bad.status, 401);
      assert.equal(bad.json().code, 'MISSING_SIGNATURE');
      const odd = await send(`${server.url}/hooks`, { headers: { 'content-type': 'application/x-unknown' }, body: 'xyz' });
      assert.equal(odd.status, 401);
      assert.equal(odd.json().code, 'MISSING_SIGNATURE');
    });

    test('a tampered body: 401 SIGNATURE_MISMATCH; invalid JSON behind a valid signature: 400 MALFORMED_PAYLOAD', async () => {
      const d = signed('{"type":"x","amount":1}');
      const r = await send(`${server.url}/hooks`, { ...d, body: '{"type":"x","amount":2}' });
      assert.equal(r.status, 401);
      assert.equal(r.json().code, 'SIGNATURE_MISMATCH');
      const m = await send(`${server.url}/hooks`, signed('{"type":'));
      assert.equal(m.status, 400);
      assert.equal(m.json().code, 'MALFORMED_PAYLOAD');
    });

    test('over maxBodyBytes: 413 BODY_TOO_LARGE, by Content-Length and when chunked', async () => {
      const big = JSON.stringify({ pad: 'x'.repeat(5000) });
      const handledBefore = runs.length;
      const a = await send(`${server.url}/hooks`, signed(big));
      assert.equal(a.status, 413);
      assert.equal(a.json().code, 'BODY_TOO_LARGE');
      const b = await send(`${server.url}/hooks`, { ...signed(big), chunked: true });
      assert.equal(b.status, 413);
      assert.equal(b.json().code, 'BODY_TOO_LARGE');
      assert.equal(runs.length, handledBefore, 'the handler ran for an oversized delivery');
    });

    test('the plugin form (config.webhook) verifies, keeps the route\'s own preHandler, and answers UNKNOWN_TENANT', async () => {
      const body = JSON.stringify({ type: 'x' });
      const ok = await send(`${server.url}/plugin/acme`, signed(body));
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.json(), { tenant: 'acme', mine: true, got: { type: 'x' } });
      const unknown = await send(`${server.url}/plugin/initech`, signed(body));
      assert.equal(unknown.status, 404);
      assert.equal(unknown.json().code, 'UNKNOWN_TENANT');
      const unsigned = await send(`${server.url}/plugin/acme`, { headers: JSON_TYPE, body });
      assert.equal(unsigned.status, 401);
      assert.equal(unsigned.json().code, 'MISSING_SIGNATURE');
    });

    test('a body schema validates the verified payload (400 from Fastify\'s validator after verification)', async () => {
      const ok = await send(`${server.url}/schema`, signed('{"type":"t"}'));
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.json(), { ok: true, type: 't' });
      const invalid = await send(`${server.url}/schema`, signed('{"other":1}'));
      assert.equal(invalid.status, 400);
      assert.equal(invalid.json().code, 'FST_ERR_VALIDATION');
    });

    test('other routes keep Fastify\'s own parsing and errors', async () => {
      const ok = await send(`${server.url}/plain`, { headers: JSON_TYPE, body: '{"a":1}' });
      assert.deepEqual(ok.json(), { echo: { a: 1 } });
      const bad = await send(`${server.url}/plain`, { headers: JSON_TYPE, body: '{"a":' });
      assert.equal(bad.status, 400);
      // Fastify's own error (its code differs between 4 and 5), not hookguard's problem+json.
      assert.match(String(bad.headers['content-type']), /^application\/json/);
      assert.equal(bad.json().statusCode, 400);
      const form = await send(`${server.url}/plain`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
      assert.deepEqual(form.json(), { echo: { a: '1' } });
    });

    test('a form delivery (Twilio) through a form parser (@fastify/formbody on 5): request.body is core\'s form parse', async () => {
      const params = { From: '+15550001111', Body: 'hi' };
      const url = 'https://hooks.example.com/form-twilio';
      const body = new URLSearchParams(params).toString();
      const r = await send(`${server.url}/form-twilio`, { headers: sign.twilio({ secret: 'tw-token-0123', url, body }), body });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json(), { from: '+15550001111' });
    });
  });
}
