// RFC 8941 Structured Field Values: the Dictionary, Inner List, Item and Parameters that RFC 9421
// (Signature-Input, Signature) and RFC 9530 (Content-Digest) use. Parsed exactly as RFC 8941 §4.2
// says, with three deliberate refusals where the RFC would pick one reading silently: a Dictionary
// key or a parameter given twice (the RFC keeps the last), and a byte sequence that is not canonical
// base64 (the RFC tolerates missing padding and stray bits). Every parse is bounded by the caller's
// caps on length, members, inner-list items and parameters.
import { decodeBase64 } from './compare.js';

export class Token {
  constructor(readonly value: string) {}
}
export class Decimal {
  constructor(readonly value: number) {}
}
export type BareItem = number | Decimal | string | Token | Buffer | boolean;
export type Params = Map<string, BareItem>;
export interface Item {
  value: BareItem;
  params: Params;
}
export interface InnerList {
  items: Item[];
  params: Params;
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

// Character classes by code (the parser runs on every request: no regex per character).
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isLower = (c: number) => c >= 0x61 && c <= 0x7a;
const isAlpha = (c: number) => isLower(c) || (c >= 0x41 && c <= 0x5a);
const isKeyFirst = (c: number) => isLower(c) || c === 0x2a;
const isKeyChar = (c: number) => isLower(c) || isDigit(c) || c === 0x5f || c === 0x2d || c === 0x2e || c === 0x2a;
const TCHAR_EXTRA = new Set([...`!#$%&'*+-.^_\`|~:/`].map((c) => c.charCodeAt(0)));
const isTokenChar = (c: number) => isAlpha(c) || isDigit(c) || TCHAR_EXTRA.has(c);
const PRINTABLE = /^[\x20-\x7e]*$/;

class Reader {
  at = 0;
  constructor(
    readonly s: string,
    readonly bounds: Bounds,
  ) {}
  get done(): boolean {
    return this.at >= this.s.length;
  }
  peek(): string {
    return this.s[this.at] ?? '';
  }
  code(): number {
    return this.s.charCodeAt(this.at);
  }
  skipSp(): void {
    while (this.s[this.at] === ' ') this.at++;
  }
  skipOws(): void {
    while (this.s[this.at] === ' ' || this.s[this.at] === '\t') this.at++;
  }

  key(): string {
    const start = this.at;
    if (!isKeyFirst(this.code())) refuse('a key must start with a lower-case letter or *');
    this.at++;
    while (isKeyChar(this.code())) this.at++;
    return this.s.slice(start, this.at);
  }

  params(): Params {
    const params: Params = new Map();
    while (this.peek() === ';') {
      this.at++;
      this.skipSp();
      const k = this.key();
      if (params.has(k)) refuse(`parameter ${k} given twice`);
      if (params.size === this.bounds.maxParams) refuse(`more than ${this.bounds.maxParams} parameters`);
      let v: BareItem = true;
      if (this.peek() === '=') {
        this.at++;
        v = this.bareItem();
      }
      params.set(k, v);
    }
    return params;
  }

  item(): Item {
    const value = this.bareItem();
    return { value, params: this.params() };
  }

  innerList(): InnerList {
    this.at++; // (
    const items: Item[] = [];
    for (;;) {
      this.skipSp();
      if (this.peek() === ')') {
        this.at++;
        return { items, params: this.params() };
      }
      if (this.done) refuse('an inner list is not closed');
      if (items.length === this.bounds.maxItems) refuse(`more than ${this.bounds.maxItems} items in an inner list`);
      items.push(this.item());
      const c = this.peek();
      if (c !== ' ' && c !== ')') refuse('items of an inner list must be separated by a space');
    }
  }

  bareItem(): BareItem {
    const c = this.code();
    if (c === 0x2d || isDigit(c)) return this.number();
    if (c === 0x22) return this.string();
    if (c === 0x3a) return this.bytes();
    if (c === 0x3f) return this.boolean();
    if (isAlpha(c) || c === 0x2a) return this.token();
    return refuse('not a structured field value');
  }

  // RFC 8941 §4.2.4, step by step: at most 15 integer digits, or 12 + "." + 1-3 (16 characters).
  number(): number | Decimal {
    const negative = this.peek() === '-';
    if (negative) this.at++;
    if (!isDigit(this.code())) refuse('a number must start with a digit');
    const start = this.at;
    let decimal = false;
    while (!this.done) {
      const c = this.code();
      if (!isDigit(c)) {
        if (decimal || c !== 0x2e) break;
        if (this.at - start > 12) refuse('a decimal has more than 12 integer digits');
        decimal = true;
      }
      this.at++;
      if (this.at - start > (decimal ? 16 : 15)) refuse('a number is too long');
    }
    const text = this.s.slice(start, this.at);
    const sign = negative ? -1 : 1;
    if (!decimal) return sign * Number(text);
    if (text.endsWith('.')) refuse('a decimal ends with "."');
    if (text.length - text.indexOf('.') - 1 > 3) refuse('a decimal has more than 3 fractional digits');
    return new Decimal(sign * Number(text));
  }

  string(): string {
    this.at++; // "
    // The common case, no escape: one slice.
    const close = this.s.indexOf('"', this.at);
    if (close !== -1) {
      const plain = this.s.slice(this.at, close);
      if (!plain.includes('\\') && PRINTABLE.test(plain)) {
        this.at = close + 1;
        return plain;
      }
    }
    let out = '';
    for (;;) {
      if (this.done) refuse('a string is not closed');
      const c = this.s[this.at++]!;
      if (c === '\\') {
        const n = this.s[this.at++];
        if (n !== '"' && n !== '\\') refuse('a string escapes something other than " or \\');
        out += n;
      } else if (c === '"') return out;
      else if (c < ' ' || c > '~') refuse('a string holds a character outside printable ASCII');
      else out += c;
    }
  }

  token(): Token {
    const start = this.at++;
    while (isTokenChar(this.code())) this.at++;
    return new Token(this.s.slice(start, this.at));
  }

  bytes(): Buffer {
    const end = this.s.indexOf(':', this.at + 1);
    if (end === -1) refuse('a byte sequence is not closed');
    const decoded = decodeBase64(this.s.slice(this.at + 1, end));
    if (!decoded) refuse('a byte sequence is not canonical base64');
    this.at = end + 1;
    return decoded!;
  }

  boolean(): boolean {
    const v = this.s[this.at + 1];
    if (v !== '0' && v !== '1') refuse('a boolean must be ?0 or ?1');
    this.at += 2;
    return v === '1';
  }
}

/** An RFC 8941 Dictionary (members are Items or Inner Lists), or the reason it is not one. */
export function parseDictionary(text: string, bounds: Bounds): Parsed<Dictionary> {
  if (text.length > bounds.maxLength) return { ok: false, reason: `longer than ${bounds.maxLength} characters` };
  // Header text is latin1; a structured field is ASCII only.
  if (/[^\x00-\x7f]/.test(text)) return { ok: false, reason: 'not ASCII' };
  const r = new Reader(text, bounds);
  const dict: Dictionary = new Map();
  try {
    r.skipSp();
    while (!r.done) {
      const k = r.key();
      if (dict.has(k)) refuse(`member ${k} given twice`);
      if (dict.size === bounds.maxMembers) refuse(`more than ${bounds.maxMembers} members`);
      let member: Member;
      if (r.peek() === '=') {
        r.at++;
        member = r.peek() === '(' ? r.innerList() : r.item();
      } else member = { value: true, params: r.params() };
      dict.set(k, member);
      r.skipOws();
      if (r.done) break;
      if (r.peek() !== ',') refuse('members must be separated by a comma');
      r.at++;
      r.skipOws();
      if (r.done) refuse('a trailing comma');
    }
    return { ok: true, value: dict };
  } catch (e) {
    if (e instanceof Refused) return { ok: false, reason: `${e.message} (at character ${r.at})` };
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
  return `:${v.toString('base64')}:`;
}

export function serializeParams(params: Params, skip?: ReadonlySet<string>): string {
  let out = '';
  for (const [k, v] of params) {
    if (skip?.has(k)) continue;
    out += v === true ? `;${k}` : `;${k}=${serializeBareItem(v)}`;
  }
  return out;
}

/** The `(item item)` part of an inner list, without its parameters. */
export function serializeInnerItems(list: InnerList): string {
  let out = '(';
  for (let i = 0; i < list.items.length; i++) {
    const item = list.items[i]!;
    out += (i === 0 ? '' : ' ') + serializeBareItem(item.value) + (item.params.size === 0 ? '' : serializeParams(item.params));
  }
  return `${out})`;
}

/** RFC 8941 §4.1.1.1: `(item item);params`, the form RFC 9421's @signature-params signs. */
export function serializeInnerList(list: InnerList, skipParams?: ReadonlySet<string>): string {
  return serializeInnerItems(list) + serializeParams(list.params, skipParams);
}
