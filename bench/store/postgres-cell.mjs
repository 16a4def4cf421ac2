// PostgreSQL replay store cell (fresh process), against a server the runner started:
//   node bench/store/postgres-cell.mjs <url> <pairs> <concurrency>
// reserve+commit pairs per second with <concurrency> requests in flight, on pg's default pool of
// 10 connections and on a pool of <concurrency>; the round trips each delivery costs (every query
// the store sends is counted); and deliveries per second through a real verifier and
// withWebhookTransaction, whose handler inserts one row (the transactional inbox).
import { randomBytes } from 'node:crypto';
import { emitResult } from '../lib/child.mjs';
import { drive, reserveCommit } from './drive.mjs';

const [url, pairsArg, concArg] = process.argv.slice(2);
const pairs = Number(pairsArg);
const concurrency = Number(concArg);
const RESERVE_TTL = 60_000;
const RETENTION = 24 * 60 * 60 * 1000;

/**
 * Counts the round trips: every query of every client of the pool (pool.query runs client.query;
 * node-postgres sends each query, a named statement's first Parse included, in one round trip).
 */
function newPool(pg, max) {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => {});
  const counter = { n: 0 };
  pool.on('connect', (client) => {
    const query = client.query.bind(client);
    client.query = (...args) => {
      counter.n++;
      return query(...args);
    };
  });
  return { pool, counter };
}

async function storePairs(pg, PostgresReplayStore, max, prefix) {
  const { pool, counter } = newPool(pg, max);
  try {
    const store = new PostgresReplayStore({ pool, queryTimeoutMs: 10_000 });
    const pair = (key) => reserveCommit(store, key, RESERVE_TTL, RETENTION);
    await drive(Math.min(2_000, pairs), concurrency, (i) => pair(`-:standardWebhooks:i:warm${prefix}_${i}`));
    const before = counter.n;
    const r = await drive(pairs, concurrency, (i) => pair(`-:standardWebhooks:i:${prefix}_${i}`));
    const roundTrips = counter.n - before;
    const again = await store.reserve(`-:standardWebhooks:i:${prefix}_0`, RESERVE_TTL);
    if (again.state !== 'done') throw new Error(`a committed key reserved again returned ${again.state}`);
    return { ...r, pool: max, roundTripsPerDelivery: roundTrips / pairs };
  } finally {
    await pool.end();
  }
}

async function inbox(pg, core, postgres, max, prefix) {
  const { pool, counter } = newPool(pg, max);
  try {
    await pool.query('CREATE TABLE IF NOT EXISTS bench_effects (message_id text NOT NULL)');
    const store = new postgres.PostgresReplayStore({ pool, queryTimeoutMs: 10_000 });
    const secret = 'whsec_' + randomBytes(24).toString('base64');
    const verifier = core.createVerifier({ scheme: core.standardWebhooks({ secret }), replay: { store, timeoutMs: 20_000 } });
    const total = Math.max(1, Math.floor(pairs / 2));
    // Signed up front: the drive measures verify + the transaction, not the signer.
    const requests = Array.from({ length: total }, (_, i) => {
      const id = `${prefix}_${i}`;
      const body = JSON.stringify({ id });
      return { method: 'POST', url: '/', headers: core.sign.standardWebhooks({ secret, id, body }), body: Buffer.from(body) };
    });
    const deliver = async (i) => {
      const webhook = await verifier.verify(requests[i]);
      await postgres.withWebhookTransaction({ pool, webhook }, (tx) => tx.query('INSERT INTO bench_effects (message_id) VALUES ($1)', [webhook.id]));
    };
    const before = counter.n;
    const r = await drive(total, concurrency, deliver);
    const roundTrips = counter.n - before;
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM bench_effects WHERE message_id LIKE $1', [`${prefix}_%`]);
    if (rows[0].n !== total) throw new Error(`${rows[0].n} effect rows for ${total} deliveries`);
    return { ...r, pool: max, deliveries: total, roundTripsPerDelivery: roundTrips / total };
  } finally {
    await pool.end();
  }
}

async function main() {
  const pg = (await import('pg')).default;
  const core = await import('@hookguard/core');
  const postgres = await import('@hookguard/postgres');
  const setup = new pg.Pool({ connectionString: url, max: 1 });
  await new postgres.PostgresReplayStore({ pool: setup }).migrate();
  await setup.end();
  const tag = Date.now().toString(36);
  const pool10 = await storePairs(pg, postgres.PostgresReplayStore, 10, `p10${tag}`);
  const poolN = await storePairs(pg, postgres.PostgresReplayStore, concurrency, `pn${tag}`);
  const tx = await inbox(pg, core, postgres, 10, `tx${tag}`);
  emitResult({ pairs, concurrency, ...pool10, poolN, inbox: tx });
}

main().catch((e) => {
  emitResult({ error: String(e?.message ?? e) });
  process.exitCode = 1;
});
