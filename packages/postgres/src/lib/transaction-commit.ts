import { AsyncLocalStorage } from 'node:async_hooks';
import type { Queryable } from './bounded-query.js';

/**
 * A commit to be written inside the caller's transaction. The helpers put one in place around
 * `webhook.commit()`: core then calls the store's `commit(key, retention, token)` with the
 * reservation's own token and retention (which the VerifiedWebhook keeps to itself), and the
 * store, finding this request for that key, writes "done" on `client` instead of the pool.
 */
export interface TransactionCommit {
  readonly key: string;
  readonly client: Queryable;
  /** Set by the store that wrote the commit. */
  taken?: {
    /** True when the row was ours and is now done (in the transaction), false when another reservation holds the key. */
    readonly written: Promise<boolean>;
    /** Frees the reservation after a rollback, so the sender's retry is processed at once. */
    release(): Promise<void>;
  };
}

// One per process, even when both the ESM and the CommonJS build of this package are loaded: a
// store from one and a helper from the other still find each other.
const SLOT = Symbol.for('@hookguard/postgres.transaction-commit');
const holder = globalThis as { [SLOT]?: AsyncLocalStorage<TransactionCommit> };
const storage = (holder[SLOT] ??= new AsyncLocalStorage<TransactionCommit>());

export function runWithTransactionCommit<T>(request: TransactionCommit, fn: () => T): T {
  return storage.run(request, fn);
}

/** The request for this key in the current async context, once: a second commit of the key is not taken. */
export function takeTransactionCommit(key: string): TransactionCommit | undefined {
  const request = storage.getStore();
  return request !== undefined && request.key === key && request.taken === undefined ? request : undefined;
}
