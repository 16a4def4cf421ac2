import { test } from 'node:test';
import { request as httpRequest } from 'node:http';
import assert from 'node:assert/strict';
import { BadRequestException, Controller, Global, HttpCode, HttpException, Injectable, Module, Post, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { sign, standardWebhooks } from '@hookguard/core';
import { VerifiedWebhook, WebhookModule, WebhookPayload, WEBHOOK_REPLAY_STORE } from '@hookguard/nestjs';
import { deferred, deliver, isProblem, newSecret, RecordingStore, serveDuringFile } from './helpers.js';

const SECRET = newSecret();
const store = new RecordingStore();
const runs = new Map<string, number>();
let gate = deferred();
let started = deferred();

/** A guard that runs after the webhook guard and refuses: the handler never runs. */
@Injectable()
class DenyGuard implements CanActivate {
  canActivate(_context: ExecutionContext): boolean {
    return false;
  }
}

/** What the handler does, keyed by the payload's `do` field. */
@Controller('hooks')
class HooksController {
  @Post()
  @HttpCode(200)
  @VerifiedWebhook()
  async receive(@WebhookPayload() payload: { id: string; do?: string }) {
    runs.set(payload.id, (runs.get(payload.id) ?? 0) + 1);
    const first = runs.get(payload.id) === 1;
    if (payload.do === 'hold' && first) {
      started.resolve();
      await gate.promise;
    }
    if (payload.do === 'throw' && first) throw new Error('handler failed');
    if (payload.do === 'http503' && first) throw new HttpException('try later', 503);
    if (payload.do === 'http400') throw new BadRequestException('unprocessable');
    return { ok: true, run: runs.get(payload.id) };
  }

  @Post('guarded')
  @HttpCode(200)
  @UseGuards(DenyGuard)
  @VerifiedWebhook()
  guarded(@WebhookPayload() payload: { id: string }) {
    runs.set(payload.id, (runs.get(payload.id) ?? 0) + 1);
    return { ok: true };
  }
}

// The store comes through the WEBHOOK_REPLAY_STORE token, from a global module.
@Global()
@Module({ providers: [{ provide: WEBHOOK_REPLAY_STORE, useValue: store }], exports: [WEBHOOK_REPLAY_STORE] })
class StoreModule {}

let claimGate = deferred();
let claimStarted = deferred();

@Module({
  imports: [
    StoreModule,
    WebhookModule.forRoot({
      scheme: standardWebhooks({ secret: SECRET }),
      // Holds a delivery inside verification (claims run before the replay reservation).
      claims: async ({ payload }) => {
        if ((payload as { do?: string }).do === 'slow-verify') {
          claimStarted.resolve();
          await claimGate.promise;
        }
        return true;
      },
    }),
  ],
  controllers: [HooksController],
})
class AppModule {}

const running = serveDuringFile(AppModule);

const url = () => `${running.url}/hooks`;

test('a duplicate of a processed message: 200 {"received":true,"duplicate":true}, handler not run again', async () => {
  const first = await deliver(url(), SECRET, { id: 'dup-1' }, { id: 'msg_dup_1' });
  assert.equal(first.status, 200);
  assert.deepEqual(first.json, { ok: true, run: 1 });
  const again = await deliver(url(), SECRET, { id: 'dup-1' }, { id: 'msg_dup_1' });
  assert.equal(again.status, 200);
  assert.match(again.contentType, /^application\/json/);
  assert.deepEqual(again.json, { received: true, duplicate: true });
  assert.equal(runs.get('dup-1'), 1);
  // The token's store was the one used.
  assert.ok(store.calls.includes('commit'));
  assert.ok(store.calls.includes('reserve:done'));
});

test('a duplicate while the first is in flight: 409 REPLAY_IN_FLIGHT with retry-after', { timeout: 10_000 }, async () => {
  gate = deferred();
  started = deferred();
  const first = deliver(url(), SECRET, { id: 'flight-1', do: 'hold' }, { id: 'msg_flight_1' });
  await started.promise;
  const second = await deliver(url(), SECRET, { id: 'flight-1', do: 'hold' }, { id: 'msg_flight_1' });
  assert.equal(second.status, 409);
  assert.ok(isProblem(second));
  assert.equal(second.json['code'], 'REPLAY_IN_FLIGHT');
  assert.equal(second.headers.get('retry-after'), '5');
  gate.resolve();
  assert.equal((await first).status, 200);
  const third = await deliver(url(), SECRET, { id: 'flight-1', do: 'hold' }, { id: 'msg_flight_1' });
  assert.deepEqual(third.json, { received: true, duplicate: true });
  assert.equal(runs.get('flight-1'), 1);
});

test('a handler that throws releases the message: the retry is processed', async () => {
  const first = await deliver(url(), SECRET, { id: 'throw-1', do: 'throw' }, { id: 'msg_throw_1' });
  assert.equal(first.status, 500);
  const retry = await deliver(url(), SECRET, { id: 'throw-1', do: 'throw' }, { id: 'msg_throw_1' });
  assert.equal(retry.status, 200);
  assert.deepEqual(retry.json, { ok: true, run: 2 });
});

test('an HttpException of 503 releases; one of 400 commits (the answer was given)', async () => {
  const first = await deliver(url(), SECRET, { id: 'h503', do: 'http503' }, { id: 'msg_h503' });
  assert.equal(first.status, 503);
  const retry = await deliver(url(), SECRET, { id: 'h503', do: 'http503' }, { id: 'msg_h503' });
  assert.deepEqual(retry.json, { ok: true, run: 2 });

  const bad = await deliver(url(), SECRET, { id: 'h400', do: 'http400' }, { id: 'msg_h400' });
  assert.equal(bad.status, 400);
  const dup = await deliver(url(), SECRET, { id: 'h400', do: 'http400' }, { id: 'msg_h400' });
  assert.deepEqual(dup.json, { received: true, duplicate: true });
  assert.equal(runs.get('h400'), 1);
});

test('a client that hangs up mid-handler: the key stays reserved until the handler ends, which commits', { timeout: 10_000 }, async () => {
  gate = deferred();
  started = deferred();
  const abort = new AbortController();
  const body = JSON.stringify({ id: 'gone-1', do: 'hold' });
  const headers = { 'content-type': 'application/json', ...sign.standardWebhooks({ secret: SECRET, body, id: 'msg_gone_1' }) };
  const first = fetch(url(), { method: 'POST', body, headers, signal: abort.signal }).catch((e: unknown) => e);
  await started.promise;
  abort.abort();
  assert.equal(((await first) as Error).name, 'AbortError');
  // Copies while the handler runs are in flight, however often their senders hang up.
  for (let i = 0; i < 4; i++) {
    const copy = await deliver(url(), SECRET, { id: 'gone-1', do: 'hold' }, { id: 'msg_gone_1' });
    assert.equal(copy.status, 409);
    assert.equal((copy.json as { code?: string }).code, 'REPLAY_IN_FLIGHT');
  }
  const commits = store.calls.filter((c) => c === 'commit').length;
  gate.resolve();
  await store.waitFor('commit', commits + 1);
  const later = await deliver(url(), SECRET, { id: 'gone-1' }, { id: 'msg_gone_1' });
  assert.deepEqual(later.json, { received: true, duplicate: true });
  assert.equal(runs.get('gone-1'), 1);
});

test('a later guard that refuses: the reservation is released, not committed', { timeout: 10_000 }, async () => {
  const releases = store.calls.filter((c) => c === 'release').length;
  const first = await deliver(`${url()}/guarded`, SECRET, { id: 'deny-1' }, { id: 'msg_deny_1' });
  assert.equal(first.status, 403);
  await store.waitFor('release', releases + 1);
  const retry = await deliver(`${url()}/guarded`, SECRET, { id: 'deny-1' }, { id: 'msg_deny_1' });
  assert.equal(retry.status, 403);
  assert.equal(runs.get('deny-1'), undefined);
});

test('a client that hangs up while the delivery is verified: released at once, the handler does not run', { timeout: 10_000 }, async () => {
  claimGate = deferred();
  claimStarted = deferred();
  const releases = store.calls.filter((c) => c === 'release').length;
  const body = JSON.stringify({ id: 'early-1', do: 'slow-verify' });
  const headers = { 'content-type': 'application/json', ...sign.standardWebhooks({ secret: SECRET, body, id: 'msg_early_1' }) };
  const serverSocketClosed = deferred();
  running.app.getHttpServer().once('connection', (socket: import('node:net').Socket) => socket.once('close', () => serverSocketClosed.resolve()));
  // Its own connection (agent: false), so closing it is seen by the server at once.
  const req = httpRequest(`${url()}`, { method: 'POST', headers, agent: false });
  req.on('error', () => undefined);
  req.end(body);
  await claimStarted.promise;
  req.destroy();
  await serverSocketClosed.promise;
  claimGate.resolve();
  await store.waitFor('release', releases + 1);
  assert.equal(runs.get('early-1'), undefined);
  const retry = await deliver(url(), SECRET, { id: 'early-1', do: 'slow-verify' }, { id: 'msg_early_1' });
  assert.equal(retry.status, 200);
  assert.deepEqual(retry.json, { ok: true, run: 1 });
});
