import type { PreparedKey } from '../types.js';
import type { HmacKey } from './hmac.js';

/**
 * The signatures a rotating sender puts side by side (PagerDuty's `v1=` list, DocuSign's numbered
 * headers, Paddle's `h1=` entries), matched against the HMAC computed once per key.
 *
 * Why not decodeHex()/decodeBase64() + safeEqual() per candidate: a stranger may send the most
 * candidates a scheme reads, all wrong, and that request should cost about what an honest one does.
 * Per candidate those cost a regex test, a Buffer allocation and a native timingSafeEqual call. Here
 * the expected digest is encoded once per key (hex or base64, into a buffer every request reuses) and
 * each candidate's text is compared with it character by character; nothing is allocated.
 *
 * Comparing text is as strict as compare.ts's decoders: the expected encoding is the one canonical
 * spelling (lower-case hex; padded base64 whose unused bits are zero), so a candidate matches exactly
 * when decoding it strictly would give the digest. Well-formedness is still checked, only to tell a
 * header with no well-formed signature at all (MALFORMED_SIGNATURE, before any HMAC) from a wrong one,
 * and only until one well-formed candidate is seen. Verification is synchronous, so one instance per
 * scheme serves every call.
 */
export class HmacCandidates {
  readonly #encoding: 'hex' | 'base64';
  /** Digest bytes, and the length of their encoding. */
  readonly #size: number;
  readonly #length: number;
  readonly #max: number;
  /** Where each candidate's text is: the header string and its start (every candidate is #length long). */
  readonly #texts: string[] = [];
  readonly #starts: Int32Array;
  /** The expected encoding, written per key and wiped after; as 32-bit words too (#wordwise). */
  readonly #expected: Uint8Array;
  readonly #expectedWords: Uint32Array;
  /** The candidates' characters as bytes, one after another, when all are ASCII (see #writeCandidates). */
  readonly #bytes: Buffer;
  readonly #words: Uint32Array;
  /** Whether an encoding is a whole number of 32-bit words (every hex and base64 digest length is). */
  readonly #wordwise: boolean;
  /** Candidates held (of the right length); reset by clear(). */
  count = 0;
  /** Whether one of them is well-formed (decodes strictly to `size` bytes). */
  wellFormed = false;
  /** Set by begin(): whether matches() compares the copied words. */
  #wordwiseNow = false;
  /** Set by match(): the texts are dropped, nothing matches until clear(). */
  #spent = false;

  constructor(encoding: 'hex' | 'base64', size: number, max: number) {
    this.#encoding = encoding;
    this.#size = size;
    this.#length = encoding === 'hex' ? 2 * size : Math.ceil(size / 3) * 4;
    this.#max = max;
    this.#starts = new Int32Array(max);
    this.#wordwise = this.#length % 4 === 0;
    // Own ArrayBuffers (not Buffer's pool): aligned for the word views.
    this.#expected = new Uint8Array(this.#length);
    this.#expectedWords = new Uint32Array(this.#expected.buffer, 0, this.#length >> 2);
    const bytes = new ArrayBuffer(this.#wordwise ? max * this.#length : 0);
    this.#bytes = Buffer.from(bytes);
    this.#words = new Uint32Array(bytes);
  }

  /**
   * Empties the set, before a request's candidates are added (and after begin()/matches(), which
   * leave the texts held). The held header strings are dropped too: the instance outlives the
   * request, and one of them may be the sender's valid signature.
   */
  clear(): this {
    this.#texts.fill('', 0, this.count);
    this.#spent = false;
    this.count = 0;
    this.wellFormed = false;
    return this;
  }

  /**
   * Holds `text[start, end)` as a candidate. A text of another length can match nothing and is not
   * held; past `max` candidates nothing more is held (callers bound the count before adding).
   */
  add(text: string, start: number, end: number): void {
    if (end - start !== this.#length || this.count === this.#max) return;
    this.#texts[this.count] = text;
    this.#starts[this.count++] = start;
    if (!this.wellFormed) this.wellFormed = this.#encoding === 'hex' ? isHex(text, start, end) : isBase64(text, start, end, this.#size);
  }

  /**
   * The id of the first key whose HMAC over prefix|body|suffix equals one of the candidates: one HMAC
   * per key, whatever the number of candidates; each candidate compared in full (no early exit inside
   * a comparison: the time depends on the number of candidates, which the sender chose, never on how
   * many characters of the expected signature a candidate got right). Afterwards the set holds no
   * text: clear() and add again to match again.
   */
  match(algorithm: string, keys: readonly PreparedKey[], prefix: string | undefined, body: Buffer, suffix: string | undefined): string | undefined {
    this.begin();
    let found: string | undefined;
    for (const k of keys) {
      if (this.matches((k.key as HmacKey).mac(algorithm, prefix, body, suffix))) {
        found = k.id;
        break;
      }
    }
    // The header strings are dropped (the instance outlives the request, and one of them may be
    // the valid signature); count and wellFormed stay readable. Add again after clear() to reuse.
    this.#texts.fill('', 0, this.count);
    this.#spent = true;
    return found;
  }

  /**
   * Readies the held candidates for matches() (a scheme whose keys are not all HMAC keys calls the
   * two itself). A word at a time where the candidates are ASCII: a quarter of the steps per
   * comparison, which a request stuffed with wrong candidates pays for each of them (16 DocuSign
   * headers: ~1 µs less). A single one (an honest delivery) is compared as characters: copying it
   * costs what it saves.
   */
  begin(): void {
    this.#wordwiseNow = !this.#spent && this.count > 1 && this.#wordwise && this.#writeCandidates();
  }

  /**
   * Whether the canonical encoding of `digest` (one key's HMAC) equals one of the candidates held
   * since begin(). The digest is wiped either way: matched or not, it is the valid signature of the
   * sender's bytes, and is not left in pooled memory.
   */
  matches(digest: Uint8Array): boolean {
    const length = this.#length;
    const expected = this.#expected;
    const count = this.count;
    const wordwise = this.#wordwiseNow;
    let found = false;
    if (digest.length === this.#size && !this.#spent) {
      if (this.#encoding === 'hex') encodeHex(digest, expected);
      else encodeBase64(digest, expected);
      if (wordwise) found = anyWordsEqual(this.#words, this.#expectedWords, count);
      else {
        const texts = this.#texts;
        const starts = this.#starts;
        for (let c = 0; c < count && !found; c++) {
          const text = texts[c]!;
          const at = starts[c]!;
          let diff = 0;
          for (let i = 0; i < length; i++) diff |= text.charCodeAt(at + i) ^ expected[i]!;
          found = diff === 0;
        }
      }
      expected.fill(0);
    }
    digest.fill(0);
    // Nor the valid signature among the copied candidates (wrong ones are only what a stranger sent).
    if (found && wordwise) this.#bytes.fill(0, 0, count * length);
    return found;
  }

  /**
   * Copies the held candidates' text into #bytes, one after another, with one native write; false,
   * and nothing relied on, when a character is not ASCII: latin1 bytes are then no longer exactly
   * the text (U+0141 would be written as 0x41, "A"), and match() compares the characters instead.
   */
  #writeCandidates(): boolean {
    const length = this.#length;
    let joined = '';
    for (let c = 0; c < this.count; c++) {
      const text = this.#texts[c]!;
      const at = this.#starts[c]!;
      joined += at === 0 && text.length === length ? text : text.slice(at, at + length);
    }
    // One UTF-8 byte per character: every one is ASCII.
    if (Buffer.byteLength(joined, 'utf8') !== joined.length) return false;
    this.#bytes.write(joined, 0, joined.length, 'latin1');
    return true;
  }
}

/**
 * Whether one of `count` candidates (consecutive runs of `expected.length` words) equals `expected`:
 * each compared in full, without an early exit inside a comparison.
 */
function anyWordsEqual(words: Uint32Array, expected: Uint32Array, count: number): boolean {
  const per = expected.length;
  let found = false;
  for (let c = 0; c < count && !found; c++) {
    let diff = 0;
    for (let i = 0, at = c * per; i < per; i++, at++) diff |= words[at]! ^ expected[i]!;
    found = diff === 0;
  }
  return found;
}

const HEX_DIGITS = '0123456789abcdef';
const B64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const HEX_OUT = Uint8Array.from(HEX_DIGITS, (c) => c.charCodeAt(0));
const B64_OUT = Uint8Array.from(B64_DIGITS, (c) => c.charCodeAt(0));
// Character code -> value, -1 for anything else (NaN past the end and codes past 0x7f included).
const HEX_IN = new Int8Array(128).fill(-1);
const B64_IN = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_IN[HEX_DIGITS.charCodeAt(i)] = i;
for (let i = 0; i < 64; i++) B64_IN[B64_DIGITS.charCodeAt(i)] = i;
const b64 = (c: number): number => (c < 128 ? B64_IN[c]! : -1);

function encodeHex(bytes: Uint8Array, out: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) {
    out[2 * i] = HEX_OUT[bytes[i]! >> 4]!;
    out[2 * i + 1] = HEX_OUT[bytes[i]! & 0x0f]!;
  }
}

/** Canonical, padded base64 (RFC 4648 §4). */
function encodeBase64(bytes: Uint8Array, out: Uint8Array): void {
  let o = 0;
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = B64_OUT[n >> 18]!;
    out[o++] = B64_OUT[(n >> 12) & 0x3f]!;
    out[o++] = B64_OUT[(n >> 6) & 0x3f]!;
    out[o++] = B64_OUT[n & 0x3f]!;
  }
  const rest = bytes.length - i;
  if (rest === 0) return;
  const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
  out[o++] = B64_OUT[n >> 18]!;
  out[o++] = B64_OUT[(n >> 12) & 0x3f]!;
  out[o++] = rest === 2 ? B64_OUT[(n >> 6) & 0x3f]! : 0x3d;
  out[o] = 0x3d;
}

/** Lower-case hex (the caller checked the length). */
function isHex(text: string, start: number, end: number): boolean {
  for (let j = start; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c > 0x7f || HEX_IN[c]! < 0) return false;
  }
  return true;
}

/** Canonical, padded base64 of exactly `size` bytes (the caller checked the length: ceil(size / 3) * 4). */
function isBase64(text: string, start: number, end: number, size: number): boolean {
  const rest = size % 3;
  const data = end - (rest === 0 ? 0 : rest === 1 ? 2 : 1);
  for (let j = start; j < data; j++) if (b64(text.charCodeAt(j)) < 0) return false;
  for (let j = data; j < end; j++) if (text.charCodeAt(j) !== 0x3d) return false;
  // The bits below the last data character's used ones are zero.
  const last = b64(text.charCodeAt(data - 1));
  return rest === 0 || (last & (rest === 1 ? 0x0f : 0x03)) === 0;
}

const isBlank = (c: number) => c === 0x20 || c === 0x09;

/**
 * parseSignatureHeader()'s reading of `k=v<sep>k=v...`, in place: no strings are made. Fills `out`
 * with four offsets per `key=value` entry (key start, key end, value start, value end; spaces and tabs
 * trimmed) and returns how many entries it found, or -1 past `max` non-blank entries (a stuffed header
 * costs a bounded amount). Entries without `=` before their end are skipped, as unknown syntax is the
 * sender's to add. `out` holds at least 4 * max offsets.
 */
export function scanEntries(value: string, separator: ',' | ';', max: number, out: Int32Array): number {
  let found = 0;
  let entries = 0;
  const length = value.length;
  // The next '=' at or after the entry read: kept between entries, so a header whose entries hold no
  // '=' is searched once, not once per entry. -1: none left.
  let nextEq = -2;
  for (let start = 0; start <= length; ) {
    // indexOf, not a loop over charCodeAt: the native search is several times faster on a long header.
    let end = value.indexOf(separator, start);
    if (end === -1) end = length;
    let a = start;
    while (a < end && isBlank(value.charCodeAt(a))) a++;
    if (a < end) {
      if (++entries > max) return -1;
      if (nextEq !== -1 && nextEq < a) nextEq = value.indexOf('=', a);
      const eq = nextEq;
      if (eq > a && eq < end) {
        let keyEnd = eq;
        while (isBlank(value.charCodeAt(keyEnd - 1))) keyEnd--;
        let from = eq + 1;
        let to = end;
        while (from < to && isBlank(value.charCodeAt(from))) from++;
        while (to > from && isBlank(value.charCodeAt(to - 1))) to--;
        const at = found++ * 4;
        out[at] = a;
        out[at + 1] = keyEnd;
        out[at + 2] = from;
        out[at + 3] = to;
      }
    }
    start = end + 1;
  }
  return found;
}

/** Whether `value[start, end)` is exactly `key` (ASCII). */
export function keyIs(value: string, start: number, end: number, key: string): boolean {
  if (end - start !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (value.charCodeAt(start + i) !== key.charCodeAt(i)) return false;
  return true;
}
