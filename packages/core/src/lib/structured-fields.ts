// RFC 8941 Structured Field Values: the Dictionary, Inner List, Item and Parameters that RFC 9421
// (Signature-Input, Signature) and RFC 9530 (Content-Digest) use. Parsed exactly as RFC 8941 §4.2
// says, with three deliberate refusals where the RFC would pick one reading silently: a Dictionary
// key or a parameter given twice (the RFC keeps the last), and a byte sequence that is not canonical
// base64 (the RFC tolerates missing padding and stray bits). Every parse is bounded by the caller's
// caps on length, members, inner-list items and parameters.

export class Token {
  constructor(readonly value: string) {}
}
export class Decimal {
  constructor(readonly value: number) {}
}
/**
 * A parsed byte sequence: its canonical base64 text, checked at parse time, decoded only when asked
 * (a request's signatures are mostly never verified: only the labels that name a key of ours are).
 */
export class ByteSequence {
  constructor(readonly base64: string) {}
  /** The decoded length, read off the canonical text. */
  get length(): number {
    const n = this.base64.length;
    if (n === 0) return 0;
    return (n >> 2) * 3 - (this.base64.charCodeAt(n - 1) === 0x3d ? (this.base64.charCodeAt(n - 2) === 0x3d ? 2 : 1) : 0);
  }
  bytes(): Buffer {
    return Buffer.from(this.base64, 'base64');
  }
}
/** Parsed byte sequences are ByteSequence; a Buffer is accepted for serialization (the signer's values). */
export type BareItem = number | Decimal | string | Token | ByteSequence | Buffer | boolean;
export type Params = ReadonlyMap<string, BareItem>;
export interface Item {
  value: BareItem;
  params: Params;
}
export interface InnerList {
  items: Item[];
  params: Params;
  /**
   * The field's own text of `(items)` and of the whole `(items);params`, when that text already is
   * their RFC 8941 serialization (single spaces, no decimals, no `=?1` parameter...), so a signature
   * base takes it as it is instead of serializing the list again.
   */
  itemsText?: string;
  text?: string;
}
export type Member = Item | InnerList;
export type Dictionary = Map<string, Member>;

export interface Bounds {
  /** Longest field value, characters. */
  maxLength: number;
  maxMembers: number;
  maxItems: number;
  maxParams: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

// Not an Error: a refusal is an outcome, and unauthenticated floods of bad headers should not pay for stacks.
class Refused {
  constructor(readonly message: string) {}
}
const refuse = (reason: string): never => {
  throw new Refused(reason);
};

// Character classes by code, one table lookup each (the parser runs on every request).
const KEY_FIRST = 1;
const KEY_CHAR = 2;
const TOKEN_CHAR = 4;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const lower = c >= 0x61 && c <= 0x7a;
  const digit = c >= 0x30 && c <= 0x39;
  const alpha = lower || (c >= 0x41 && c <= 0x5a);
  if (lower || c === 0x2a) CLASS[c]! |= KEY_FIRST;
  if (lower || digit || c === 0x5f || c === 0x2d || c === 0x2e || c === 0x2a) CLASS[c]! |= KEY_CHAR;
  if (alpha || digit || "!#$%&'*+-.^_`|~:/".includes(String.fromCharCode(c))) CLASS[c]! |= TOKEN_CHAR;
}
const is = (c: number, cls: number) => c < 128 && (CLASS[c]! & cls) !== 0;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
// Base64 alphabet values, -1 outside it.
const B64 = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
const b64 = (c: number) => (c < 128 ? B64[c]! : -1);
const B64_RUN = /[A-Za-z0-9+/]*/y;
// Printable ASCII but " and \, up to the closing quote.
const PLAIN_STRING = /[ !#-[\]-~]*"/y;
/**
 * Parameters in the order given, in two short arrays (at most Bounds.maxParams, 16): reading a few is a
 * scan, cheaper than building a hash table for every list and item of every request.
 */
class SmallParams implements ReadonlyMap<string, BareItem> {
  readonly names: string[] = [];
  readonly items: BareItem[] = [];
  get size(): number {
    return this.names.length;
  }
  get(name: string): BareItem | undefined {
    const i = this.names.indexOf(name);
    return i === -1 ? undefined : this.items[i];
  }
  has(name: string): boolean {
    return this.names.indexOf(name) !== -1;
  }
  forEach(fn: (value: BareItem, name: string, map: ReadonlyMap<string, BareItem>) => void, thisArg?: unknown): void {
    for (let i = 0; i < this.names.length; i++) fn.call(thisArg, this.items[i]!, this.names[i]!, this);
  }
  *entries(): MapIterator<[string, BareItem]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i]!, this.items[i]!];
  }
  keys(): MapIterator<string> {
    return this.names.values();
  }
  values(): MapIterator<BareItem> {
    return this.items.values();
  }
  [Symbol.iterator](): MapIterator<[string, BareItem]> {
    return this.entries();
  }
}
/** One (empty) instance for every item without parameters: Params is read only. */
const NO_PARAMS: Params = new SmallParams();

// The reader keeps its position in `at`; each method copies it and the text into locals, scans, and
// stores the position back (V8 keeps locals in registers; a field per character would not be).
class Reader {
  at = 0;
  /** Whether the inner list being read is spelled as RFC 8941 serializes it (see InnerList.text). */
  exact = true;
  constructor(
    readonly s: string,
    readonly bounds: Bounds,
  ) {}

  key(): string {
    const s = this.s;
    const start = this.at;
    if (!is(s.charCodeAt(start), KEY_FIRST)) refuse('a key must start with a lower-case letter or *');
    let i = start + 1;
    while (is(s.charCodeAt(i), KEY_CHAR)) i++;
    this.at = i;
    return s.slice(start, i);
  }

  params(): Params {
    const s = this.s;
    if (s.charCodeAt(this.at) !== 0x3b) return NO_PARAMS;
    const params = new SmallParams();
    const { names, items } = params;
    while (s.charCodeAt(this.at) === 0x3b) {
      let i = this.at + 1;
      if (s.charCodeAt(i) === 0x20) {
        this.exact = false;
        while (s.charCodeAt(i) === 0x20) i++;
      }
      this.at = i;
      const k = this.key();
      if (names.indexOf(k) !== -1) refuse(`parameter ${k} given twice`);
      if (names.length === this.bounds.maxParams) refuse(`more than ${this.bounds.maxParams} parameters`);
      let v: BareItem = true;
      if (s.charCodeAt(this.at) === 0x3d) {
        this.at++;
        v = this.bareItem();
        // `;k=?1` serializes as `;k`.
        if (v === true) this.exact = false;
      }
      names.push(k);
      items.push(v);
    }
    return params;
  }

  item(): Item {
    const value = this.bareItem();
    return { value, params: this.params() };
  }

  innerList(): InnerList {
    const s = this.s;
    const open = this.at++; // (
    this.exact = true;
    const items: Item[] = [];
    for (;;) {
      const before = this.at;
      let i = before;
      while (s.charCodeAt(i) === 0x20) i++;
      this.at = i;
      // One space between items, none after ( or before ): anything else is not the serialized form.
      const spaces = i - before;
      if (s.charCodeAt(i) === 0x29) {
        if (spaces !== 0) this.exact = false;
        const itemsEnd = (this.at = i + 1);
        const params = this.params();
        // One shape for every list: both texts set, or both undefined.
        const exact = this.exact;
        return { items, params, itemsText: exact ? s.slice(open, itemsEnd) : undefined, text: exact ? s.slice(open, this.at) : undefined };
      }
      if (spaces !== (items.length === 0 ? 0 : 1)) this.exact = false;
      if (i >= s.length) refuse('an inner list is not closed');
      if (items.length === this.bounds.maxItems) refuse(`more than ${this.bounds.maxItems} items in an inner list`);
      items.push(this.item());
      const c = s.charCodeAt(this.at);
      if (c !== 0x20 && c !== 0x29) refuse('items of an inner list must be separated by a space');
    }
  }

  bareItem(): BareItem {
    const c = this.s.charCodeAt(this.at);
    if (c === 0x22) return this.string();
    if (c === 0x2d || isDigit(c)) return this.number();
    if (c === 0x3a) return this.bytes();
    if (c === 0x3f) return this.boolean();
    if (isAlpha(c) || c === 0x2a) return this.token();
    return refuse('not a structured field value');
  }

  // RFC 8941 §4.2.4, step by step: at most 15 integer digits, or 12 + "." + 1-3 (16 characters).
  number(): number | Decimal {
    const s = this.s;
    let i = this.at;
    const negative = s.charCodeAt(i) === 0x2d;
    if (negative) this.at = ++i;
    if (!isDigit(s.charCodeAt(i))) refuse('a number must start with a digit');
    const start = i;
    let decimal = false;
    // An integer's value is summed as it is read (15 digits stay below 2^53): no slice, no Number().
    let value = 0;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (!isDigit(c)) {
        if (decimal || c !== 0x2e) break;
        if (i - start > 12) {
          this.at = i;
          refuse('a decimal has more than 12 integer digits');
        }
        decimal = true;
      } else if (!decimal) value = value * 10 + (c - 0x30);
      i++;
      if (i - start > (decimal ? 16 : 15)) {
        this.at = i;
        refuse('a number is too long');
      }
    }
    this.at = i;
    if (!decimal) {
      // A leading zero or -0 serializes otherwise.
      if (s.charCodeAt(start) === 0x30 && (i - start > 1 || negative)) this.exact = false;
      return negative ? -value : value;
    }
    this.exact = false;
    const text = s.slice(start, i);
    if (text.endsWith('.')) refuse('a decimal ends with "."');
    if (text.length - text.indexOf('.') - 1 > 3) refuse('a decimal has more than 3 fractional digits');
    return new Decimal((negative ? -1 : 1) * Number(text));
  }

  string(): string {
    const s = this.s;
    const open = ++this.at; // "
    // The common case, printable ASCII without an escape up to the closing quote: one sticky regex
    // (native from the first call, where a character loop runs interpreted until V8 optimizes it), one slice.
    PLAIN_STRING.lastIndex = open;
    if (PLAIN_STRING.test(s)) {
      this.at = PLAIN_STRING.lastIndex;
      return s.slice(open, this.at - 1);
    }
    let out = '';
    for (;;) {
      if (this.at >= s.length) refuse('a string is not closed');
      const c = s[this.at++]!;
      if (c === '\\') {
        const n = s[this.at++];
        if (n !== '"' && n !== '\\') refuse('a string escapes something other than " or \\');
        out += n;
      } else if (c === '"') return out;
      else if (c < ' ' || c > '~') refuse('a string holds a character outside printable ASCII');
      else out += c;
    }
  }

  token(): Token {
    const s = this.s;
    const start = this.at;
    let i = start + 1;
    while (is(s.charCodeAt(i), TOKEN_CHAR)) i++;
    this.at = i;
    return new Token(s.slice(start, i));
  }

  // Canonical base64 (no missing padding, no stray bits) is checked here; decoding waits for a verification.
  bytes(): ByteSequence {
    const s = this.s;
    const start = this.at + 1;
    // The alphabet run by a sticky regex: native code, about twice the speed of a character loop here.
    B64_RUN.lastIndex = start;
    B64_RUN.test(s);
    const data = B64_RUN.lastIndex;
    let i = data;
    while (s.charCodeAt(i) === 0x3d) i++;
    const pad = i - data;
    if (s.charCodeAt(i) !== 0x3a) {
      if (s.indexOf(':', start) === -1) refuse('a byte sequence is not closed');
      refuse('a byte sequence is not canonical base64');
    }
    if ((i - start) % 4 !== 0 || pad > 2) refuse('a byte sequence is not canonical base64');
    if (pad > 0 && (b64(s.charCodeAt(data - 1)) & (pad === 2 ? 0x0f : 0x03)) !== 0) refuse('a byte sequence is not canonical base64');
    this.at = i + 1;
    return new ByteSequence(s.slice(start, i));
  }

  boolean(): boolean {
    const v = this.s.charCodeAt(this.at + 1);
    if (v !== 0x30 && v !== 0x31) refuse('a boolean must be ?0 or ?1');
    this.at += 2;
    return v === 0x31;
  }
}

/** An RFC 8941 Dictionary (members are Items or Inner Lists), or the reason it is not one. */
export function parseDictionary(text: string, bounds: Bounds): Parsed<Dictionary> {
  if (text.length > bounds.maxLength) return { ok: false, reason: `longer than ${bounds.maxLength} characters` };
  const r = new Reader(text, bounds);
  const dict: Dictionary = new Map();
  const n = text.length;
  try {
    while (text.charCodeAt(r.at) === 0x20) r.at++;
    while (r.at < n) {
      const k = r.key();
      if (dict.has(k)) refuse(`member ${k} given twice`);
      if (dict.size === bounds.maxMembers) refuse(`more than ${bounds.maxMembers} members`);
      let member: Member;
      if (text.charCodeAt(r.at) === 0x3d) {
        r.at++;
        member = text.charCodeAt(r.at) === 0x28 ? r.innerList() : r.item();
      } else member = { value: true, params: r.params() };
      dict.set(k, member);
      let i = r.at;
      for (let c = text.charCodeAt(i); c === 0x20 || c === 0x09; c = text.charCodeAt(i)) i++;
      r.at = i;
      if (i >= n) break;
      if (text.charCodeAt(i) !== 0x2c) refuse('members must be separated by a comma');
      i++;
      for (let c = text.charCodeAt(i); c === 0x20 || c === 0x09; c = text.charCodeAt(i)) i++;
      r.at = i;
      if (i >= n) refuse('a trailing comma');
    }
    return { ok: true, value: dict };
  } catch (e) {
    // Header text is latin1 and a structured field ASCII only: every scan above refuses a character
    // past 0x7f, so the test runs on refusals only, and names that reason first as it always did.
    if (e instanceof Refused) return { ok: false, reason: /[^\x00-\x7f]/.test(text) ? 'not ASCII' : `${e.message} (at character ${r.at})` };
    throw e;
  }
}

export function isInnerList(m: Member): m is InnerList {
  return 'items' in m;
}

function serializeDecimal(v: number): string {
  const [i, f] = Math.abs(v).toFixed(3).split('.') as [string, string];
  return `${v < 0 ? '-' : ''}${i}.${f.replace(/0+$/, '') || '0'}`;
}

/** RFC 8941 §4.1 serialization of a bare item. */
export function serializeBareItem(v: BareItem): string {
  if (typeof v === 'number') return String(v);
  if (v instanceof Decimal) return serializeDecimal(v.value);
  if (typeof v === 'string') return v.includes('"') || v.includes('\\') ? `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"` : `"${v}"`;
  if (v instanceof Token) return v.value;
  if (typeof v === 'boolean') return v ? '?1' : '?0';
  if (v instanceof ByteSequence) return `:${v.base64}:`;
  return `:${v.toString('base64')}:`;
}

export function serializeParams(params: Params, skip?: ReadonlySet<string>): string {
  let out = '';
  params.forEach((v, k) => {
    if (!skip?.has(k)) out += v === true ? `;${k}` : `;${k}=${serializeBareItem(v)}`;
  });
  return out;
}

/** The `(item item)` part of an inner list, without its parameters. */
export function serializeInnerItems(list: InnerList): string {
  if (list.itemsText !== undefined) return list.itemsText;
  let out = '(';
  for (let i = 0; i < list.items.length; i++) {
    const item = list.items[i]!;
    out += (i === 0 ? '' : ' ') + serializeBareItem(item.value) + (item.params.size === 0 ? '' : serializeParams(item.params));
  }
  return `${out})`;
}

/** RFC 8941 §4.1.1.1: `(item item);params`, the form RFC 9421's @signature-params signs. */
export function serializeInnerList(list: InnerList, skipParams?: ReadonlySet<string>): string {
  if (list.text !== undefined && skipParams === undefined) return list.text;
  return serializeInnerItems(list) + serializeParams(list.params, skipParams);
}
