import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import http from 'node:http';
import { sign, standardWebhooks, WebhookConfigError } from '@hookguard/core';
import { useWebhookBodyParser, VerifiedWebhook, WebhookModule, WebhookPayload } from '@hookguard/nestjs';
import { deliver, isProblem, newSecret, post, startApp, type RunningApp } from './helpers.js';

const SECRET = newSecret();
let runs = 0;
const hookCodes: string[] = [];

@Controller()
class HooksController {
  @Post('hooks')
  @HttpCode(200)
  @VerifiedWebhook()
  receive(@WebhookPayload() payload: unknown) {
    runs++;
    return { payload: Buffer.isBuffer(payload) ? `buffer:${payload.length}` : payload };
  }

  /** Not a webhook route: keeps Nest's own answers. */
  @Post('plain')
  @HttpCode(200)
  plain(@Body() body: unknown) {
    return { body };
  }
}

@Module({
  imports: [WebhookModule.forRoot({
      scheme: standardWebhooks({ secret: SECRET }),
      maxBodyBytes: 150 * 1024,
      onRejected: (error) => hookCodes.push(error.code),
    }),],
  controllers: [HooksController],
})
class AppModule {}

const apps: RunningApp[] = [];
let withRaw: RunningApp;
let withoutRaw: RunningApp;
let withParser: RunningApp;
before(async () => {
  withRaw = await startApp(AppModule, { rawBody: true });
  apps.push(withRaw);
  withoutRaw = await startApp(AppModule, {});
  apps.push(withoutRaw);
  withParser = await startApp(AppModule, { rawBody: true }, (app) => useWebhookBodyParser(app as never, { limit: '1mb' }));
  apps.push(withParser);
});
after(async () => {
  for (const a of apps) await a.close();
});

test('an app created without rawBody: 500 RAW_BODY_UNAVAILABLE telling to set rawBody: true', async () => {
  const before = runs;
  const r = await deliver(`${withoutRaw.url}/hooks`, SECRET, { type: 'ping' });
  assert.equal(r.status, 500);
  assert.ok(isProblem(r));
  assert.equal(r.json['code'], 'RAW_BODY_UNAVAILABLE');
  assert.match(String(r.json['detail']), /NestFactory\.create\(AppModule, \{ rawBody: true \}\)/);
  assert.equal(runs, before);
  // Raised before verify(), still seen by the verifier's onRejected hook.
  assert.equal(hookCodes.at(-1), 'RAW_BODY_UNAVAILABLE');
});

test('content types Nest does not parse (text/plain, octet-stream) are read from the stream, also without rawBody', async () => {
  for (const app of [withRaw, withoutRaw]) {
    const text = await deliver(`${app.url}/hooks`, SECRET, undefined, { raw: 'hello', contentType: 'text/plain' });
    assert.equal(text.status, 200);
    assert.deepEqual(text.json, { payload: 'hello' });
    const bin = await deliver(`${app.url}/hooks`, SECRET, undefined, { raw: 'abcdef', contentType: 'application/octet-stream' });
    assert.equal(bin.status, 200);
    assert.deepEqual(bin.json, { payload: 'buffer:6' });
  }
});

test("without useWebhookBodyParser Nest's JSON parser answers invalid JSON first (its own 400, no code)", async () => {
  const r = await deliver(`${withRaw.url}/hooks`, SECRET, undefined, { raw: '{"type":' });
  assert.equal(r.status, 400);
  assert.equal(r.json['code'], undefined);
  assert.equal(r.json['error'], 'Bad Request');
});

test('with useWebhookBodyParser: invalid JSON behind a valid signature is 400 MALFORMED_PAYLOAD', async () => {
  const before = runs;
  const r = await deliver(`${withParser.url}/hooks`, SECRET, undefined, { raw: '{"type":' });
  assert.equal(r.status, 400);
  assert.ok(isProblem(r));
  assert.equal(r.json['code'], 'MALFORMED_PAYLOAD');
  assert.equal(runs, before);
});

test('with useWebhookBodyParser: invalid JSON without a valid signature is 401 (signature first)', async () => {
  const r = await deliver(`${withParser.url}/hooks`, newSecret(), undefined, { raw: '{"type":' });
  assert.equal(r.status, 401);
  assert.equal(r.json['code'], 'SIGNATURE_MISMATCH');
});

test('with useWebhookBodyParser: other routes keep Nest\'s 400 for invalid JSON and parse valid JSON', async () => {
  const bad = await post(`${withParser.url}/plain`, '{"a":', { 'content-type': 'application/json' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json['error'], 'Bad Request');
  assert.equal(bad.json['statusCode'], 400);
  const good = await post(`${withParser.url}/plain`, '{"a":1}', { 'content-type': 'application/json' });
  assert.deepEqual(good.json, { body: { a: 1 } });
  const form = await post(`${withParser.url}/plain`, 'a=1&b=2', { 'content-type': 'application/x-www-form-urlencoded' });
  assert.deepEqual(form.json, { body: { a: '1', b: '2' } });
});

test('with useWebhookBodyParser: valid webhooks still pass and the raw body is kept', async () => {
  const r = await deliver(`${withParser.url}/hooks`, SECRET, { type: 'ping' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { payload: { type: 'ping' } });
});

test("body limits: Nest's parser limit (100kb) answers first; with useWebhookBodyParser({ limit }) the verifier's maxBodyBytes does", async () => {
  const big = { type: 'big', pad: 'x'.repeat(200 * 1024) };
  const nest = await deliver(`${withRaw.url}/hooks`, SECRET, big);
  assert.equal(nest.status, 413);
  assert.equal(nest.json['code'], undefined);
  const ours = await deliver(`${withParser.url}/hooks`, SECRET, big);
  assert.equal(ours.status, 413);
  assert.ok(isProblem(ours));
  assert.equal(ours.json['code'], 'BODY_TOO_LARGE');
});

test('a body read from the stream stops at maxBodyBytes: 413 BODY_TOO_LARGE, seen by onRejected', async () => {
  const r = await deliver(`${withRaw.url}/hooks`, SECRET, undefined, { raw: 'x'.repeat(200 * 1024), contentType: 'text/plain' });
  assert.equal(r.status, 413);
  assert.ok(isProblem(r));
  assert.equal(r.json['code'], 'BODY_TOO_LARGE');
  assert.equal(hookCodes.at(-1), 'BODY_TOO_LARGE');
});

test('with useWebhookBodyParser: a chunked JSON delivery under the limit is read whole (the upload bound takes nothing from the parser)', async () => {
  const body = JSON.stringify({ type: 'chunked', pad: 'y'.repeat(120 * 1024) });
  const headers = { 'content-type': 'application/json', ...sign.standardWebhooks({ secret: SECRET, body }) };
  const url = new URL('/hooks', withParser.url);
  const reply = await new Promise<{ status: number; json: { payload?: { type?: string; pad?: string } } }>((resolve, reject) => {
    // No Content-Length: node:http sends it chunked, in pieces apart in time.
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent: false });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as never }));
    });
    req.on('error', reject);
    const bytes = Buffer.from(body);
    let offset = 0;
    const step = () => {
      if (offset >= bytes.length) return void req.end();
      req.write(bytes.subarray(offset, (offset += 16 * 1024)));
      setTimeout(step, 5);
    };
    step();
  });
  assert.equal(reply.status, 200);
  assert.equal(reply.json.payload?.type, 'chunked');
  assert.equal(reply.json.payload?.pad?.length, 120 * 1024);
});

test('useWebhookBodyParser refuses a limit body-parser cannot read (body-parser 1.x would read it as no limit)', () => {
  const app = { useBodyParser: () => app, use: () => app, useGlobalGuards: () => app };
  assert.throws(() => useWebhookBodyParser(app, { limit: 'lots' }), WebhookConfigError);
  assert.doesNotThrow(() => useWebhookBodyParser(app, { limit: '1.5mb' }));
  assert.doesNotThrow(() => useWebhookBodyParser(app, { limit: 2048 }));
  assert.doesNotThrow(() => useWebhookBodyParser(app));
});
