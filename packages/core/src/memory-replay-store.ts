import { createHash } from 'node:crypto';
import type { ReplayStore, ReserveContext, ReserveResult } from './types.js';

export interface MemoryReplayStoreOptions {
  /** Most keys held (default 100 000). When full of live keys, reserve() refuses instead of forgetting one. */
  maxKeys?: number;
  /**
   * Most live keys (in flight or done) one tenant may hold (default a quarter of maxKeys). Applies to
   * reserves that name a tenant; a tenant at its share is refused while the others keep working.
   */
  maxKeysPerTenant?: number;
  /** Clock, ms (tests). */
  now?: () => number;
}

/** Thrown by a full store; the verifier turns it into REPLAY_STORE_UNAVAILABLE (fail closed). */
export class ReplayStoreFullError extends Error {
  constructor(maxKeys: number, perTenant = false) {
    super(
      perTenant
        ? `memory replay store: this tenant holds its share (${maxKeys} live keys); raise maxKeysPerTenant or use a shared store`
        : `memory replay store is full (${maxKeys} live keys); raise maxKeys or use a shared store`,
    );
    this.name = 'ReplayStoreFullError';
  }
}

/** Longest key (or tenant) held as given; a longer one is held as a digest, so no entry outgrows a fixed size. */
export const MAX_KEY_LENGTH = 256;
// A digest is padded to exactly MAX_KEY_LENGTH + 1 characters, a length no key held as given has:
// the two kinds cannot collide, and telling them apart reads only the length, never a character
// (reading one makes V8 flatten the caller's concatenated key on every call).
const DIGEST_PAD = '#'.repeat(MAX_KEY_LENGTH + 1 - 43);

/**
 * The form a map holds: a key over MAX_KEY_LENGTH characters becomes its SHA-256, padded with '#'
 * to MAX_KEY_LENGTH + 1. UTF-16 bytes are hashed: UTF-8 maps distinct lone surrogates to the same bytes.
 */
export function boundedKey(key: string): string {
  return key.length > MAX_KEY_LENGTH ? DIGEST_PAD + createHash('sha256').update(key, 'utf16le').digest('base64url') : key;
}

/**
 * A flat copy of a key about to be held: the caller's string may be a slice of a much larger one
 * (a header, a URL) or a concatenation of such slices, and a Map key keeps all of those alive.
 */
export function ownedKey(key: string): string {
  if (key.length < 13) return key; // V8 copies strings this short instead of slicing or concatenating
  const copy = key.slice(0, 1) + key.slice(1);
  copy.charCodeAt(0); // makes V8 flatten the concatenation into one new string; GC drops the wrapper
  return copy;
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
  /** The key as the map holds it; '' once settled (committed, released or dropped). */
  key: string;
  queue: InFlightQueue;
  /** Only for a reserve that named a tenant: commit and release move its count. */
  share: TenantShare | undefined;
}

/**
 * Reservations made with one TTL, in the order made, which is the order they expire in. A settled
 * one is only marked (its key cleared, so it holds nothing big) and skipped when it reaches the
 * front; the array is compacted once it is mostly settled ones, so it stays within twice the live.
 */
class InFlightQueue {
  items: Reservation[] = [];
  head = 0;
  live = 0;
  constructor(readonly ttl: number) {}

  push(r: Reservation): void {
    this.items.push(r);
    if (++this.live * 2 + 1024 < this.items.length - this.head) {
      this.items = this.items.filter((x, i) => i >= this.head && x.key !== '');
      this.head = 0;
    }
  }
}

/**
 * Keys counted by when they expire, so a key leaves the count when it expires whether or not the
 * map has dropped it yet (no drift from lazily expired entries). Runs are [time, count] pairs,
 * ascending; with one TTL every new key lands in the last run or after it.
 */
class ExpiryCounts {
  total = 0;
  #runs: number[] = [];
  #head = 0;

  add(at: number): void {
    const runs = this.#runs;
    const last = runs.length - 2;
    this.total++;
    if (last >= this.#head && runs[last]! >= at) {
      // Same time as the newest run (the usual case for done keys), or earlier (a shorter TTL than before).
      const i = runs[last] === at ? last : this.#find(at);
      if (runs[i] === at) runs[i + 1]!++;
      else runs.splice(i, 0, at, 1);
    } else runs.push(at, 1);
  }

  /** A key counted at `at` left before it expired (its reservation was committed or released). */
  remove(at: number): void {
    const runs = this.#runs;
    const i = this.#find(at);
    if (runs[i] !== at || runs[i + 1] === 0) return; // already expired out of the count (a clock that stepped back)
    this.total--;
    if (--runs[i + 1]! === 0 && i === runs.length - 2) runs.length = i; // reserved and settled: nothing left
  }

  /** Drops the runs that expired by `now` (same unit as add); returns how many keys are left. */
  expire(now: number): number {
    const runs = this.#runs;
    let head = this.#head;
    while (head < runs.length && runs[head]! <= now) {
      this.total -= runs[head + 1]!;
      head += 2;
    }
    if (head >= runs.length) {
      runs.length = 0;
      head = 0;
    } else if (head > 64 && head * 2 > runs.length) {
      runs.splice(0, head); // amortised: each run is copied at most once more
      head = 0;
    }
    this.#head = head;
    return this.total;
  }

  /** Index of the first run at or after `at`. */
  #find(at: number): number {
    const runs = this.#runs;
    let lo = this.#head / 2;
    let hi = runs.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (runs[mid * 2]! < at) lo = mid + 1;
      else hi = mid;
    }
    return lo * 2;
  }
}

/**
 * One tenant's live keys: in flight by ms after the epoch, done by epoch second (as the map holds
 * them). Apart, because their TTLs differ and each list must stay sorted.
 */
class TenantShare {
  constructor(readonly name: string) {}
  readonly inFlight = new ExpiryCounts();
  readonly done = new ExpiryCounts();
  held(now: number): number {
    return this.inFlight.expire(now) + this.done.expire(Math.floor(now / 1000));
  }
}

/**
 * Replay store for a single process. Bounded in keys and in bytes per key; expiry is checked lazily
 * on access and swept only when the store is full, so there is no timer per key.
 *
 * One map, two kinds of value: a processed key (the many: retention is a day) maps to its expiry in
 * whole seconds after the store's epoch, a small integer that V8 keeps inside the entry instead of a
 * boxed number; a reservation (the few in flight) maps to its token and ms expiry. A reserve+commit
 * is one miss, one set, one hit and one set on that map. Reservations are also listed per TTL in
 * the order made (= the order they expire), and tenant shares live beside the map, one small
 * counter per tenant with live keys: a processed key carries no tenant.
 *
 * A full store reclaims every expired key before it refuses, at a bounded cost: expired
 * reservations come off the front of their lists (amortised O(1)); processed keys, which expire on
 * whole epoch seconds, take one pass over the map, and only once the earliest of them has expired,
 * so at most one pass a second however the store is called.
 */
export class MemoryReplayStore implements ReplayStore {
  readonly maxKeys: number;
  readonly maxKeysPerTenant: number;
  readonly #now: () => number;
  // Set by the first reserve, not in the constructor: a clock may not be usable yet when the store
  // is built (and the constructor should not call it).
  #epoch: number | undefined;
  readonly #entries = new Map<string, number | Reservation>();
  readonly #inFlight = new Map<number, InFlightQueue>();
  #lastQueue: InFlightQueue | undefined;
  readonly #tenants = new Map<string, TenantShare>();
  #nextToken = 1;
  // No processed key expires before this (each commit lowers it): the pass waits until then.
  #nextPassAt = Infinity;

  constructor(options: MemoryReplayStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    if (!Number.isInteger(this.maxKeys) || this.maxKeys < 1) throw new RangeError('maxKeys must be a positive integer');
    this.maxKeysPerTenant = options.maxKeysPerTenant ?? Math.max(1, Math.floor(this.maxKeys / 4));
    if (!Number.isInteger(this.maxKeysPerTenant) || this.maxKeysPerTenant < 1) throw new RangeError('maxKeysPerTenant must be a positive integer');
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  reserve(key: string, ttlMs: number, context?: ReserveContext): Promise<ReserveResult> {
    try {
      const r = this.reserveSync(key, ttlMs, context);
      return r === DONE ? DONE_RESULT : r === IN_FLIGHT ? IN_FLIGHT_RESULT : Promise.resolve(r);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Synchronous form of reserve(), for callers that hold no event-loop turn between check and set. */
  reserveSync(key: string, ttlMs: number, context?: ReserveContext): ReserveResult {
    const now = this.#now();
    // Without a usable clock no expiry can be judged: refuse (the verifier answers 503), never accept.
    if (!Number.isFinite(now)) throw new RangeError('the replay store clock returned a non-finite time');
    const k = boundedKey(key);
    const entry = this.#entries.get(k);
    const epoch = (this.#epoch ??= now);
    if (entry !== undefined) {
      // A processed key is kept until the end of its last second: rounding never forgets one early.
      if (typeof entry === 'number') {
        if (epoch + entry * 1000 > now) return DONE;
      } else {
        if (entry.expiresAt > now) return IN_FLIGHT;
        this.#settle(entry);
      }
      this.#entries.delete(k);
    }
    const tenant = context?.tenant === undefined ? undefined : boundedKey(context.tenant);
    if (tenant !== undefined && (this.#tenants.get(tenant)?.held(now - epoch) ?? 0) >= this.maxKeysPerTenant)
      throw new ReplayStoreFullError(this.maxKeysPerTenant, true);
    if (this.#entries.size >= this.maxKeys && !this.#reclaim(now)) throw new ReplayStoreFullError(this.maxKeys);
    const expiresAt = now + ttlMs;
    let share: TenantShare | undefined;
    if (tenant !== undefined) {
      // Looked up again: the pass above may have dropped an empty share.
      share = this.#tenants.get(tenant);
      if (share === undefined) {
        const name = ownedKey(tenant);
        this.#tenants.set(name, (share = new TenantShare(name)));
      }
      share.inFlight.add(expiresAt - epoch);
    }
    let queue = this.#lastQueue;
    if (queue === undefined || queue.ttl !== ttlMs) {
      queue = this.#inFlight.get(ttlMs);
      if (queue === undefined) this.#inFlight.set(ttlMs, (queue = new InFlightQueue(ttlMs)));
      this.#lastQueue = queue;
    }
    const token = String(this.#nextToken++);
    const held = ownedKey(k);
    const r: Reservation = { token, expiresAt, key: held, queue, share };
    this.#entries.set(held, r);
    queue.push(r);
    return { state: 'reserved', token };
  }

  commit(key: string, ttlMs: number, token?: string): Promise<void> {
    const now = this.#clock();
    const k = boundedKey(key);
    const r = this.#owned(k, token, now);
    if (r !== undefined) {
      const epoch = this.#epoch!; // set by the reserve that made r
      const second = Math.ceil((now + ttlMs - epoch) / 1000);
      this.#entries.set(k, second);
      this.#settle(r);
      const at = epoch + second * 1000;
      if (at < this.#nextPassAt) this.#nextPassAt = at;
      if (r.share !== undefined) {
        r.share.inFlight.remove(r.expiresAt - epoch);
        r.share.done.add(second);
      }
    }
    return RESOLVED;
  }

  release(key: string, token?: string): Promise<void> {
    const k = boundedKey(key);
    const r = this.#owned(k, token, this.#clock());
    if (r !== undefined) {
      this.#entries.delete(k);
      this.#settle(r);
      const share = r.share;
      if (share !== undefined) {
        share.inFlight.remove(r.expiresAt - this.#epoch!);
        if (share.inFlight.total + share.done.total === 0 && this.#tenants.get(share.name) === share) this.#tenants.delete(share.name);
      }
    }
    return RESOLVED;
  }

  /** The clock, refused when it is not a finite time: no expiry can be judged then (reported, never ignored). */
  #clock(): number {
    const now = this.#now();
    if (!Number.isFinite(now)) throw new RangeError('the replay store clock returned a non-finite time');
    return now;
  }

  /**
   * Only the holder of a live in-flight reservation may change it: an expired one is gone (as it
   * is in Redis), and may already have a new owner.
   */
  #owned(key: string, token: string | undefined, now: number): Reservation | undefined {
    const entry = this.#entries.get(key);
    return entry !== undefined && typeof entry !== 'number' && entry.expiresAt > now && (token === undefined || entry.token === token) ? entry : undefined;
  }

  /** Marks a reservation settled in its queue; an emptied queue goes (any TTL may come along, once). */
  #settle(r: Reservation): void {
    r.key = '';
    const queue = r.queue;
    if (--queue.live === 0 && queue !== this.#lastQueue) this.#inFlight.delete(queue.ttl);
  }

  /** Drops expired keys when full; true if room was made. */
  #reclaim(now: number): boolean {
    // Expired reservations: each queue is in expiry order, so stop at its first live one. (Their
    // tenant counts have dropped by themselves.)
    for (const queue of this.#inFlight.values()) {
      const items = queue.items;
      let head = queue.head;
      for (; head < items.length; head++) {
        const r = items[head]!;
        if (r.key === '') continue;
        if (r.expiresAt > now) break;
        this.#entries.delete(r.key);
        this.#settle(r);
      }
      if (head > 1024 && head * 2 > items.length) {
        items.splice(0, head);
        head = 0;
      }
      queue.head = head;
    }
    if (this.#entries.size < this.maxKeys) return true;
    if (now < this.#nextPassAt) return false;
    // Processed keys: one pass, then none until the earliest one left has expired.
    const epoch = this.#epoch!;
    let soonest = Infinity;
    for (const [k, entry] of this.#entries) {
      if (typeof entry !== 'number') continue; // live: expired ones were dropped above
      const expires = epoch + entry * 1000;
      if (expires <= now) this.#entries.delete(k);
      else if (expires < soonest) soonest = expires;
    }
    this.#nextPassAt = soonest;
    for (const [t, share] of this.#tenants) if (share.held(now - epoch) === 0) this.#tenants.delete(t);
    return this.#entries.size < this.maxKeys;
  }
}
