// PostgresReplayStore against a real PostgreSQL server: the shared contract, the stored rows,
// migrate() and the shipped SQL file, options, long keys, expired leases, pruning, timeouts and
// the undo of a late reservation, the bound on waiting calls.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { WebhookConfigError } from '@hookguard/core';
import { PostgresReplayStore, PostgresReplayStoreError } from '@hookguard/postgres';
import { describeWithPostgres, eventually, rejection, replayStoreContract, uniqueKey } from '@hookguard/testkit';
import { startDatabase, type Database } from './lib/database.js';

const sqlFile = createRequire(import.meta.url).resolve('@hookguard/postgres/schema.sql');
/** The statements of a SQL text: comments and blank lines dropped. */
const statements = (sql: string) =>
  sql
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('--'))
    .join('\n');

describeWithPostgres('PostgresReplayStore', () => {
  let db: Database;
  let pool: pg.Pool;

  before(async () => {
    db = await startDatabase();
    pool = db.pool();
    await new PostgresReplayStore({ pool }).migrate();
  });
  after(async () => {
    await db?.close();
  });

  replayStoreContract('PostgresReplayStore (node-postgres Pool)', () => new PostgresReplayStore({ pool }));
  replayStoreContract('PostgresReplayStore (schema-qualified table, no prepared statements)', async () => {
    const store = new PostgresReplayStore({ pool, table: 'replay.webhook_keys', preparedStatements: false });
    await pool.query('CREATE SCHEMA IF NOT EXISTS replay');
    await store.migrate();
    return store;
  });

  test('a row holds the owner token while in flight, then NULL once done; expiry comes from the database clock', async () => {
    const store = new PostgresReplayStore({ pool });
    const key = uniqueKey('acme');
    const row = async () =>
      (
        await pool.query<{ token: string | null; ms: number }>(
          `SELECT token, extract(epoch FROM expires_at - now()) * 1000 AS ms FROM hookguard_replay WHERE key = $1`,
          [key],
        )
      ).rows;
    const r = await store.reserve(key, 30_000);
    let rows = await row();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.token, r.token);
    assert.ok(rows[0]!.ms > 0 && rows[0]!.ms <= 30_000, `in-flight expiry ${rows[0]!.ms} ms ahead`);
    await store.commit(key, 86_400_000, r.token);
    rows = await row();
    assert.equal(rows[0]!.token, null);
    assert.ok(rows[0]!.ms > 30_000 && rows[0]!.ms <= 86_400_000, `done expiry ${rows[0]!.ms} ms ahead`);
    await store.release(key, r.token);
    assert.equal((await row()).length, 1, 'release after commit leaves the done row');
  });

  test('release deletes the row', async () => {
    const store = new PostgresReplayStore({ pool });
    const key = uniqueKey();
    const r = await store.reserve(key, 30_000);
    await store.release(key, r.token);
    assert.equal((await pool.query('SELECT 1 FROM hookguard_replay WHERE key = $1', [key])).rowCount, 0);
  });

  test('a lease that ran out can still be committed by its owner while no one took it over; once taken, not', async () => {
    const store = new PostgresReplayStore({ pool });
    const key = uniqueKey();
    const first = await store.reserve(key, 1);
    await pool.query(`UPDATE hookguard_replay SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
    await store.commit(key, 60_000, first.token);
    assert.deepEqual(await store.reserve(key, 60_000), { state: 'done' }, 'nobody else ran it: the late commit stands');

    const other = uniqueKey();
    const stale = await store.reserve(other, 1);
    await pool.query(`UPDATE hookguard_replay SET expires_at = now() - interval '1 second' WHERE key = $1`, [other]);
    const next = await store.reserve(other, 60_000);
    assert.equal(next.state, 'reserved');
    await store.commit(other, 60_000, stale.token);
    await store.release(other, stale.token);
    assert.deepEqual(await store.reserve(other, 60_000), { state: 'in-flight' }, 'the stale owner changed nothing');
  });

  test('migrate() is idempotent and safe from many instances at once; the shipped SQL file is the same DDL', async () => {
    const table = `concurrent_${Date.now().toString(36)}`;
    const stores = Array.from({ length: 6 }, () => new PostgresReplayStore({ pool, table }));
    await Promise.all(stores.map((s) => s.migrate()));
    await stores[0]!.migrate();
    const { rows } = await pool.query<{ column_name: string; data_type: string; is_nullable: string }>(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    assert.deepEqual(
      rows.map((r) => `${r.column_name} ${r.data_type} ${r.is_nullable}`),
      ['key text NO', 'token text YES', 'expires_at timestamp with time zone NO'],
    );
    const index = await pool.query(`SELECT indexdef FROM pg_indexes WHERE tablename = $1 AND indexname = $2`, [table, `${table}_expires_at`]);
    assert.equal(index.rowCount, 1);

    const shipped = readFileSync(sqlFile, 'utf8');
    assert.equal(statements(shipped), statements(new PostgresReplayStore({ pool }).schemaSql));
    // And it runs as it is, twice.
    await pool.query(shipped);
    await pool.query(shipped);
  });

  test('misconfiguration throws WebhookConfigError at construction', () => {
    const bad: unknown[] = [
      undefined,
      {},
      { pool: {} },
      { pool, table: 'x; DROP TABLE y' },
      { pool, table: 'a.b.c' },
      { pool, table: '1abc' },
      { pool, table: '"quoted"' },
      { pool, queryTimeoutMs: 0 },
      { pool, queryTimeoutMs: Number.NaN },
      { pool, pruneEvery: -1 },
      { pool, pruneLimit: 0 },
      { pool, maxPendingQueries: 1.5 },
      { pool, preparedStatements: 'yes' },
    ];
    for (const [i, options] of bad.entries()) assert.throws(() => new PostgresReplayStore(options as never), WebhookConfigError, `case ${i}`);
    assert.doesNotThrow(() => new PostgresReplayStore({ pool, table: 'public.Hooks_2', pruneEvery: 0 }));
  });

  test('a TTL that is not a positive number rejects with RangeError', async () => {
    const store = new PostgresReplayStore({ pool });
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.ok((await rejection(store.reserve(uniqueKey(), ttl))) instanceof RangeError);
      assert.ok((await rejection(store.commit(uniqueKey(), ttl, 'x'))) instanceof RangeError);
    }
  });

  test('keys past 512 characters are stored as a digest: distinct keys stay distinct, the same key is the same', async () => {
    const store = new PostgresReplayStore({ pool });
    const base = uniqueKey() + 'x'.repeat(600);
    const a = await store.reserve(base + 'a', 60_000);
    assert.equal(a.state, 'reserved');
    assert.equal((await store.reserve(base + 'b', 60_000)).state, 'reserved');
    assert.deepEqual(await store.reserve(base + 'a', 60_000), { state: 'in-flight' });
    await store.commit(base + 'a', 60_000, a.token);
    assert.deepEqual(await store.reserve(base + 'a', 60_000), { state: 'done' });
    const long = await pool.query(`SELECT max(length(key)) AS n FROM hookguard_replay WHERE key LIKE '#sha256:%'`);
    assert.ok(Number(long.rows[0].n) <= 64);
  });

  test('pruning: every pruneEvery reserves, at most pruneLimit expired rows go, oldest first; live rows stay', async () => {
    const table = `prune_${Date.now().toString(36)}`;
    const store = new PostgresReplayStore({ pool, table, pruneEvery: 10, pruneLimit: 100 });
    await store.migrate();
    await pool.query(
      `INSERT INTO ${table} (key, token, expires_at)
       SELECT 'old:' || i, CASE WHEN i % 2 = 0 THEN NULL ELSE 't' END, now() - (i || ' seconds')::interval FROM generate_series(1, 250) i`,
    );
    const count = async (where: string) => Number((await pool.query(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)).rows[0].n);
    for (let i = 0; i < 9; i++) await store.reserve(uniqueKey(), 60_000);
    assert.equal(await count(`key LIKE 'old:%'`), 250, 'no prune before the 10th reserve');
    await store.reserve(uniqueKey(), 60_000);
    await eventually(async () => (await count(`key LIKE 'old:%'`)) === 150, 10_000, 'one prune deleted 100 rows');
    // The oldest went first: the survivors are the 150 youngest (expired 1..150 s ago).
    assert.equal(await count(`key LIKE 'old:%' AND expires_at < now() - interval '151 seconds'`), 0);
    assert.equal(await count(`key NOT LIKE 'old:%'`), 10, 'live reservations are never pruned');
    assert.equal(await store.prune({ limit: 1_000 }), 150);
    assert.equal(await store.prune(), 0);

    const manual = new PostgresReplayStore({ pool, table, pruneEvery: 0 });
    await pool.query(`INSERT INTO ${table} (key, token, expires_at) SELECT 'old2:' || i, NULL, now() - interval '1 hour' FROM generate_series(1, 20) i`);
    for (let i = 0; i < 30; i++) await manual.reserve(uniqueKey(), 60_000);
    assert.equal(await count(`key LIKE 'old2:%'`), 20, 'pruneEvery: 0 never prunes');
  });

  test('a database that does not answer in time: reserve rejects, and the late reservation is undone', async () => {
    const store = new PostgresReplayStore({ pool, queryTimeoutMs: 200 });
    const key = uniqueKey();
    // Another session locks the table: the reserve waits on the server, as behind a stalled database.
    const locker = await pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE hookguard_replay IN ACCESS EXCLUSIVE MODE');
      const e = await rejection(store.reserve(key, 60_000));
      assert.ok(e instanceof PostgresReplayStoreError);
      assert.match(e.message, /no answer from postgres within 200 ms/);
    } finally {
      await locker.query('COMMIT');
      locker.release();
    }
    // The reserve ran once the lock went; its undo followed: the key is free long before its 60 s TTL.
    await eventually(async () => (await store.reserve(key, 60_000)).state === 'reserved', 10_000, 'the late reservation is released');
  });

  test('past maxPendingQueries calls waiting, a call is refused at once; they count until postgres answers', async () => {
    const store = new PostgresReplayStore({ pool, queryTimeoutMs: 100, maxPendingQueries: 3 });
    const locker = await pool.connect();
    let waiting: Promise<unknown>[] = [];
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE hookguard_replay IN ACCESS EXCLUSIVE MODE');
      waiting = Array.from({ length: 3 }, () => rejection(store.reserve(uniqueKey(), 60_000)));
      const refused = await rejection(store.reserve(uniqueKey(), 60_000));
      assert.ok(refused instanceof PostgresReplayStoreError);
      assert.match(refused.message, /3 calls to postgres are still waiting/);
      for (const e of await Promise.all(waiting)) assert.match(String((e as Error).message), /no answer from postgres within 100 ms/);
      // Timed out, but still out on the server: still counted.
      assert.match(String(((await rejection(store.reserve(uniqueKey(), 60_000))) as Error).message), /still waiting/);
    } finally {
      await locker.query('COMMIT');
      locker.release();
    }
    await eventually(async () => (await store.reserve(uniqueKey(), 60_000)).state === 'reserved', 10_000, 'calls go through again');
  });
});
