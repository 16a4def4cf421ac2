import { WebhookVerificationError } from '../webhook-verification-error.js';

/** Where a member's value lies in the body: bytes [start, end). */
export interface JsonSpan {
  start: number;
  end: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Index just past the string whose opening quote is at `at`, or -1. Native indexOf does the skipping. */
function stringEnd(b: Buffer, at: number): number {
  for (let i = at + 1; ; ) {
    const q = b.indexOf(QUOTE, i);
    if (q === -1) return -1;
    let slashes = 0;
    for (let k = q - 1; k > at && b[k] === BACKSLASH; k--) slashes++;
    if (slashes % 2 === 0) return q + 1;
    i = q + 1;
  }
}

/** Index just past the value starting at `at` (string, object, array or scalar), or -1. */
function valueEnd(b: Buffer, at: number): number {
  const c = b[at];
  if (c === QUOTE) return stringEnd(b, at);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let i = at; i < b.length; ) {
      const d = b[i]!;
      if (d === QUOTE) {
        i = stringEnd(b, i);
        if (i === -1) return -1;
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if ((d === 0x7d || d === 0x5d) && --depth === 0) return i + 1;
      i++;
    }
    return -1;
  }
  let i = at;
  while (i < b.length && b[i] !== 0x2c && b[i] !== 0x7d && b[i] !== 0x5d && !isSpace(b[i])) i++;
  return i > at ? i : -1;
}

/**
 * The value of a top-level member of a JSON object body, found without parsing the body (a scan that
 * skips strings natively: a small fraction of a JSON.parse). Undefined when the body is not a JSON
 * object or has no such member. A member named twice is refused: JSON.parse keeps the last one, so
 * the handler and the check could read two different values of one signed body.
 */
export function jsonMember(body: Buffer, name: string, scheme: string): JsonSpan | undefined {
  let i = 0;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) i = 3; // a BOM, as the payload parser skips it
  while (isSpace(body[i])) i++;
  if (body[i] !== 0x7b) return undefined;
  i++;
  let found: JsonSpan | undefined;
  for (;;) {
    while (isSpace(body[i])) i++;
    if (body[i] === 0x7d) return found;
    if (body[i] !== QUOTE) return undefined;
    const keyEnd = stringEnd(body, i);
    if (keyEnd === -1) return undefined;
    // An escaped key (`"webhook\u0054imestamp"`) is the same member to JSON.parse: decode it to compare.
    const raw = body.toString('latin1', i + 1, keyEnd - 1);
    let key = raw;
    if (raw.includes('\\')) {
      try {
        key = JSON.parse(body.toString('utf8', i, keyEnd)) as string;
      } catch {
        return undefined;
      }
    }
    i = keyEnd;
    while (isSpace(body[i])) i++;
    if (body[i] !== 0x3a) return undefined;
    i++;
    while (isSpace(body[i])) i++;
    const end = valueEnd(body, i);
    if (end === -1) return undefined;
    if (key === name) {
      if (found) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `the body names "${name}" twice`, scheme });
      found = { start: i, end };
    }
    i = end;
    while (isSpace(body[i])) i++;
    if (body[i] === 0x2c) i++;
    else if (body[i] !== 0x7d) return undefined;
  }
}
