// @hookguard/redis across processes: an Express, a Koa and a NestJS app, each its own node process,
// share one real redis-server through RedisReplayStore. A message runs its handler once in total,
// whichever process gets each copy; failed handlers are retried until processed exactly once; a
// killed Redis fails closed (503) and a restarted one is picked up by the same processes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { describeWithRedis, RedisServer } from '@hookguard/testkit';
import { send, type Answer } from './lib/deliveries.js';
import { startApp, total, type AppName, type AppProcess } from './lib/multi/app-processes.js';
import { copyUntilAcknowledged, deliverWithRetries, delivery, describeAnswer, kindOf, sleep, type Kind } from './lib/multi/sender.js';

const APPS: AppName[] = ['express', 'koa', 'nestjs'];
// Failure injection and the sender's choices derive from this seed: set MULTI_PROCESS_SEED to replay a run.
const SEED = process.env.MULTI_PROCESS_SEED ?? '20261124';
const FAIL_RATE = 0.3;
// Generous, so that a loaded machine does not turn slow answers into 503s; a killed Redis is
// refused at once anyway (the store does not send commands to a disconnected client).
const COMMAND_TIMEOUT_MS = 2_000;
const SECRET = 'whsec_' + randomBytes(24).toString('base64');

const count = (kinds: Kind[]) => {
  const out: Partial<Record<Kind, number>> = {};
  for (const k of kinds) out[k] = (out[k] ?? 0) + 1;
  return out;
};

/** Copies of a handled message: maybe 409 while its commit lands, then 200 duplicate. */
function assertAcknowledged(kinds: Kind[], what: string) {
  assert.equal(kinds.at(-1), 'duplicate', `${what}: ${kinds.join(', ')}`);
  assert.ok(kinds.slice(0, -1).every((k) => k === 'in-flight'), `${what}: ${kinds.join(', ')}`);
}

describeWithRedis('multi-process: Express, Koa and NestJS apps share one Redis replay store', () => {
  let redis: RedisServer;
  const apps: AppProcess[] = [];
  const snapshots = () => Promise.all(apps.map((a) => a.stats()));

  before(async () => {
    redis = await RedisServer.start();
    const env = {
      REDIS_URL: redis.url,
      PORT: '0',
      WEBHOOK_SECRET: SECRET,
      FAIL_RATE: String(FAIL_RATE),
      SEED,
      HANDLER_DELAY_MS: '20', // the handler takes a moment: copies arrive while it is in flight
      COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
    };
    // Each app is kept as soon as it is up, so `after` stops it even if another fails to start.
    await Promise.all(APPS.map(async (name, i) => (apps[i] = await startApp(name, env))));
    // Each app has reached Redis once before the tests start (bounded: 50 tries per app).
    for (const [i, app] of apps.entries()) {
      let kind: Kind | undefined;
      for (let attempt = 0; attempt < 50 && kind !== 'handled'; attempt++) {
        if (attempt > 0) await sleep(100);
        kind = kindOf(await send(app.url, delivery({ secret: SECRET, id: `msg_warmup_${i}_${attempt}`, path: '/webhooks' })));
      }
      assert.equal(kind, 'handled', `${app.name} handles a delivery`);
    }
  });

  after(async () => {
    await Promise.allSettled(apps.filter(Boolean).map((a) => a.stop()));
    await redis?.stop();
  });

  test('200 concurrent deliveries of one message over the 3 processes: the handler runs once in total', { timeout: 30_000 }, async (t) => {
    const id = 'msg_concurrent_1';
    const d = delivery({ secret: SECRET, id, path: '/webhooks' });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => send(apps[i % apps.length]!.url, d)));
    const kinds = answers.map(kindOf);
    const unexpected = answers.filter((a) => !['handled', 'duplicate', 'in-flight'].includes(kindOf(a)));
    assert.deepEqual(unexpected.map(describeAnswer), [], 'every answer is handled, 200 duplicate or 409 REPLAY_IN_FLIGHT');
    const c = count(kinds);
    assert.equal(c.handled, 1, 'exactly one delivery ran the handler');
    assert.equal((c.duplicate ?? 0) + (c['in-flight'] ?? 0), 199);
    t.diagnostic(`answers: 1 handled, ${c.duplicate ?? 0} x 200 duplicate, ${c['in-flight'] ?? 0} x 409 REPLAY_IN_FLIGHT`);

    const stats = await snapshots();
    assert.equal(total(stats, 'runs', id), 1, 'handler runs summed over the 3 processes');
    assert.deepEqual(stats.map((s) => s.pid), apps.map((a) => a.pid));

    // Settled for good: a later copy to each process is acknowledged without running the handler.
    for (const app of apps) assertAcknowledged(await copyUntilAcknowledged(app.url, { secret: SECRET, id, path: '/webhooks' }), app.name);
    assert.equal(total(await snapshots(), 'runs', id), 1);
  });

  test(`handlers failing ${FAIL_RATE * 100}% of attempts, a retrying sender: 60 messages, each processed exactly once`, { timeout: 40_000 }, async (t) => {
    const ids = Array.from({ length: 60 }, (_, i) => `msg_retry_${String(i).padStart(2, '0')}`);
    const urls = apps.map((a) => a.url);
    const results = await Promise.all(ids.map((id) => deliverWithRetries({ secret: SECRET, id, path: '/flaky', urls, seed: SEED, maxAttempts: 30 })));

    for (const r of results) {
      assert.equal(r.unexpected, undefined, `${r.id}: unexpected answer`);
      assert.ok(r.delivered, `${r.id} not delivered after ${r.kinds.length} attempts: ${r.kinds.join(', ')}`);
      assert.deepEqual(r.kinds.filter((k) => !['handled', 'duplicate', 'in-flight', 'handler-failed'].includes(k)), [], r.id);
    }
    const stats = await snapshots();
    let failures = 0;
    for (const id of ids) {
      assert.equal(total(stats, 'successes', id), 1, `${id}: successful handler runs over all processes`);
      assert.equal(total(stats, 'runs', id), total(stats, 'successes', id) + total(stats, 'failures', id));
      failures += total(stats, 'failures', id);
    }
    const kinds = count(results.flatMap((r) => r.kinds));
    // The injection really happened (with this seed, in some messages' first attempts at least).
    assert.ok(failures > 0, 'some handler runs failed');
    assert.equal(kinds['handler-failed'], failures, 'every injected failure reached the sender as a 500');
    const perApp = apps.map((a, i) => `${a.name} ${results.flatMap((r) => r.apps).filter((x) => x === i).length}`).join(', ');
    t.diagnostic(`seed ${SEED}: ${results.reduce((n, r) => n + r.kinds.length, 0)} attempts (${perApp}); answers ${JSON.stringify(kinds)}`);
  });

  test('redis-server SIGKILLed mid-run: 503 REPLAY_STORE_UNAVAILABLE and no handler; restarted on the same port: the same processes recover', { timeout: 45_000 }, async (t) => {
    const urls = apps.map((a) => a.url);
    const pids = apps.map((a) => a.pid);
    for (const [i, url] of urls.entries()) assert.equal(kindOf(await send(url, delivery({ secret: SECRET, id: `msg_before_kill_${i}`, path: '/webhooks' }))), 'handled');

    // Six senders deliver distinct messages, one at a time each, round the apps, while Redis is killed.
    interface Sent {
      id: string;
      afterKill: boolean;
      answer: Answer;
    }
    const sent: Sent[] = [];
    let killed = false;
    let stop = false;
    let n = 0;
    const worker = async (w: number) => {
      for (let i = 0; i < 200 && !stop; i++) {
        const id = `msg_fault_${w}_${i}`;
        const afterKill = killed;
        const answer = await send(urls[n++ % urls.length]!, delivery({ secret: SECRET, id, path: '/webhooks' }));
        sent.push({ id, afterKill, answer });
      }
    };
    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    const waitFor = async (ok: () => boolean, polls: number) => {
      for (let i = 0; i < polls && !ok(); i++) await sleep(50);
    };
    try {
      await waitFor(() => sent.length >= 12, 200);
      const oldRedisPid = redis.pid;
      await redis.kill('SIGKILL'); // resolves once the process has exited
      killed = true;
      await waitFor(() => sent.filter((s) => s.afterKill).length >= 36, 400);
      stop = true;
      await Promise.all(workers);

      const afterKill = sent.filter((s) => s.afterKill);
      assert.ok(afterKill.length >= 36, `only ${afterKill.length} deliveries after the kill`);
      // Deliveries under way at the kill either ran (reserved before it) or failed closed.
      const around = sent.filter((s) => !s.afterKill && !['handled', 'unavailable'].includes(kindOf(s.answer)));
      assert.deepEqual(around.map((s) => describeAnswer(s.answer)), []);
      // Every delivery sent once Redis was gone: 503 problem+json REPLAY_STORE_UNAVAILABLE.
      assert.deepEqual(afterKill.filter((s) => kindOf(s.answer) !== 'unavailable').map((s) => describeAnswer(s.answer)), []);

      let stats = await snapshots();
      for (const s of sent) {
        const expected = kindOf(s.answer) === 'handled' ? 1 : 0;
        assert.equal(total(stats, 'runs', s.id), expected, `${s.id} (${kindOf(s.answer)}): handler runs`);
      }
      const unavailable = sent.filter((s) => kindOf(s.answer) === 'unavailable').length;

      // Same port, fresh process (no persistence). The apps are not restarted: their clients reconnect.
      await redis.restart();
      assert.notEqual(redis.pid, oldRedisPid);
      const polls: Array<{ id: string; kind: Kind }> = [];
      for (const [i, url] of urls.entries()) {
        for (let attempt = 0; attempt < 100; attempt++) {
          const id = `msg_recovery_${i}_${attempt}`;
          const kind = kindOf(await send(url, delivery({ secret: SECRET, id, path: '/webhooks' })));
          polls.push({ id, kind });
          if (kind !== 'unavailable') break;
          await sleep(100);
        }
        assert.equal(polls.at(-1)?.kind, 'handled', `${apps[i]!.name} processes deliveries again`);
      }
      stats = await snapshots();
      for (const p of polls) assert.equal(total(stats, 'runs', p.id), p.kind === 'handled' ? 1 : 0, p.id);

      // Replay protection is shared again, not merely "no error": one message, three processes.
      const id = 'msg_after_restart';
      assert.equal(kindOf(await send(urls[0]!, delivery({ secret: SECRET, id, path: '/webhooks' }))), 'handled');
      for (const [i, url] of urls.entries()) if (i > 0) assertAcknowledged(await copyUntilAcknowledged(url, { secret: SECRET, id, path: '/webhooks' }), apps[i]!.name);
      stats = await snapshots();
      assert.equal(total(stats, 'runs', id), 1);
      assert.deepEqual(stats.map((s) => s.pid), pids, 'the same app processes answered');
      assert.ok(apps.every((a) => a.alive()), 'no app process exited');
      t.diagnostic(
        `${sent.length} deliveries around the kill: ${sent.length - unavailable} handled, ${unavailable} x 503 (${afterKill.length} sent after the kill, all 503); ` +
          `${polls.length - apps.length} x 503 while the apps reconnected`,
      );
    } finally {
      stop = true;
      await Promise.allSettled(workers);
    }
  });
});
