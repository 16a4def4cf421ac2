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

// Answers that carry no token are shared, so the hot path allocates nothing for them.
const DONE: ReserveResult = Object.freeze({ state: 'done' as const });
const IN_FLIGHT: ReserveResult = Object.freeze({ state: 'in-flight' as const });
const DONE_RESULT: Promise<ReserveResult> = Promise.resolve(DONE);
const IN_FLIGHT_RESULT: Promise<ReserveResult> = Promise.resolve(IN_FLIGHT);
const RESOLVED: Promise<void> = Promise.resolve();

interface Reservation {
  token: string;
  expiresAt: number; // ms
}

/**
 * Replay store for a single process. Bounded; expiry is checked lazily on access and swept only
 * when the store is full, so there is no timer per key.
 *
 * One map, two kinds of value: a processed key (the many: retention is a day) maps to its expiry in
 * whole seconds after the store's epoch, a small integer that V8 keeps inside the entry instead of a
 * boxed number; a reservation (the few in flight) maps to its token and ms expiry. A reserve+commit
 * is one miss, one set, one hit and one set on that map.
 */
export class MemoryReplayStore implements ReplayStore {
  readonly maxKeys: number;
  readonly #now: () => number;
  // Set by the first commit, not in the constructor: a clock may not be usable yet when the store
  // is built (and the constructor should not call it).
  #epoch: number | undefined;
  readonly #entries = new Map<string, number | Reservation>();
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
      return r === DONE ? DONE_RESULT : r === IN_FLIGHT ? IN_FLIGHT_RESULT : Promise.resolve(r);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Synchronous form of reserve(), for callers that hold no event-loop turn between check and set. */
  reserveSync(key: string, ttlMs: number): ReserveResult {
    const now = this.#now();
    // Without a usable clock no expiry can be judged: refuse (the verifier answers 503), never accept.
    if (!Number.isFinite(now)) throw new RangeError('the replay store clock returned a non-finite time');
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      // A processed key is kept until the end of its last second: rounding never forgets one early.
      if (typeof entry === 'number' ? this.#epoch! + entry * 1000 > now : entry.expiresAt > now) return typeof entry === 'number' ? DONE : IN_FLIGHT;
      this.#entries.delete(key);
    }
    if (this.#entries.size >= this.maxKeys && !this.#sweep(now)) throw new ReplayStoreFullError(this.maxKeys);
    const token = String(this.#nextToken++);
    this.#entries.set(key, { token, expiresAt: now + ttlMs });
    return { state: 'reserved', token };
  }

  commit(key: string, ttlMs: number, token?: string): Promise<void> {
    const now = this.#now();
    if (this.#owns(key, token, now)) {
      const epoch = (this.#epoch ??= now);
      this.#entries.set(key, Math.ceil((now + ttlMs - epoch) / 1000));
    }
    return RESOLVED;
  }

  release(key: string, token?: string): Promise<void> {
    if (this.#owns(key, token, this.#now())) this.#entries.delete(key);
    return RESOLVED;
  }

  /**
   * Only the holder of a live in-flight reservation may change it: an expired one is gone (as it
   * is in Redis), and may already have a new owner.
   */
  #owns(key: string, token: string | undefined, now: number): boolean {
    const entry = this.#entries.get(key);
    return entry !== undefined && typeof entry !== 'number' && entry.expiresAt > now && (token === undefined || entry.token === token);
  }

  /** Drops expired keys; true if room was made. Skipped until the earliest live expiry when nothing can expire yet. */
  #sweep(now: number): boolean {
    if (now < this.#nextSweepAt) return false;
    let earliest = Infinity;
    for (const [k, entry] of this.#entries) {
      const expires = typeof entry === 'number' ? this.#epoch! + entry * 1000 : entry.expiresAt;
      if (expires <= now) this.#entries.delete(k);
      else if (expires < earliest) earliest = expires;
    }
    if (this.#entries.size < this.maxKeys) return true;
    this.#nextSweepAt = earliest;
    return false;
  }
}
