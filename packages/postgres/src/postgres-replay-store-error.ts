/**
 * Why a PostgreSQL replay store call failed (no connection, timed out, too many calls waiting, or
 * a database error). Core turns it into REPLAY_STORE_UNAVAILABLE (503) and keeps it as the
 * `cause`, for your logs.
 */
export class PostgresReplayStoreError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'PostgresReplayStoreError';
  }
}
