// NestJS 10 and 11 run on Fastify 4, which picks a content-type parser by substring: a body sent as
// `application/jsonl` reaches the JSON parser. useWebhookBodyParser's bound must hold for it too.
// Nest 10/11's Fastify platform is not installed here: the app below is the part of it that
// useWebhookBodyParser calls (its useBodyParser, as Nest 10's adapter implements it) around a real
// Fastify 4 on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify4 from 'fastify4';
import { DRAIN_MAX_BYTES } from '@hookguard/core';
import { useWebhookBodyParser } from '@hookguard/nestjs';

type Fastify = { addContentTypeParser(type: unknown, opts: unknown, fn: unknown): void; post(path: string, h: unknown): void; listen(o: unknown): Promise<string>; close(): Promise<void>; server: { address(): { port: number } } };

function nestLikeApp(fastify: Fastify) {
  return {
    getHttpAdapter: () => ({ getType: () => 'fastify', getInstance: () => fastify }),
    // Nest 10: NestApplication.useBodyParser(type, options, parser) -> adapter.useBodyParser(type, rawBody, options, parser)
    useBodyParser: (type: string | string[], options: Record<string, unknown>, parser: (req: unknown, body: Buffer, done: (e: Error | null, b?: unknown) => void) => void) => {
      for (const t of Array.isArray(type) ? type : [type])
        fastify.addContentTypeParser(t, { ...options, parseAs: 'buffer' }, (req: { rawBody?: Buffer }, body: Buffer, done: (e: Error | null, b?: unknown) => void) => {
          req.rawBody = body;
          parser(req, body, done);
        });
    },
    use: () => undefined,
    useGlobalGuards: () => undefined,
  };
}

test('Fastify 4 (Nest 10/11): bodies of every type that reaches the JSON or form parser are held to the limit', async () => {
  const fastify = Fastify4({ bodyLimit: 1024 * 1024 }) as unknown as Fastify;
  useWebhookBodyParser(nestLikeApp(fastify) as never, { limit: 1024 });
  fastify.post('/echo', async (request: { rawBody?: Buffer }) => ({ rawBody: request.rawBody?.length ?? null }));
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${fastify.server.address().port}/echo`;
  try {
    for (const type of ['application/json', 'APPLICATION/JSON; charset=utf-8', 'application/jsonl', 'application/json-seq', 'xapplication/json', 'application/x-www-form-urlencodedx']) {
      const small = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body: '{"a":1}' });
      assert.equal(small.status, 200, type);
      assert.deepEqual(await small.json(), { rawBody: 7 }, `${type}: kept`);
      // 4 KiB past a 1 KiB limit: never kept (the guard then answers BODY_TOO_LARGE; no guard here).
      const big = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body: 'x'.repeat(4096) });
      assert.deepEqual(await big.json(), { rawBody: null }, `${type}: an oversized body must not be read into req.rawBody`);
    }
    // Past the drain allowance, Fastify's own limit answers at once from Content-Length.
    const huge = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/jsonl', 'content-length': String(1024 + DRAIN_MAX_BYTES + 1) }, body: 'x'.repeat(1024 + DRAIN_MAX_BYTES + 1) }).catch((e: Error) => e);
    if (!(huge instanceof Error)) assert.equal(huge.status, 413);
  } finally {
    await fastify.close();
  }
});
