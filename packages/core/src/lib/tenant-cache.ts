import { boundedKey, ownedKey } from '../memory-replay-store.js';

interface Entry<V> {
  expiresAt: number;
  value: Promise<V>;
  /** Set once the load succeeded: lets a cache hit be answered without waiting a microtask. */
  settled: boolean;
  resolved: V | undefined;
  /** The TTL it was cached for (0 while loading): names its list in #byTtl. */
  ttl: number;
}

/**
 * Bounded TTL cache with single-flight loads; failures are not cached. Bounded in bytes too: an id
 * over 256 characters is held as its digest and every held id is a flat copy, so an entry never
 * keeps a large header or URL alive. Expired entries are swept on get(), not only found when asked
 * for: each list is in expiry order, so a sweep stops at its first live entry and every entry is
 * dropped once (amortised O(1) a call; one call does at most `size` deletions).
 * Measured (Node 20): an unknown tenant's entry is ~375 bytes with a 128-character id and at most
 * ~510 with any longer one, so the default 10 000 entries hold under 5 MiB besides the configs
 * that lookups return.
 */
export class TenantCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  // Settled entries per TTL in the order they settled, which is the order they expire in (one TTL
  // per list: found and unknown tenants have different TTLs, so one list would not be sorted).
  readonly #byTtl = new Map<number, Map<string, Entry<V>>>();
  // No list's first entry expires before this: get() skips the sweep until then.
  #sweepAt = Infinity;
  constructor(
    private readonly size: number,
    private readonly now: () => number,
  ) {}

  get(id: string, load: () => Promise<V>, ttlFor: (value: V) => number): Promise<V> {
    const now = this.now();
    const key = boundedKey(id);
    this.#sweep(now);
    const hit = this.#entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    if (hit) this.#remove(key, hit);
    const value = load();
    const entry: Entry<V> = { expiresAt: Infinity, value, settled: false, resolved: undefined, ttl: 0 };
    const held = ownedKey(key);
    this.#entries.set(held, entry);
    if (this.#entries.size > this.size) {
      const oldest = this.#entries.entries().next().value;
      if (oldest !== undefined) this.#remove(oldest[0], oldest[1]);
    }
    value.then(
      (v) => {
        const ttl = ttlFor(v);
        if (this.#entries.get(held) !== entry) return; // evicted or invalidated while loading
        if (ttl > 0) {
          entry.expiresAt = this.now() + ttl;
          entry.resolved = v;
          entry.settled = true;
          entry.ttl = ttl;
          let list = this.#byTtl.get(ttl);
          if (list === undefined) this.#byTtl.set(ttl, (list = new Map()));
          list.set(held, entry);
          if (entry.expiresAt < this.#sweepAt) this.#sweepAt = entry.expiresAt;
        } else this.#entries.delete(held);
      },
      () => {
        if (this.#entries.get(held) === entry) this.#entries.delete(held);
      },
    );
    return value;
  }

  /** A fresh, loaded entry, or undefined when get() must be used (missing, loading or expired). */
  peek(id: string): { resolved: V | undefined } | undefined {
    const hit = this.#entries.get(boundedKey(id));
    return hit !== undefined && hit.settled && hit.expiresAt > this.now() ? hit : undefined;
  }

  delete(id: string): void {
    const key = boundedKey(id);
    const hit = this.#entries.get(key);
    if (hit !== undefined) this.#remove(key, hit);
  }

  clear(): void {
    this.#entries.clear();
    this.#byTtl.clear();
    this.#sweepAt = Infinity;
  }

  get entries(): number {
    return this.#entries.size;
  }

  #remove(key: string, entry: Entry<V>): void {
    this.#entries.delete(key);
    const list = this.#byTtl.get(entry.ttl);
    if (list === undefined) return;
    list.delete(key);
    if (list.size === 0) this.#byTtl.delete(entry.ttl);
  }

  /** Drops the expired entries at the front of each TTL's list. */
  #sweep(now: number): void {
    if (now < this.#sweepAt) return;
    let next = Infinity;
    for (const [ttl, list] of this.#byTtl) {
      for (const [key, entry] of list) {
        if (entry.expiresAt > now) {
          if (entry.expiresAt < next) next = entry.expiresAt;
          break;
        }
        list.delete(key);
        this.#entries.delete(key);
      }
      if (list.size === 0) this.#byTtl.delete(ttl);
    }
    this.#sweepAt = next;
  }
}
