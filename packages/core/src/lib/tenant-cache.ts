interface Entry<V> {
  expiresAt: number;
  value: Promise<V>;
  /** Set once the load succeeded: lets a cache hit be answered without waiting a microtask. */
  settled: boolean;
  resolved: V | undefined;
}

/** Bounded TTL cache with single-flight loads; failures are not cached. */
export class TenantCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  constructor(
    private readonly size: number,
    private readonly now: () => number,
  ) {}

  get(id: string, load: () => Promise<V>, ttlFor: (value: V) => number): Promise<V> {
    const now = this.now();
    const hit = this.#entries.get(id);
    if (hit && hit.expiresAt > now) return hit.value;
    if (hit) this.#entries.delete(id);
    const value = load();
    const entry: Entry<V> = { expiresAt: Infinity, value, settled: false, resolved: undefined };
    this.#entries.set(id, entry);
    if (this.#entries.size > this.size) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    value.then(
      (v) => {
        const ttl = ttlFor(v);
        if (ttl > 0) {
          entry.expiresAt = this.now() + ttl;
          entry.resolved = v;
          entry.settled = true;
        }
        else if (this.#entries.get(id) === entry) this.#entries.delete(id);
      },
      () => {
        if (this.#entries.get(id) === entry) this.#entries.delete(id);
      },
    );
    return value;
  }

  /** A fresh, loaded entry, or undefined when get() must be used (missing, loading or expired). */
  peek(id: string): { resolved: V | undefined } | undefined {
    const hit = this.#entries.get(id);
    return hit !== undefined && hit.settled && hit.expiresAt > this.now() ? hit : undefined;
  }

  delete(id: string): void {
    this.#entries.delete(id);
  }

  clear(): void {
    this.#entries.clear();
  }
}
