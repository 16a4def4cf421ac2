/** Request headers by lower-case name; a repeated header keeps every value, in order. */
export class HeaderMap {
  readonly #values = new Map<string, string[]>();

  add(name: string, value: string): void {
    const key = name.trim().toLowerCase();
    const list = this.#values.get(key);
    if (list) list.push(value);
    else this.#values.set(key, [value]);
  }

  get(name: string): string | undefined {
    return this.#values.get(name.toLowerCase())?.[0];
  }

  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }

  names(): string[] {
    return [...this.#values.keys()];
  }

  /** The shape core's WebhookRequest takes: one string, or a list for a repeated header. */
  toRecord(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of this.#values) out[k] = v.length === 1 ? v[0]! : [...v];
    return out;
  }

  static from(record: Record<string, string>): HeaderMap {
    const m = new HeaderMap();
    for (const [k, v] of Object.entries(record)) m.add(k, v);
    return m;
  }
}
