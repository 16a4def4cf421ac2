import type { QueryConfig, QueryResult } from 'pg';
import { PostgresReplayStoreError } from '../postgres-replay-store-error.js';

/** A pg Pool or a client: what a store call is sent to. */
export interface Queryable {
  query(config: QueryConfig): Promise<QueryResult>;
}

/** Calls sent and not yet answered by pg, including those we stopped waiting for. */
export interface QueryGate {
  pending: number;
  readonly maxPending: number;
}

/**
 * Runs one query with a deadline. Refuses at once when `gate.maxPending` calls are still out: a
 * database that hangs then costs each webhook only its 503, and pg's queue of callers waiting for
 * a pooled connection does not grow without bound. A call we gave up on still counts until pg
 * answers it; when that late answer succeeds, `afterLate` runs with it (the caller can undo it).
 */
export function boundedQuery(
  target: Queryable,
  gate: QueryGate,
  timeoutMs: number,
  what: string,
  config: QueryConfig,
  afterLate?: (result: QueryResult) => void,
): Promise<QueryResult> {
  if (gate.pending >= gate.maxPending) return Promise.reject(new PostgresReplayStoreError(`${what}: ${gate.pending} calls to postgres are still waiting for an answer`));
  let sent: Promise<QueryResult>;
  try {
    sent = target.query(config);
  } catch (e) {
    return Promise.reject(new PostgresReplayStoreError(`${what}: ${e instanceof Error ? e.message : String(e)}`, e));
  }
  gate.pending++;
  return new Promise<QueryResult>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new PostgresReplayStoreError(`${what}: no answer from postgres within ${timeoutMs} ms`));
    }, timeoutMs);
    sent.then(
      (result) => {
        gate.pending--;
        clearTimeout(timer);
        if (!late) resolve(result);
        else if (afterLate) afterLate(result);
      },
      (e: unknown) => {
        gate.pending--;
        clearTimeout(timer);
        if (!late) reject(new PostgresReplayStoreError(`${what}: ${e instanceof Error ? e.message : String(e)}`, e));
      },
    );
  });
}
