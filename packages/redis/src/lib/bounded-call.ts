import { RedisReplayStoreError } from '../redis-replay-store-error.js';

/** Statuses in which ioredis would only queue a command: refuse at once instead (fail closed, no queue growth). */
const DOWN = new Set(['reconnecting', 'close', 'end', 'disconnecting']);

export interface StatusSource {
  readonly status: string;
}

/**
 * Runs one Redis call with a deadline. Refuses immediately while the client is disconnected, so a
 * down Redis costs a webhook nothing but the 503 and ioredis' offline queue does not grow. When
 * a sent call fails or times out, `afterFailure` runs: the call may still reach Redis later (ioredis
 * resends queued and unanswered commands after a reconnect), and the caller can undo it.
 */
export function boundedCall<T>(client: StatusSource, timeoutMs: number, what: string, send: () => Promise<T>, afterFailure?: () => void): Promise<T> {
  const status = client.status;
  if (DOWN.has(status)) return Promise.reject(new RedisReplayStoreError(`${what}: redis client is ${status}`));
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const fail = (error: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(error);
      if (afterFailure) afterFailure();
    };
    const timer = setTimeout(() => fail(new RedisReplayStoreError(`${what}: no answer from redis within ${timeoutMs} ms`)), timeoutMs);
    let sent: Promise<T>;
    try {
      sent = send();
    } catch (e) {
      fail(new RedisReplayStoreError(`${what}: ${e instanceof Error ? e.message : String(e)}`, e));
      return;
    }
    sent.then(
      (value) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(value);
      },
      (e: unknown) => fail(new RedisReplayStoreError(`${what}: ${e instanceof Error ? e.message : String(e)}`, e)),
    );
  });
}
