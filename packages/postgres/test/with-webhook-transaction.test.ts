// The transactional inbox in one process, on a real verifier and a real PostgreSQL: the handler's
// writes and the "done" row commit together or not at all, in every way a delivery can end.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import {
  createVerifier,
  isWebhookVerificationError,
  MemoryReplayStore,
  sign,
  standardWebhooks,
  WebhookConfigError,
  type ReplayStore,
  type VerifiedWebhook,
  type Verifier,
  type WebhookErrorCode,
  type WebhookRequest,
  type WebhookVerificationError,
} from '@hookguard/core';
import { commitInTransaction, PostgresReplayStore, withWebhookTransaction } from '@hookguard/postgres';
import { describeWithPostgres, eventually, rejection } from '@hookguard/testkit';
import { EFFECTS_DDL, effectCounts, startDatabase, type Database } from './lib/database.js';

const SECRET = 'whsec_' + randomBytes(24).toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signedRequest(id = `msg_${randomBytes(8).toString('hex')}`): WebhookRequest {
  const body = JSON.stringify({ type: 'invoice.paid', id });
  return { method: 'POST', url: '/webhooks', headers: { ...sign.standardWebhooks({ secret: SECRET, id, body }), 'content-type': 'application/json' }, body: Buffer.from(body) };
}

/** The error code a verify settles with, or 'VERIFIED' (the reservation is then released again). */
async function outcome(verifier: Verifier, request: WebhookRequest): Promise<WebhookErrorCode | 'VERIFIED'> {
  try {
    const w = await verifier.verify(request);
    await w.release();
    return 'VERIFIED';
  } catch (e) {
    assert.ok(isWebhookVerificationError(e), `expected a WebhookVerificationError, got ${String(e)}`);
    return e.code;
  }
}

const idOf = (request: WebhookRequest) => String(request.headers['webhook-id']);

describeWithPostgres('withWebhookTransaction and commitInTransaction', () => {
  let db: Database;
  let pool: pg.Pool;
  let store: PostgresReplayStore;
  let verifier: Verifier;
  const settleFailures: WebhookVerificationError[] = [];

  const effectsOf = async (id: string) => (await effectCounts(pool)).get(id) ?? 0;
  const insertEffect = (tx: pg.ClientBase, webhook: VerifiedWebhook) => tx.query('INSERT INTO effects (message_id, app) VALUES ($1, $2)', [webhook.id, 'test']);
  const keyState = async (webhook: VerifiedWebhook) =>
    (await pool.query<{ token: string | null }>('SELECT token FROM hookguard_replay WHERE key = $1', [webhook.replayKey])).rows.map((r) => (r.token === null ? 'done' : 'in-flight'));

  before(async () => {
    db = await startDatabase();
    pool = db.pool();
    store = new PostgresReplayStore({ pool });
    await store.migrate();
    await pool.query(EFFECTS_DDL);
    verifier = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: { store }, onSettleFailed: (e) => settleFailures.push(e) });
  });
  after(async () => {
    await db?.close();
  });

  test('the handler commits: its write and the done row land together; the result comes back; the adapter settle after it is a no-op', async () => {
    const request = signedRequest();
    const webhook = await verifier.verify(request);
    const result = await withWebhookTransaction({ pool, webhook }, async (tx) => {
      await insertEffect(tx, webhook);
      // Inside the transaction: nothing is visible to anyone else yet, and the key is still in flight.
      assert.equal(await effectsOf(idOf(request)), 0);
      assert.deepEqual(await keyState(webhook), ['in-flight']);
      return 'ok' as const;
    });
    assert.equal(result, 'ok');
    assert.equal(await effectsOf(idOf(request)), 1);
    assert.deepEqual(await keyState(webhook), ['done']);
    await webhook.settle({ status: 500 }); // what an adapter does next, even on a later 5xx: settled already
    assert.deepEqual(await keyState(webhook), ['done']);
    assert.equal(await outcome(verifier, request), 'DUPLICATE');
  });

  test('the handler throws: rolled back, the error propagates, the adapter releases, and the retry is processed once', async () => {
    const request = signedRequest();
    const first = await verifier.verify(request);
    const boom = new Error('handler failed');
    const e = await rejection(
      withWebhookTransaction({ pool, webhook: first }, async (tx) => {
        await insertEffect(tx, first);
        throw boom;
      }),
    );
    assert.equal(e, boom);
    assert.equal(await effectsOf(idOf(request)), 0);
    assert.deepEqual(await keyState(first), ['in-flight'], 'still held until the adapter settles');
    await first.settle({ error: e });
    const retry = await verifier.verify(request);
    await withWebhookTransaction({ pool, webhook: retry }, (tx) => insertEffect(tx, retry));
    assert.equal(await effectsOf(idOf(request)), 1);
    assert.equal(await outcome(verifier, request), 'DUPLICATE');
  });

  test('a crash between the done row and COMMIT (the transaction never commits) leaves neither; the retry after the lease is processed', async () => {
    const short = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: { store, inFlightTtlMs: 300 } });
    const request = signedRequest();
    const webhook = await short.verify(request);
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      await insertEffect(tx, webhook);
      await commitInTransaction({ client: tx, webhook });
      // The process dies here: its connection goes, and the server rolls the transaction back.
    } finally {
      tx.release(new Error('simulated crash: the connection is destroyed'));
    }
    assert.equal(await effectsOf(idOf(request)), 0);
    assert.deepEqual(await keyState(webhook), ['in-flight'], 'the done row rolled back with the write');
    assert.equal(await outcome(short, request), 'REPLAY_IN_FLIGHT');
    await eventually(async () => (await outcome(short, request)) === 'VERIFIED', 10_000, 'the lease runs out');
    const retry = await short.verify(request);
    await withWebhookTransaction({ pool, webhook: retry }, (t) => insertEffect(t, retry));
    assert.equal(await effectsOf(idOf(request)), 1);
  });

  test('commitInTransaction in your own transaction: done commits with your writes', async () => {
    const request = signedRequest();
    const webhook = await verifier.verify(request);
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      await insertEffect(tx, webhook);
      await commitInTransaction({ client: tx, webhook });
      assert.deepEqual(await keyState(webhook), ['in-flight'], 'not before COMMIT');
      await tx.query('COMMIT');
    } finally {
      tx.release();
    }
    assert.deepEqual(await keyState(webhook), ['done']);
    assert.equal(await effectsOf(idOf(request)), 1);
  });

  test('the lease ran out and another copy took the key: REPLAY_IN_FLIGHT, this run rolled back; the copy commits the one effect', async () => {
    const short = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: { store, inFlightTtlMs: 200 } });
    const request = signedRequest();
    const slow = await short.verify(request);
    let copy: VerifiedWebhook | undefined;
    const e = await rejection(
      withWebhookTransaction({ pool, webhook: slow }, async (tx) => {
        await insertEffect(tx, slow);
        // Too slow: the lease runs out and a copy of the message is reserved meanwhile.
        await eventually(
          async () => {
            try {
              copy = await short.verify(request);
              return true;
            } catch {
              return false;
            }
          },
          10_000,
          'a copy takes the expired lease',
        );
      }),
    );
    assert.ok(isWebhookVerificationError(e));
    assert.equal(e.code, 'REPLAY_IN_FLIGHT');
    assert.equal(e.status, 409);
    assert.equal(await effectsOf(idOf(request)), 0, 'the slow run wrote nothing');
    await slow.settle({ error: e }); // a 409 answer: nothing changes
    await withWebhookTransaction({ pool, webhook: copy! }, (tx) => insertEffect(tx, copy!));
    assert.equal(await effectsOf(idOf(request)), 1);
    assert.deepEqual(await keyState(copy!), ['done']);
  });

  test('COMMIT fails (a deferred constraint): 503 REPLAY_STORE_UNAVAILABLE with the database error as cause, nothing kept, the key freed at once', async () => {
    await pool.query('CREATE TABLE IF NOT EXISTS ledger (ref text UNIQUE DEFERRABLE INITIALLY DEFERRED)');
    const ref = randomBytes(6).toString('hex');
    await pool.query('INSERT INTO ledger (ref) VALUES ($1)', [ref]);
    const request = signedRequest();
    const webhook = await verifier.verify(request);
    const e = await rejection(
      withWebhookTransaction({ pool, webhook }, async (tx) => {
        await insertEffect(tx, webhook);
        await tx.query('INSERT INTO ledger (ref) VALUES ($1)', [ref]); // checked only at COMMIT
      }),
    );
    assert.ok(isWebhookVerificationError(e));
    assert.equal(e.code, 'REPLAY_STORE_UNAVAILABLE');
    assert.equal(e.status, 503);
    assert.equal((e.cause as { code?: string } | undefined)?.code, '23505', 'the unique violation is the cause');
    assert.equal(await effectsOf(idOf(request)), 0);
    assert.deepEqual(await keyState(webhook), [], 'released: the retry need not wait for the lease');
    assert.equal(await outcome(verifier, request), 'VERIFIED');
  });

  test('the done row cannot be written: 503, rolled back, the key freed; core reports the failed commit to onSettleFailed', async () => {
    const request = signedRequest();
    const webhook = await verifier.verify(request);
    const before = settleFailures.length;
    const e = await rejection(
      withWebhookTransaction({ pool, webhook }, async (tx) => {
        await insertEffect(tx, webhook);
        // The replay table is out of this transaction's reach: the done row's UPDATE fails.
        await tx.query('SET LOCAL search_path TO pg_catalog');
      }),
    );
    assert.ok(isWebhookVerificationError(e));
    assert.equal(e.code, 'REPLAY_STORE_UNAVAILABLE');
    assert.match(String((e.cause as Error | undefined)?.message), /hookguard_replay/);
    assert.equal(settleFailures.length, before + 1);
    assert.equal(await effectsOf(idOf(request)), 0);
    assert.deepEqual(await keyState(webhook), []);
    assert.equal(await outcome(verifier, request), 'VERIFIED');
  });

  test("a verifier whose store is not a PostgresReplayStore: the write commits, then a WebhookConfigError says it was not atomic", async () => {
    const memory: ReplayStore = new MemoryReplayStore();
    const other = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: { store: memory } });
    const request = signedRequest();
    const webhook = await other.verify(request);
    const e = await rejection(withWebhookTransaction({ pool, webhook }, (tx) => insertEffect(tx, webhook)));
    assert.ok(e instanceof WebhookConfigError);
    assert.match(e.message, /not a PostgresReplayStore/);
    assert.equal(await effectsOf(idOf(request)), 1, 'nothing lost: the key is done in the memory store');
    assert.equal(await outcome(other, request), 'DUPLICATE');

    const settledEarly = await verifier.verify(signedRequest());
    await settledEarly.commit();
    assert.ok((await rejection(withWebhookTransaction({ pool, webhook: settledEarly }, async () => {}))) instanceof WebhookConfigError);
    const manual = await other.verify(signedRequest());
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      assert.ok((await rejection(commitInTransaction({ client: tx, webhook: manual }))) instanceof WebhookConfigError);
      await tx.query('ROLLBACK');
    } finally {
      tx.release();
    }
  });

  test('without replay protection it is a plain transaction', async () => {
    const plain = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: false });
    const request = signedRequest();
    const webhook = await plain.verify(request);
    assert.equal(webhook.replayKey, undefined);
    await withWebhookTransaction({ pool, webhook }, (tx) => insertEffect(tx, webhook));
    assert.equal(await effectsOf(idOf(request)), 1);
  });

  test('isolation levels, and option errors as WebhookConfigError', async () => {
    for (const isolation of ['read committed', 'repeatable read', 'serializable'] as const) {
      const webhook = await verifier.verify(signedRequest());
      const level = await withWebhookTransaction({ pool, webhook, isolation }, async (tx) => (await tx.query('SHOW transaction_isolation')).rows[0].transaction_isolation);
      assert.equal(level, isolation);
      assert.deepEqual(await keyState(webhook), ['done']);
    }
    const webhook = await verifier.verify(signedRequest());
    const bad: unknown[] = [undefined, {}, { pool }, { webhook }, { pool: {}, webhook }, { pool, webhook, isolation: 'chaos' }, { pool, webhook, timeoutMs: 0 }];
    for (const [i, options] of bad.entries()) assert.ok((await rejection(withWebhookTransaction(options as never, async () => {}))) instanceof WebhookConfigError, `case ${i}`);
    assert.ok((await rejection(withWebhookTransaction({ pool, webhook }, undefined as never))) instanceof WebhookConfigError);
    assert.deepEqual(await keyState(webhook), ['in-flight'], 'a refused call touched nothing');
    await webhook.release();
  });

  test('no pooled connection in time: 503 before the handler runs, and the adapter releases the key', async () => {
    const tiny = db.pool({ max: 1 });
    const holder = await tiny.connect();
    const request = signedRequest();
    const webhook = await verifier.verify(request);
    let ran = false;
    try {
      const e = await rejection(
        withWebhookTransaction({ pool: tiny, webhook, timeoutMs: 100 }, async () => {
          ran = true;
        }),
      );
      assert.ok(isWebhookVerificationError(e));
      assert.equal(e.code, 'REPLAY_STORE_UNAVAILABLE');
      assert.equal(ran, false);
      await webhook.settle({ error: e });
    } finally {
      holder.release();
    }
    assert.equal(await outcome(verifier, request), 'VERIFIED');
    await sleep(10);
    assert.equal(tiny.totalCount, 1, 'the connection that came late went back to the pool');
  });

  test('concurrent deliveries in one process: each done row lands in its own transaction', async () => {
    const requests = Array.from({ length: 40 }, () => signedRequest());
    const webhooks = await Promise.all(requests.map((r) => verifier.verify(r)));
    await Promise.all(
      webhooks.map((webhook, i) =>
        withWebhookTransaction({ pool, webhook }, async (tx) => {
          await sleep(i % 7);
          await insertEffect(tx, webhook);
        }),
      ),
    );
    const counts = await effectCounts(pool);
    for (const [i, r] of requests.entries()) {
      assert.equal(counts.get(idOf(r)), 1);
      assert.deepEqual(await keyState(webhooks[i]!), ['done']);
    }
  });

  test('a store from the CommonJS build and the helper from the ESM build still find each other', async () => {
    const cjs = createRequire(import.meta.url)('@hookguard/postgres') as typeof import('@hookguard/postgres');
    assert.notEqual(cjs.PostgresReplayStore, PostgresReplayStore, 'two module instances');
    const mixed = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: { store: new cjs.PostgresReplayStore({ pool }) } });
    const webhook = await mixed.verify(signedRequest());
    await withWebhookTransaction({ pool, webhook }, (tx) => insertEffect(tx, webhook));
    assert.deepEqual(await keyState(webhook), ['done']);
  });
});
