/**
 * Why a Redis replay store call failed (disconnected, timed out, or a Redis error). Core turns it
 * into REPLAY_STORE_UNAVAILABLE (503) and keeps it as the `cause`, for your logs.
 */
export class RedisReplayStoreError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'RedisReplayStoreError';
  }
}
