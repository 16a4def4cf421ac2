import { after, before, describe, test } from 'node:test';
import { Readable } from 'node:stream';
import assert from 'node:assert/strict';
import { sign, standardWebhooks } from '@hookguard/core';
import { hookguard, verifyWebhook } from '@hookguard/fastify';
import { FASTIFY_VERSIONS, listen, send, whsec, type TestServer } from './helpers.js';

// On a hookguard route Fastify's content-type parser does not run: request.body is core's parse of
// the verified bytes whatever parsers the app has (or lacks). Other routes keep their parsers.
const secret = whsec();
const signed = (body: string, type: string, id = `msg_${Math.random().toString(36).slice(2)}`) => ({
  headers: { ...sign.standardWebhooks({ secret, body, id }), 'content-type': type },
  body,
});
const settleTime = () => new Promise((resolve) => setTimeout(resolve, 50));

const describeBody = (body: unknown) =>
  Buffer.isBuffer(body) ? { buffer: body.toString('utf8') } : typeof body === 'object' && body !== null ? { object: { ...body } } : { value: body };

for (const { name, create } of FASTIFY_VERSIONS) {
  describe(`parser skip on ${name}`, () => {
    let server: TestServer;
    const parsed: string[] = [];
    const seenByAppHook: unknown[] = [];
    let handled = 0;
    const readByLaterHook: string[] = [];
    let lenient: TestServer;

    before(async () => {
      const app = create();
      // The app's own JSON parser, which counts its calls; no form parser, no parser for custom types.
      app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
        parsed.push(request.url);
        done(null, { byAppParser: String(text).length });
      });
      // An app-level preValidation hook runs before the route's own: it already sees core's payload.
      app.addHook('preValidation', async (request) => {
        if (request.url.startsWith('/hooks')) seenByAppHook.push(describeBody(request.body));
      });
      const handler = async (request: { body: unknown }) => {
        handled++;
        return describeBody(request.body);
      };
      app.post('/hooks', verifyWebhook({ scheme: standardWebhooks({ secret }) }, handler));
      await app.register(hookguard);
      app.post('/hooks-plugin', { config: { webhook: { scheme: standardWebhooks({ secret }) } } }, handler);
      app.post('/plain', async (request) => describeBody(request.body));
      // A route preParsing hook after hookguard's that reads the payload stream (as fastify-raw-body does).
      const later = verifyWebhook({ scheme: standardWebhooks({ secret }) }, handler);
      app.post('/hooks-later-hook', {
        ...later,
        preParsing: [
          ...later.preParsing,
          async (_request: unknown, _reply: unknown, payload: AsyncIterable<Buffer>) => {
            const chunks: Buffer[] = [];
            for await (const chunk of payload) chunks.push(chunk);
            readByLaterHook.push(Buffer.concat(chunks).toString('utf8'));
            return Readable.from(chunks);
          },
        ],
      });
      // The app's own poisoning settings apply on its hookguard routes.
      const removing = create({ onProtoPoisoning: 'remove', onConstructorPoisoning: 'ignore' });
      removing.post('/hooks', verifyWebhook({ scheme: standardWebhooks({ secret }) }, async (request) => ({ keys: Object.keys(request.body as object), own: Object.hasOwn(request.body as object, '__proto__') })));
      lenient = await listen(removing);
      server = await listen(app);
    });
    after(async () => {
      await server.close();
      await lenient.close();
    });

    for (const route of ['/hooks', '/hooks-plugin']) {
      test(`${route}: the app's JSON parser is not run; request.body is core's JSON`, async () => {
        const before = parsed.length;
        const r = await send(`${server.url}${route}`, signed('{"type":"invoice.paid","n":1}', 'application/json'));
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json(), { object: { type: 'invoice.paid', n: 1 } });
        assert.equal(parsed.length, before);
        assert.deepEqual(seenByAppHook.at(-1), { object: { type: 'invoice.paid', n: 1 } });
      });

      test(`${route}: a media type with no Fastify parser runs the handler with the Buffer, once (the copy is a DUPLICATE)`, async () => {
        const before = handled;
        const d = signed('binary-ish', 'application/x-custom');
        const first = await send(`${server.url}${route}`, d);
        assert.equal(first.status, 200, first.text);
        assert.deepEqual(first.json(), { buffer: 'binary-ish' });
        await settleTime();
        const again = await send(`${server.url}${route}`, d);
        assert.equal(again.status, 200);
        assert.deepEqual(again.json(), { received: true, duplicate: true });
        assert.equal(handled, before + 1);
      });

      test(`${route}: a form body needs no form parser (core's fields)`, async () => {
        const r = await send(`${server.url}${route}`, signed('a=1&b=2&b=3', 'application/x-www-form-urlencoded'));
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json(), { object: { a: '1', b: ['2', '3'] } });
      });

      test(`${route}: an unsigned delivery is refused before any parser (401 MISSING_SIGNATURE)`, async () => {
        const before = parsed.length;
        const r = await send(`${server.url}${route}`, { headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
        assert.equal(r.status, 401);
        assert.equal(r.json().code, 'MISSING_SIGNATURE');
        assert.equal(parsed.length, before);
      });
    }

    test(`a verified delivery whose Content-Type is no media type: ${name === 'Fastify 5' ? "Fastify 5's own 415 (it checks the header before any parser), the key released" : 'Fastify 4 has no such check: the handler runs with the Buffer'}`, async () => {
      const before = handled;
      const d = signed('x', 'not a media type');
      const first = await send(`${server.url}/hooks`, d);
      await settleTime();
      const again = await send(`${server.url}/hooks`, d);
      if (name === 'Fastify 5') {
        assert.equal(first.status, 415);
        assert.equal(again.status, 415);
        assert.equal(handled, before);
      } else {
        assert.equal(first.status, 200, first.text);
        assert.deepEqual(first.json(), { buffer: 'x' });
        assert.deepEqual(again.json(), { received: true, duplicate: true });
        assert.equal(handled, before + 1);
      }
    });

    test('a route preParsing hook after hookguard\'s reads the verified bytes (the parser is still skipped)', async () => {
      const before = parsed.length;
      const r = await send(`${server.url}/hooks-later-hook`, signed('{"a":1}', 'application/json'));
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json(), { object: { a: 1 } });
      assert.deepEqual(readByLaterHook, ['{"a":1}']);
      assert.equal(parsed.length, before);
    });

    for (const [what, body] of [
      ['a __proto__ key', '{"data":{"__proto__":{"isAdmin":true}}}'],
      ['a __proto__ key spelled with \\u escapes', '{"data":{"\\u005f\\u005fproto\\u005f\\u005f":{"isAdmin":true}}}'],
      ['a constructor.prototype', '{"data":{},"constructor":{"prototype":{"isAdmin":true}}}'],
    ] as const) {
      test(`signed JSON with ${what}: 400 MALFORMED_PAYLOAD as Fastify's parser answers (onProtoPoisoning), the handler not run, the key released`, async () => {
        const before = handled;
        const d = signed(body, 'application/json');
        const first = await send(`${server.url}/hooks`, d);
        assert.equal(first.status, 400, first.text);
        assert.equal(first.json().code, 'MALFORMED_PAYLOAD');
        await settleTime();
        const again = await send(`${server.url}/hooks`, d);
        assert.equal(again.status, 400);
        assert.equal(again.json().code, 'MALFORMED_PAYLOAD');
        assert.equal(handled, before);
      });
    }

    test("onProtoPoisoning: 'remove' (the app's setting) drops the key and runs the handler", async () => {
      const r = await send(`${lenient.url}/hooks`, signed('{"a":1,"__proto__":{"isAdmin":true}}', 'application/json'));
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json(), { keys: ['a'], own: false });
    });

    test('a route without hookguard in the same scope keeps the app parser', async () => {
      const before = parsed.length;
      const r = await send(`${server.url}/plain`, { headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      assert.equal(r.status, 200);
      assert.deepEqual(r.json(), { object: { byAppParser: 7 } });
      assert.deepEqual(parsed.slice(before), ['/plain']);
      const unknown = await send(`${server.url}/plain`, { headers: { 'content-type': 'application/x-custom' }, body: 'x' });
      assert.equal(unknown.status, 415);
    });
  });
}
