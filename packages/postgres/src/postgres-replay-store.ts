import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { WebhookConfigError } from '@hookguard/core';
import type { ReplayStore, ReserveContext, ReserveResult, ReserveState } from '@hookguard/core';
import { boundedQuery, type QueryGate } from './lib/bounded-query.js';
import { DEFAULT_TABLE, parseTableName, tableSql, type TableSql } from './lib/table-sql.js';
import { storedKey } from './lib/stored-key.js';
import { takeTransactionCommit } from './lib/transaction-commit.js';
import { PostgresReplayStoreError } from './postgres-replay-store-error.js';

export interface PostgresReplayStoreOptions {
  /** Your node-postgres Pool. The store never ends it. */
  pool: Pool;
  /** The table, `name` or `schema.name` (default `hookguard_replay`); create it with `migrate()` or the shipped SQL file. */
  table?: string;
  /**
   * A call that has not answered after this many ms rejects (default 1 000), and the verifier
   * answers 503 REPLAY_STORE_UNAVAILABLE. It includes the wait for a free pooled connection.
   * Keep it below core's `replay.timeoutMs` (default 2 000).
   */
  queryTimeoutMs?: number;
  /** Most calls out at once, those given up on included (default 1 000); past it, calls are refused at once (503). */
  maxPendingQueries?: number;
  /** Prune expired rows after every this many reserves (default 100); 0 never prunes (then run `prune()` yourself). */
  pruneEvery?: number;
  /** Most rows one prune deletes (default 1 000). */
  pruneLimit?: number;
  /** Named prepared statements (default true); false for a pooler that cannot keep them (PgBouncer before 1.21 in transaction mode). */
  preparedStatements?: boolean;
}

function positiveInteger(value: unknown, fallback: number, name: string, zero = false): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < (zero ? 0 : 1)) throw new WebhookConfigError(`${name} must be a ${zero ? 'non-negative' : 'positive'} integer`);
  return v;
}

function ttlArg(ttlMs: number, name: string): number {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`${name} must be a positive number of ms`);
  return Math.ceil(ttlMs);
}

/**
 * Replay store shared by every instance of your app, on PostgreSQL through node-postgres. Each
 * transition is one statement (one round trip, atomic); expiry is judged by the database clock.
 * Any error, timeout or unreachable database rejects, and core fails closed with 503
 * REPLAY_STORE_UNAVAILABLE. With `withWebhookTransaction` or `commitInTransaction`, "done" is
 * written in your own transaction, beside the handler's writes.
 */
export class PostgresReplayStore implements ReplayStore {
  readonly pool: Pool;
  readonly table: string;
  readonly queryTimeoutMs: number;
  readonly pruneEvery: number;
  readonly pruneLimit: number;
  readonly #sql: TableSql;
  readonly #gate: QueryGate;
  #reserves = 0;
  #pruning: Promise<unknown> | undefined;

  constructor(options: PostgresReplayStoreOptions) {
    if (!options || typeof options !== 'object') throw new WebhookConfigError('PostgresReplayStore needs an options object: { pool }');
    const { pool } = options;
    if (!pool || typeof (pool as { query?: unknown }).query !== 'function' || typeof (pool as { connect?: unknown }).connect !== 'function')
      throw new WebhookConfigError('pool must be a node-postgres Pool (new Pool(...) from pg)');
    const table = options.table ?? DEFAULT_TABLE;
    if (!parseTableName(table)) throw new WebhookConfigError('table must be a name or schema.name of letters, digits and _ (not starting with a digit, 63 characters each)');
    const timeout = options.queryTimeoutMs ?? 1_000;
    if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) throw new WebhookConfigError('queryTimeoutMs must be a positive number');
    const prepared = options.preparedStatements ?? true;
    if (typeof prepared !== 'boolean') throw new WebhookConfigError('preparedStatements must be a boolean');
    this.pool = pool;
    this.table = table;
    this.queryTimeoutMs = timeout;
    this.pruneEvery = positiveInteger(options.pruneEvery, 100, 'pruneEvery', true);
    this.pruneLimit = positiveInteger(options.pruneLimit, 1_000, 'pruneLimit');
    this.#gate = { pending: 0, maxPending: positiveInteger(options.maxPendingQueries, 1_000, 'maxPendingQueries') };
    this.#sql = tableSql(table, prepared);
  }

  /** The DDL `migrate()` runs (idempotent), for your own migration tool. */
  get schemaSql(): string {
    return this.#sql.schema;
  }

  /**
   * Creates the table and its index when missing. Safe to run from every instance at startup at
   * once: a transaction-scoped advisory lock lets one create while the others wait.
   */
  async migrate(): Promise<void> {
    const lock = `SELECT pg_advisory_xact_lock(hashtext('hookguard.migrate:${this.table}'));\n`;
    // One simple-protocol query: its statements form one implicit transaction, so a failure
    // leaves nothing half made and the pooled connection clean.
    await boundedQuery(this.pool, this.#gate, Math.max(this.queryTimeoutMs, 30_000), 'migrate', { text: lock + this.#sql.schema });
  }

  // async: a bad TTL becomes a rejection like any store fault, never a synchronous throw.
  async reserve(key: string, ttlMs: number, _context?: ReserveContext): Promise<ReserveResult> {
    const ttl = ttlArg(ttlMs, 'ttlMs');
    const k = storedKey(key);
    const token = randomBytes(12).toString('base64url');
    const result = await boundedQuery(this.pool, this.#gate, this.queryTimeoutMs, 'replay reserve', this.#sql.reserve(k, token, ttl), (late) => {
      // We gave up, but the database took the key: free it, so the sender's retry is not held for the TTL.
      if (late.rows[0]?.state === 'reserved') this.release(key, token).catch(() => {});
    });
    this.#maybePrune();
    const state = result.rows[0]?.state as ReserveState | undefined;
    if (state === 'reserved') return { state, token };
    if (state === 'in-flight' || state === 'done') return { state };
    throw new PostgresReplayStoreError('replay reserve: unexpected reply from postgres');
  }

  async commit(key: string, ttlMs: number, token?: string): Promise<void> {
    const ttl = ttlArg(ttlMs, 'ttlMs');
    const query = this.#sql.commit(storedKey(key), ttl, token);
    const tx = takeTransactionCommit(key);
    if (tx === undefined) {
      await boundedQuery(this.pool, this.#gate, this.queryTimeoutMs, 'replay commit', query);
      return;
    }
    const written = boundedQuery(tx.client, this.#gate, this.queryTimeoutMs, 'replay commit', query).then((r) => r.rowCount === 1);
    tx.taken = { written, release: () => this.release(key, token) };
    await written;
  }

  async release(key: string, token?: string): Promise<void> {
    await boundedQuery(this.pool, this.#gate, this.queryTimeoutMs, 'replay release', this.#sql.release(storedKey(key), token));
  }

  /**
   * Deletes up to `limit` expired rows (default `pruneLimit`), oldest first; resolves to how many.
   * The store runs it by itself every `pruneEvery` reserves; call it from a job when that is off.
   */
  async prune(options: { limit?: number } = {}): Promise<number> {
    const limit = positiveInteger(options.limit, this.pruneLimit, 'limit');
    const result = await boundedQuery(this.pool, this.#gate, this.queryTimeoutMs, 'replay prune', this.#sql.prune(limit));
    return result.rowCount ?? 0;
  }

  /** One prune at a time, off the request's path: a reserve never waits for it, and its failure is only retried later. */
  #maybePrune(): void {
    if (this.pruneEvery === 0 || ++this.#reserves < this.pruneEvery || this.#pruning !== undefined) return;
    this.#reserves = 0;
    this.#pruning = this.prune()
      .catch(() => 0)
      .finally(() => {
        this.#pruning = undefined;
      });
  }
}
