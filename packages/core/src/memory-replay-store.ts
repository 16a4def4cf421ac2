import type { ReplayStore, ReserveResult } from './types.js';

export interface MemoryReplayStoreOptions {
  /** Most keys held (default 100 000). When full of live keys, reserve() refuses instead of forgetting one. */
  maxKeys?: number;
  /** Clock, ms (tests). */
  now?: () => number;
}

/** Thrown by a full store; the verifier turns it into REPLAY_STORE_UNAVAILABLE (fail closed). */
export class ReplayStoreFullError extends Error {
  constructor(maxKeys: number) {
    super(`memory replay store is full (${maxKeys} live keys); raise maxKeys or use a shared store`);
    this.name = 'ReplayStoreFullError';
  }
}

// An entry is one number: expiry (ms) * 4 + state, where state 1 = in flight, 2 = done. One
// Map<string, number> keeps the cost per key near the string itself; tokens live only while in flight.
const IN_FLIGHT = 1;
const DONE = 2;
// Answers that carry no token are shared, so the hot path allocates nothing for them.
const DONE_RESULT: Promise<ReserveResult> = Promise.resolve(Object.freeze({ state: 'done' as const }));
const IN_FLIGHT_RESULT: Promise<ReserveResult> = Promise.resolve(Object.freeze({ state: 'in-flight' as const }));
const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Replay store for a single process. Bounded; expiry is checked lazily on access and swept only
 * when the store is full, so there is no timer per key.
 */
export class MemoryReplayStore implements ReplayStore {
  readonly maxKeys: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, number>();
  readonly #tokens = new Map<string, string>();
  #nextToken = 1;
  #nextSweepAt = 0;

  constructor(options: MemoryReplayStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    if (!Number.isInteger(this.maxKeys) || this.maxKeys < 1) throw new RangeError('maxKeys must be a positive integer');
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  reserve(key: string, ttlMs: number): Promise<ReserveResult> {
    try {
      const r = this.reserveSync(key, ttlMs);
      return r.state === 'done' ? DONE_RESULT : r.state === 'in-flight' ? IN_FLIGHT_RESULT : Promise.resolve(r);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Synchronous form of reserve(), for callers that hold no event-loop turn between check and set. */
  reserveSync(key: string, ttlMs: number): ReserveResult {
    const now = this.#now();
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      if (Math.floor(entry / 4) > now) return { state: (entry & 3) === DONE ? 'done' : 'in-flight' };
      this.#entries.delete(key);
      this.#tokens.delete(key);
    }
    if (this.#entries.size >= this.maxKeys && !this.#sweep(now)) throw new ReplayStoreFullError(this.maxKeys);
    this.#entries.set(key, (now + ttlMs) * 4 + IN_FLIGHT);
    const token = String(this.#nextToken++);
    this.#tokens.set(key, token);
    return { state: 'reserved', token };
  }

  commit(key: string, ttlMs: number, token?: string): Promise<void> {
    if (this.#owns(key, token)) {
      this.#entries.set(key, (this.#now() + ttlMs) * 4 + DONE);
      this.#tokens.delete(key);
    }
    return RESOLVED;
  }

  release(key: string, token?: string): Promise<void> {
    if (this.#owns(key, token)) {
      this.#entries.delete(key);
      this.#tokens.delete(key);
    }
    return RESOLVED;
  }

  /**
   * Only the holder of a live in-flight reservation may change it: an expired one is gone (as it
   * is in Redis), and may already have a new owner.
   */
  #owns(key: string, token: string | undefined): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined || (entry & 3) !== IN_FLIGHT || Math.floor(entry / 4) <= this.#now()) return false;
    if (token !== undefined && this.#tokens.get(key) !== token) return false;
    return true;
  }

  /** Drops expired keys; true if room was made. Skipped until the earliest live expiry when nothing can expire yet. */
  #sweep(now: number): boolean {
    if (now < this.#nextSweepAt) return false;
    let earliest = Infinity;
    for (const [k, entry] of this.#entries) {
      const expires = Math.floor(entry / 4);
      if (expires <= now) {
        this.#entries.delete(k);
        this.#tokens.delete(k);
      } else if (expires < earliest) earliest = expires;
    }
    if (this.#entries.size < this.maxKeys) return true;
    this.#nextSweepAt = earliest;
    return false;
  }
}
