import { WebhookVerificationError } from './webhook-verification-error.js';
import { WebhookConfigError } from './webhook-config-error.js';

export interface ParseSignatureHeaderOptions {
  /** Between entries: `,` (Stripe, PagerDuty) or `;` (Paddle). Default `,`. */
  separator?: string;
  /** Most entries read; more is MALFORMED_SIGNATURE, so a stuffed header costs a bounded amount. Default 16, at most 64. */
  max?: number;
  /** Named in the error, for logs. */
  scheme?: string;
}

/** The `key=value` entries of a signature header. */
export interface SignatureHeaderEntries {
  /** The value of a key that may appear once (`t`, `ts`); a second one is MALFORMED_SIGNATURE (which would count?). */
  one(key: string): string | undefined;
  /** Every value of a key that may repeat (`v1`, `h1`: one per active secret), in header order. */
  all(key: string): string[];
  /** How many entries the header held. */
  readonly size: number;
}

class Entries implements SignatureHeaderEntries {
  constructor(
    private readonly keys: readonly string[],
    private readonly values: readonly string[],
    private readonly scheme: string | undefined,
  ) {}
  get size(): number {
    return this.keys.length;
  }
  one(key: string): string | undefined {
    const at = this.keys.indexOf(key);
    if (at !== -1 && this.keys.indexOf(key, at + 1) !== -1)
      throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `"${key}" appears more than once in the signature header`, scheme: this.scheme });
    return at === -1 ? undefined : this.values[at];
  }
  all(key: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] === key) out.push(this.values[i]!);
    return out;
  }
}

const isBlank = (c: number) => c === 0x20 || c === 0x09;

/**
 * Splits `t=1700000000,v1=ab12..,v1=cd34..` into its entries, bounded: at most `max` entries are
 * read. Keys and values are trimmed of spaces and tabs; an entry without `=` is skipped (unknown
 * versions and syntax are the sender's to add), empty entries are not counted.
 */
export function parseSignatureHeader(value: string, options: ParseSignatureHeaderOptions = {}): SignatureHeaderEntries {
  const separator = options.separator ?? ',';
  const max = options.max ?? 16;
  if (typeof separator !== 'string' || separator.length === 0 || separator.includes('=')) throw new WebhookConfigError('parseSignatureHeader: separator must be non-empty and not "="');
  if (!Number.isInteger(max) || max < 1 || max > 64) throw new WebhookConfigError('parseSignatureHeader: max must be an integer from 1 to 64');
  const keys: string[] = [];
  const values: string[] = [];
  let entries = 0;
  // Scanned in place: the trimmed key and value are the only strings made per entry.
  for (let start = 0; start <= value.length; ) {
    let end = value.indexOf(separator, start);
    if (end === -1) end = value.length;
    let a = start;
    while (a < end && isBlank(value.charCodeAt(a))) a++;
    if (a < end) {
      if (++entries > max)
        throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `more than ${max} entries in the signature header`, scheme: options.scheme });
      const eq = value.indexOf('=', a);
      if (eq > a && eq < end) {
        let keyEnd = eq;
        while (isBlank(value.charCodeAt(keyEnd - 1))) keyEnd--;
        let from = eq + 1;
        let to = end;
        while (from < to && isBlank(value.charCodeAt(from))) from++;
        while (to > from && isBlank(value.charCodeAt(to - 1))) to--;
        keys.push(value.slice(a, keyEnd));
        values.push(value.slice(from, to));
      }
    }
    start = end + separator.length;
  }
  return new Entries(keys, values, options.scheme);
}
