import type { Pool, PoolClient } from 'pg';
import { PostgresReplayStoreError } from '../postgres-replay-store-error.js';

/**
 * pool.connect() with a deadline (a Pool without connectionTimeoutMillis waits for a free client
 * forever). A client that arrives after we gave up goes straight back to the pool.
 */
export function connectWithin(pool: Pool, timeoutMs: number): Promise<PoolClient> {
  return new Promise<PoolClient>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new PostgresReplayStoreError(`no pooled connection within ${timeoutMs} ms`));
    }, timeoutMs);
    pool.connect().then(
      (client) => {
        clearTimeout(timer);
        if (late) client.release();
        else resolve(client);
      },
      (e: unknown) => {
        clearTimeout(timer);
        if (!late) reject(e);
      },
    );
  });
}
