import { createHash } from 'node:crypto';
import { decodeHex, safeEqual } from './compare.js';

// Twilio sends a few dozen parameters; a form of thousands is no delivery of theirs (and sorting it
// is work an unauthenticated request must not buy). Express's urlencoded parser stops at 1,000 too.
const MAX_PARAMS = 1000;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// Verification is synchronous: decodePart's buffer serves every request (form data, never a secret).
const SCRATCH_MAX = 64 * 1024;
let scratch = Buffer.allocUnsafe(1024);

// Buffer#latin1Slice is what toString('latin1', start, end) calls after checking its arguments; most
// parts are a few bytes, and for them the checks cost as much as the copy. Not in Node's typings, and
// a runtime's Buffer (Bun, Deno, workerd) may lack it: then toString.
type Latin1Sliceable = Buffer & { latin1Slice?: (start: number, end: number) => string };
const hasLatin1Slice = typeof (Buffer.prototype as Latin1Sliceable).latin1Slice === 'function';
function latin1(bytes: Buffer, start: number, end: number): string {
  return hasLatin1Slice ? (bytes as Latin1Sliceable).latin1Slice!(start, end) : bytes.toString('latin1', start, end);
}

/** What Twilio signed, or why the request cannot be read as a Twilio delivery. */
export type TwilioSigned =
  | { ok: true; mode: 'form' | 'url' | 'body-hash'; params: Buffer; bodySha256?: Buffer; fields?: Map<string, string[]> }
  | { ok: false; reason: string };

const HEX_UPPER = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1);

/**
 * One form name or value: `+` is a space, `%XX` a byte (upper-case hex, as every form encoder
 * writes it: `%2b` and `%2B` would otherwise be two spellings of one signed byte), everything else
 * printable ASCII. The bytes must be UTF-8, so the text Twilio signed has exactly one byte form.
 */
function decodePart(body: Buffer, start: number, end: number, plain: boolean): string | undefined {
  // Most parts (names, SIDs, numbers) are printable ASCII with nothing to decode: the text is the
  // bytes. The caller's scan of the pair already told (one pass over the body, not two).
  if (plain) return latin1(body, start, end);
  // Else decoded into one buffer that every part reuses (parts up to SCRATCH_MAX; a longer one gets its own).
  const size = end - start;
  let out = scratch;
  if (size > out.length) {
    if (size <= SCRATCH_MAX) out = scratch = Buffer.allocUnsafe(Math.min(SCRATCH_MAX, Math.max(size, 2 * out.length)));
    else out = Buffer.allocUnsafe(size);
  }
  const n = unescapeInto(body, start, end, out);
  if (n < 0) return undefined;
  // ASCII is its own UTF-8; anything else must be valid UTF-8.
  if (!unescapedNonAscii) return latin1(out, 0, n);
  try {
    return utf8.decode(out.subarray(0, n));
  } catch {
    return undefined;
  }
}

// Set by unescapeInto: whether a %XX it decoded was a byte past ASCII (verification is synchronous).
let unescapedNonAscii = false;

/**
 * body[start, end) with `+` and `%XX` decoded, written to `out` from 0: the number of bytes, or -1
 * when the part breaks the strict grammar. Apart from decodePart so this loop, which a long message
 * runs for thousands of bytes, is optimised on its own: inside decodePart, V8 kept deoptimising it at
 * calls after the loop (measured: 16 KiB forms at 80 or 190 µs from one process to the next).
 */
function unescapeInto(body: Buffer, start: number, end: number, out: Buffer): number {
  let n = 0;
  let nonAscii = false;
  for (let i = start; i < end; i++) {
    const c = body[i]!;
    if (c === 0x2b) out[n++] = 0x20;
    else if (c === 0x25) {
      const hi = i + 2 < end ? HEX_UPPER(body[i + 1]!) : -1;
      const lo = hi >= 0 ? HEX_UPPER(body[i + 2]!) : -1;
      if (lo < 0) return -1;
      if (hi >= 8) nonAscii = true;
      out[n++] = (hi << 4) | lo;
      i += 2;
    } else if (c >= 0x21 && c <= 0x7e) out[n++] = c;
    else return -1;
  }
  unescapedNonAscii = nonAscii;
  return n;
}

/**
 * Sorted by UTF-16 code units, as the default Array#sort (and twilio-node) orders them: `<` on
 * strings compares code units too. An insertion sort for the few parameters Twilio sends, where
 * Array#sort's setup costs more than the sort; the native sort past that, so a stuffed form
 * (up to MAX_PARAMS) never costs a quadratic number of comparisons.
 */
function sortedCopy(items: string[]): string[] {
  if (items.length > 24) return items.sort();
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!;
    let j = i - 1;
    for (; j >= 0 && items[j]! > item; j--) items[j + 1] = items[j]!;
    items[j + 1] = item;
  }
  return items;
}

/**
 * The POST parameters as Twilio signs them: sorted by name, each name followed by its value, the
 * values of a repeated name sorted too (twilio-node's getExpectedTwilioSignature). The grammar is
 * strict: `name=value` pairs joined by `&`, none empty. A name=value pair sent twice is refused:
 * twilio-node signs each distinct value once, so the copy would reach the handler unsigned.
 * Also returns the fields: each name in the order of its first appearance with its values in body
 * order, as parsePayload() groups URLSearchParams' pairs (on this strict grammar the two decode
 * alike), so a form delivery's payload is not parsed a second time.
 */
export function signedParams(body: Buffer): { params: Buffer; fields: Map<string, string[]> } | string {
  // A Map, not a null-prototype record: a record's keyed stores internalize every fresh name string.
  const fields = new Map<string, string[]>();
  // URLSearchParams (what a framework's form parser, twilio-node's signer and the old payload read)
  // drops a leading `?`; this grammar would keep it in the first name. Twilio never sends one:
  // refused, so the names that were verified are the names the handler sees.
  if (body[0] === 0x3f) return 'a form body that starts with ? (a query string, not form fields)';
  let pairs = 0;
  for (let start = 0; start <= body.length; ) {
    // The pair's end and its first `=`, in one pass: two Buffer.indexOf calls per pair are native calls
    // that cost more than the few bytes a parameter of Twilio's holds.
    // The same pass notes whether the name and the value hold anything to decode (`+`, `%`, or a
    // byte that is not printable ASCII, which decodePart then refuses).
    let end = start;
    let eq = -1;
    let plainName = true;
    let plainValue = true;
    for (; end < body.length; end++) {
      const c = body[end]!;
      if (c === 0x26) break;
      if (c === 0x3d && eq === -1) eq = end;
      else if (c === 0x2b || c === 0x25 || c < 0x21 || c > 0x7e) {
        if (eq === -1) plainName = false;
        else plainValue = false;
      }
    }
    if (++pairs > MAX_PARAMS) return `more than ${MAX_PARAMS} form parameters`;
    if (end === start) return 'an empty form parameter (a stray &)';
    if (eq === -1) return 'a form parameter without =';
    const name = decodePart(body, start, eq, plainName);
    const value = decodePart(body, eq + 1, end, plainValue);
    if (name === undefined || value === undefined) return 'a form parameter that is not percent-encoded UTF-8 (upper-case %XX, printable ASCII otherwise)';
    const values = fields.get(name);
    if (values === undefined) fields.set(name, [value]);
    else if (values.includes(value)) return 'a name=value pair sent twice (Twilio signs it once)';
    else values.push(value);
    start = end + 1;
  }
  const parts: string[] = [];
  // Default sort: UTF-16 code units, as twilio-node's Object.keys(params).sort(). A repeated name's
  // values are sorted in a copy: the fields keep the body's order, as the payload has it.
  for (const name of sortedCopy([...fields.keys()])) {
    const values = fields.get(name)!;
    if (values.length === 1) parts.push(name, values[0]!);
    else for (const value of sortedCopy([...values])) parts.push(name, value);
  }
  return { params: Buffer.from(parts.join(''), 'utf8'), fields };
}

/**
 * The `bodySHA256` query parameters of the signed URL (raw, as sent): Twilio adds exactly one to the
 * URL of a JSON (non-form) delivery; its value is the hex SHA-256 of the body.
 */
function bodyHashParams(url: string): readonly string[] {
  const q = url.indexOf('?');
  // Most form deliveries' URLs name no bodySHA256 at all: no split of the query for them.
  if (q === -1 || url.indexOf('bodySHA256', q) === -1) return NO_HASHES;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash === -1 ? undefined : hash);
  const found: string[] = [];
  for (const pair of query.split('&')) if (pair.startsWith('bodySHA256=') || pair === 'bodySHA256') found.push(pair.slice(11));
  return found;
}

/**
 * Which of Twilio's two modes the signed URL names, and the bytes that follow the URL in the signed
 * content. The mode follows the URL (it is signed), never the Content-Type (it is not): a URL with
 * `bodySHA256` signs the URL alone and binds the body by its hash; without it a non-empty body is a
 * form whose sorted parameters are signed, an empty one signs the URL alone (GET webhooks).
 */
export function readTwilioSigned(url: string, body: Buffer): TwilioSigned {
  const hashes = bodyHashParams(url);
  if (hashes.length > 1) return { ok: false, reason: 'the URL carries bodySHA256 more than once' };
  if (hashes.length === 1) {
    const expected = hashes[0]!.length === 64 ? decodeHex(hashes[0]!) : undefined;
    if (!expected) return { ok: false, reason: 'bodySHA256 in the URL is not 64 lower-case hex digits' };
    return { ok: true, mode: 'body-hash', params: EMPTY, bodySha256: expected };
  }
  if (body.length === 0) return { ok: true, mode: 'url', params: EMPTY };
  const form = signedParams(body);
  return typeof form === 'string' ? { ok: false, reason: form } : { ok: true, mode: 'form', params: form.params, fields: form.fields };
}

/** The body matches the bodySHA256 the signed URL names (constant time: the hash is public, but cheap to keep so). */
export function bodyMatches(body: Buffer, expected: Buffer): boolean {
  return safeEqual(createHash('sha256').update(body).digest(), expected);
}

const EMPTY = Buffer.alloc(0);
const NO_HASHES: readonly string[] = Object.freeze([]);
const URL_START = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i;

/**
 * The URL as Twilio may have signed it: without its port, and with it (the default port added when
 * none is written), in twilio-node's order. Twilio signs with or without the port depending on the
 * product; both readings name the same host, so either signature verifies.
 */
export function urlCandidates(url: string): string[] {
  const m = URL_START.exec(url);
  if (!m) return [url];
  const [prefix, scheme, authority] = m as unknown as [string, string, string];
  const at = authority.lastIndexOf('@');
  const userInfo = authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  const colon = hostPort.indexOf(':', hostPort.lastIndexOf(']') + 1);
  const host = colon === -1 ? hostPort : hostPort.slice(0, colon);
  const rest = url.slice(prefix.length);
  const without = scheme + userInfo + host + rest;
  const withPort = colon !== -1 ? url : `${scheme}${userInfo}${host}${scheme.toLowerCase() === 'https://' ? ':443' : ':80'}${rest}`;
  return without === withPort ? [without] : [without, withPort];
}
