// Three app processes (node:http + @hookguard/core + this package) share one real PostgreSQL: a
// message's effect happens once whichever process gets each copy, whichever point of the handler
// a process is SIGKILLed at, and while the database is restarted under load.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { PostgresReplayStore } from '@hookguard/postgres';
import { describeWithPostgres, mulberry32 } from '@hookguard/testkit';
import { AppProcess, type CrashReport } from './lib/app-processes.js';
import { EFFECTS_DDL, effectCounts, startDatabase, type Database } from './lib/database.js';
import { deliver, describeAnswer, kindOf, send, sleep, type Answer, type Delivered, type Kind } from './lib/sender.js';

const SECRET = 'whsec_' + randomBytes(24).toString('base64');
// The crash points and the sender's choices derive from this seed: set POSTGRES_MP_SEED to replay a run.
const SEED = Number(process.env.POSTGRES_MP_SEED ?? 20261202);
const POINTS = ['before-write', 'after-write', 'after-commit'] as const;

const tally = (kinds: Kind[]) => {
  const out: Partial<Record<Kind, number>> = {};
  for (const k of kinds) out[k] = (out[k] ?? 0) + 1;
  return out;
};

describeWithPostgres('multi-process: three apps, one PostgreSQL replay store and transactional inbox', () => {
  let db: Database;
  let pool: pg.Pool;
  const apps: AppProcess[] = [];
  const urls = () => apps.map((a) => a.url);

  before(async () => {
    db = await startDatabase();
    pool = db.pool();
    await new PostgresReplayStore({ pool }).migrate();
    await pool.query(EFFECTS_DDL);
    const env = {
      DATABASE_URL: db.server.url,
      WEBHOOK_SECRET: SECRET,
      // Short, so that a delivery whose process died before its COMMIT is retried within the test.
      IN_FLIGHT_TTL_MS: '1000',
      // Generous: 1,000 copies at once queue for 10 pooled connections per app; a stopped server is refused at once anyway.
      QUERY_TIMEOUT_MS: '5000',
      HANDLER_DELAY_MS: '20',
    };
    for (const name of ['app-1', 'app-2', 'app-3']) apps.push(new AppProcess(name, env));
    await Promise.all(apps.map((a) => a.start()));
  });

  after(async () => {
    await Promise.allSettled(apps.map((a) => a.stop()));
    await db?.close();
  });

  test('1,000 concurrent copies of one delivery over the three processes: one effect', { timeout: 60_000 }, async (t) => {
    const id = 'msg_concurrent_1';
    const answers = await Promise.all(Array.from({ length: 1_000 }, (_, i) => send(apps[i % apps.length]!.url, { secret: SECRET, id })));
    const kinds = answers.map(kindOf);
    const unexpected = answers.filter((a) => !['handled', 'duplicate', 'in-flight'].includes(kindOf(a)));
    assert.deepEqual(unexpected.slice(0, 5).map(describeAnswer), [], 'every answer is handled, 200 duplicate or 409 REPLAY_IN_FLIGHT');
    const c = tally(kinds);
    assert.equal(c.handled, 1, 'exactly one copy ran the handler');
    assert.equal((await effectCounts(pool)).get(id), 1, 'one effect row');
    // Settled for good: a later copy to each process is a duplicate, and still one row.
    for (const app of apps) {
      let kind: Kind | undefined;
      for (let i = 0; i < 50 && kind !== 'duplicate'; i++) {
        if (i > 0) await sleep(20);
        kind = kindOf(await send(app.url, { secret: SECRET, id }));
      }
      assert.equal(kind, 'duplicate', app.name);
    }
    assert.equal((await effectCounts(pool)).get(id), 1);
    t.diagnostic(`1,000 copies: 1 handled, ${c.duplicate ?? 0} x 200 duplicate, ${c['in-flight'] ?? 0} x 409 REPLAY_IN_FLIGHT`);
  });

  test('SIGKILL at random points of the handler, a retrying sender: every delivery once, none lost', { timeout: 90_000 }, async (t) => {
    const random = mulberry32(SEED);
    const COUNT = 90;
    const ids = Array.from({ length: COUNT }, (_, i) => `msg_crash_${String(i).padStart(3, '0')}`);
    // Two in three deliveries have their first attempt killed, at a point drawn per delivery.
    const plan = new Map<string, (typeof POINTS)[number]>();
    for (const id of ids) if (random() < 2 / 3) plan.set(id, POINTS[Math.floor(random() * POINTS.length)]!);
    const firsts = new Map(ids.map((id) => [id, Math.floor(random() * apps.length)]));

    const reports: CrashReport[] = [];
    const restarts: Promise<void>[] = [];
    const dying = new Set<number>();
    for (const app of apps) {
      app.onCrash = (report, which) => {
        reports.push(report);
        if (dying.has(report.pid)) return; // the same process reached a second crash point before it died
        dying.add(report.pid);
        restarts.push(which.kill().then(() => which.start()));
      };
    }
    const deadline = Date.now() + 75_000;
    const results: Delivered[] = [];
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= ids.length) return;
        const id = ids[i]!;
        const point = plan.get(id);
        results.push(
          await deliver({
            secret: SECRET,
            id,
            urls,
            first: firsts.get(id)!,
            maxAttempts: 80,
            deadline,
            headersFor: (attempt) => (attempt === 1 && point ? { 'x-test-crash-at': point } : undefined),
          }),
        );
      }
    };
    try {
      await Promise.all(Array.from({ length: 12 }, worker));
      await Promise.all(restarts);
    } finally {
      for (const app of apps) app.onCrash = undefined;
    }

    for (const r of results) {
      assert.equal(r.unexpected, undefined, `${r.id}: ${r.unexpected}`);
      assert.ok(r.delivered, `${r.id} not delivered after ${r.kinds.length} attempts: ${r.kinds.join(', ')}`);
    }
    const counts = await effectCounts(pool);
    for (const id of ids) assert.equal(counts.get(id), 1, `${id}: effect rows`);

    // Each kill did what its point says. After the COMMIT, the killed process's row is the one
    // effect and the retry found the message done (200 duplicate, not run again). Before it, the
    // killed process's write rolled back: the one row comes from another process's later run.
    const finals = new Map(results.map((r) => [r.id, r.kinds.at(-1)]));
    const writers = new Map(
      (await pool.query<{ message_id: string; pid: number }>(`SELECT message_id, pid FROM effects WHERE message_id LIKE 'msg_crash_%'`)).rows.map((r) => [r.message_id, r.pid]),
    );
    for (const r of reports) {
      if (r.crash === 'after-commit') {
        assert.equal(writers.get(r.id), r.pid, `${r.id} killed after COMMIT: its row stands`);
        assert.equal(finals.get(r.id), 'duplicate', `${r.id} killed after COMMIT: the retry is a duplicate`);
      } else assert.notEqual(writers.get(r.id), r.pid, `${r.id} killed ${r.crash}: its write rolled back`);
    }
    const byPoint = Object.fromEntries(POINTS.map((p) => [p, reports.filter((r) => r.crash === p).length]));
    for (const p of POINTS) assert.ok(byPoint[p]! > 0, `some process was killed ${p}`);
    const kinds = tally(results.flatMap((r) => r.kinds));
    t.diagnostic(
      `seed ${SEED}: ${COUNT} deliveries, ${plan.size} with a kill planned; ${restarts.length} processes SIGKILLed (${reports.length} crash points reached: ${JSON.stringify(byPoint)}); ` +
        `${results.reduce((n, r) => n + r.kinds.length, 0)} attempts ${JSON.stringify(kinds)}`,
    );
  });

  test('PostgreSQL restarted under load: 503 REPLAY_STORE_UNAVAILABLE while down, recovery without restarting the apps', { timeout: 90_000 }, async (t) => {
    const pids = apps.map((a) => a.pid);
    type Phase = 'up' | 'stopping' | 'down' | 'restarted';
    interface Sent {
      id: string;
      /** When it was sent, and when its answer came. */
      phase: Phase;
      answered: Phase;
      app: number;
      answer: Answer;
      at: number;
    }
    const sent: Sent[] = [];
    let phase: Phase = 'up';
    let stop = false;
    let n = 0;
    const worker = async (w: number) => {
      for (let i = 0; i < 400 && !stop; i++) {
        const id = `msg_restart_${w}_${i}`;
        const app = n++ % apps.length;
        const at = phase;
        const answer = await send(apps[app]!.url, { secret: SECRET, id });
        sent.push({ id, phase: at, answered: phase, app, answer, at: Date.now() });
        if (kindOf(answer) !== 'handled') await sleep(10); // no busy loop while the database is away
      }
    };
    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    const waitFor = async (ok: () => boolean, polls: number) => {
      for (let i = 0; i < polls && !ok(); i++) await sleep(25);
    };
    let downMs = 0;
    let recoveryMs: number[] = [];
    try {
      await waitFor(() => sent.length >= 30, 800);
      phase = 'stopping';
      const stoppedAt = Date.now();
      await db.server.kill('SIGINT'); // fast shutdown: sessions are cut, the postmaster exits
      phase = 'down';
      await waitFor(() => sent.filter((s) => s.phase === 'down' && s.answered === 'down').length >= 60, 800);
      await db.server.restart();
      const restartedAt = Date.now();
      downMs = restartedAt - stoppedAt;
      phase = 'restarted';
      await waitFor(() => apps.every((_, i) => sent.some((s) => s.phase === 'restarted' && s.app === i && kindOf(s.answer) === 'handled')), 1_200);
      recoveryMs = apps.map((_, i) => (sent.find((s) => s.phase === 'restarted' && s.app === i && kindOf(s.answer) === 'handled')?.at ?? Number.NaN) - restartedAt);
    } finally {
      stop = true;
      await Promise.allSettled(workers);
    }

    // Sent and answered while no server ran (one sent then and answered after the restart may be handled).
    const down = sent.filter((s) => s.phase === 'down' && s.answered === 'down');
    assert.ok(down.length >= 60, `only ${down.length} deliveries while the database was down`);
    assert.deepEqual(down.filter((s) => kindOf(s.answer) !== 'unavailable').map((s) => describeAnswer(s.answer)), [], 'every delivery while down: 503 REPLAY_STORE_UNAVAILABLE');
    // Around the stop, a delivery already in its handler loses its transaction (500) or its reservation (503).
    const around = sent.filter((s) => !down.includes(s) && !['handled', 'unavailable', 'handler-failed', 'in-flight'].includes(kindOf(s.answer)));
    assert.deepEqual(around.map((s) => describeAnswer(s.answer)), []);
    for (const [i] of apps.entries()) assert.ok(Number.isFinite(recoveryMs[i]), `${apps[i]!.name} handles deliveries again after the restart`);
    assert.deepEqual(apps.map((a) => a.pid), pids, 'the same app processes, never restarted');

    // Nothing lost: every message not yet acknowledged is delivered by a retrying sender, and every
    // message has exactly one effect (committed rows survived the restart).
    const open = [...new Set(sent.filter((s) => !['handled', 'duplicate'].includes(kindOf(s.answer))).map((s) => s.id))];
    const deadline = Date.now() + 40_000;
    const redelivered = await Promise.all(open.map((id, i) => deliver({ secret: SECRET, id, urls, first: i, maxAttempts: 80, deadline })));
    for (const r of redelivered) assert.ok(r.delivered, `${r.id}: ${r.kinds.join(', ')}`);
    const counts = await effectCounts(pool);
    for (const id of new Set(sent.map((s) => s.id))) assert.equal(counts.get(id), 1, `${id}: effect rows`);
    const kinds = tally(sent.map((s) => kindOf(s.answer)));
    t.diagnostic(
      `${sent.length} deliveries: ${JSON.stringify(kinds)}; database down ${downMs} ms (${down.length} deliveries, all 503); ` +
        `first handled delivery per app ${recoveryMs.join(' / ')} ms after the restart; ${open.length} redelivered, each once`,
    );
  });
});
