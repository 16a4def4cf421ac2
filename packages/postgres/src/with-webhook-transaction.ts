import type { Pool, PoolClient } from 'pg';
import { WebhookConfigError, type VerifiedWebhook } from '@hookguard/core';
import { boundedQuery, type QueryGate } from './lib/bounded-query.js';
import { commitWebhookIn, committedElsewhere, unavailable } from './lib/commit-webhook-in.js';
import { connectWithin } from './lib/connect-within.js';
import { PostgresReplayStoreError } from './postgres-replay-store-error.js';

export type TransactionIsolation = 'read committed' | 'repeatable read' | 'serializable';

export interface WithWebhookTransactionOptions {
  /** The pool of the database that holds the replay table (usually the store's own `pool`). */
  pool: Pool;
  /** The delivery, verified by a verifier whose `replay.store` is a PostgresReplayStore. */
  webhook: VerifiedWebhook;
  /** The transaction's isolation level (default: the database's, normally read committed). */
  isolation?: TransactionIsolation;
  /** Bound on each of the helper's own steps, ms: a pooled connection, BEGIN, COMMIT, ROLLBACK (default 5 000). */
  timeoutMs?: number;
}

const ISOLATION: Record<TransactionIsolation, string> = {
  'read committed': 'BEGIN ISOLATION LEVEL READ COMMITTED',
  'repeatable read': 'BEGIN ISOLATION LEVEL REPEATABLE READ',
  serializable: 'BEGIN ISOLATION LEVEL SERIALIZABLE',
};

// The helper's steps are bounded by time, not by count: they are few per delivery.
const UNGATED: QueryGate = { pending: 0, maxPending: Number.POSITIVE_INFINITY };

/**
 * The transactional inbox: runs `handler` in a transaction and writes the webhook's "done" row in
 * that same transaction, right before COMMIT. A crash anywhere leaves both the handler's writes
 * and "done", or neither (and then the sender's retry is processed, once).
 *
 * - `handler` throws: ROLLBACK, the error propagates, and the adapter releases the key as usual.
 * - The reservation expired and another copy holds the key: ROLLBACK, REPLAY_IN_FLIGHT (409).
 * - A step of the helper fails (no connection, BEGIN, the done row, COMMIT): ROLLBACK, the key is
 *   freed, REPLAY_STORE_UNAVAILABLE (503) with the database error as `cause`.
 *
 * Resolves to the handler's result once committed; the webhook is then settled (done), and the
 * adapter's commit afterwards does nothing.
 */
export async function withWebhookTransaction<R>(options: WithWebhookTransactionOptions, handler: (tx: PoolClient) => Promise<R>): Promise<R> {
  if (!options || typeof options !== 'object') throw new WebhookConfigError('withWebhookTransaction needs { pool, webhook } and a handler');
  const { pool, webhook, isolation } = options;
  if (!pool || typeof pool.connect !== 'function') throw new WebhookConfigError('withWebhookTransaction: pool must be a node-postgres Pool');
  if (!webhook || typeof webhook.commit !== 'function') throw new WebhookConfigError('withWebhookTransaction: webhook must be a VerifiedWebhook');
  if (typeof handler !== 'function') throw new WebhookConfigError('withWebhookTransaction: the second argument must be the handler, async (tx) => ...');
  const begin = isolation === undefined ? 'BEGIN' : ISOLATION[isolation];
  if (begin === undefined) throw new WebhookConfigError("withWebhookTransaction: isolation must be 'read committed', 'repeatable read' or 'serializable'");
  const timeoutMs = options.timeoutMs ?? 5_000;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new WebhookConfigError('withWebhookTransaction: timeoutMs must be a positive number');

  let client: PoolClient;
  try {
    client = await connectWithin(pool, timeoutMs);
  } catch (e) {
    throw unavailable(webhook, 'no database connection for the webhook transaction; the handler was not run', e);
  }
  // Set when the connection's state is unknown (a step timed out or failed): it is then destroyed,
  // which also makes the server roll back whatever it still holds, instead of going back to the pool.
  let broken: Error | undefined;
  // A checked-out client whose connection drops between queries (the server restarted while the
  // handler awaited something else) emits 'error'; without a listener that would end the process.
  const onError = (e: Error) => {
    broken ??= e;
  };
  client.on('error', onError);
  const step = async (text: string) => {
    try {
      await boundedQuery(client, UNGATED, timeoutMs, text, { text });
    } catch (e) {
      broken = e instanceof Error ? e : new Error(String(e));
      // The database's own error (with its SQLSTATE `code`) is the more useful cause; a timeout has none.
      throw e instanceof PostgresReplayStoreError && e.cause !== undefined ? e.cause : e;
    }
  };
  const rollback = () => step('ROLLBACK').catch(() => undefined);
  let released = false;
  const giveBack = () => {
    released = true;
    // A destroyed client keeps the listener: it may still report its socket's end.
    if (broken === undefined) client.off('error', onError);
    client.release(broken);
  };
  try {
    try {
      await step(begin);
    } catch (e) {
      throw unavailable(webhook, 'could not begin the webhook transaction; the handler was not run', e);
    }
    let result: R;
    try {
      result = await handler(client);
    } catch (e) {
      await rollback();
      throw e;
    }
    const outcome = await commitWebhookIn(client, webhook);
    if (outcome.kind === 'lost') {
      await rollback();
      throw outcome.error;
    }
    if (outcome.kind === 'failed') {
      // The done row may be half way (a timeout): this connection is not reused, and the key is
      // freed once the rollback is over (before it, the row is still locked by this transaction).
      broken ??= new Error('the done row was not written');
      await rollback();
      giveBack();
      if (outcome.release) await outcome.release().catch(() => undefined);
      throw outcome.error;
    }
    try {
      await step('COMMIT');
    } catch (e) {
      // Rolled back, or unknown (the connection died mid-COMMIT). Either way freeing the key is
      // safe: the release is token-checked, so a done row that did commit stays done. The
      // connection goes first, so that no transaction of ours still locks the row.
      giveBack();
      if (outcome.kind === 'written') await outcome.release().catch(() => undefined);
      throw unavailable(webhook, 'the webhook transaction did not commit; its writes were rolled back', e);
    }
    // Committed, with no done row in it: the webhook's store marked it done on its own. Nothing
    // is lost (the handler's writes stand, the key is done), but it was not atomic: say so loudly.
    if (outcome.kind === 'elsewhere') throw committedElsewhere('withWebhookTransaction');
    return result;
  } finally {
    if (!released) giveBack();
  }
}
