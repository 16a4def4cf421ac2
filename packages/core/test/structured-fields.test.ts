// structured-fields.ts (RFC 8941) against an independent implementation, structured-headers (the one
// http-message-signatures uses): whatever it serializes we read to the same values; an inner list keeps
// its own text only where that text is the serialization the signature base needs; byte sequences are
// checked as canonical base64 at parse and decoded only when asked; the refusals keep their reasons.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { ByteSequence, Decimal, Token, isInnerList, parseDictionary, serializeInnerList, type BareItem, type Member, type Params } from '../dist/esm/lib/structured-fields.js';

type ShBare = number | string | boolean | ArrayBuffer | { toString(): string };
type ShParams = Map<string, ShBare>;
type ShMember = [ShBare, ShParams] | [Array<[ShBare, ShParams]>, ShParams];
const libRequire = createRequire(createRequire(import.meta.url).resolve('http-message-signatures'));
const sh = libRequire('structured-headers') as {
  Token: new (value: string) => { toString(): string };
  serializeDictionary(d: Map<string, ShMember>): string;
  serializeInnerList(l: [Array<[ShBare, ShParams]>, ShParams]): string;
};

const BOUNDS = { maxLength: 8192, maxMembers: 8, maxItems: 32, maxParams: 16 };

// One normal form for both models: numbers (integer or decimal) as numbers, tokens, bytes as base64.
const bare = (v: BareItem | ShBare): unknown =>
  v instanceof ByteSequence ? ['b', v.base64] : v instanceof ArrayBuffer ? ['b', Buffer.from(v).toString('base64')] : v instanceof Decimal ? v.value : v instanceof Token ? ['t', v.value] : typeof v === 'object' ? ['t', String(v)] : v;
const ours = (m: Member): unknown => {
  const params = (p: Params) => [...p].map(([k, v]) => [k, bare(v)]);
  return isInnerList(m) ? [m.items.map((i) => [bare(i.value), params(i.params)]), params(m.params)] : [bare(m.value), params(m.params)];
};
const theirs = (m: ShMember): unknown => {
  const params = (p: ShParams) => [...p].map(([k, v]) => [k, bare(v)]);
  return Array.isArray(m[0]) ? [m[0].map(([v, p]) => [bare(v), params(p)]), params(m[1])] : [bare(m[0] as ShBare), params(m[1])];
};

const key = fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,6}$/);
const decimal = fc.tuple(fc.integer({ min: -999_999, max: 999_999 }), fc.integer({ min: 1, max: 999 })).map(([i, f]) => Number(`${i < 0 ? '-' : ''}${Math.abs(i)}.${String(f).padStart(3, '0')}`));
const bareItem: fc.Arbitrary<ShBare> = fc.oneof(
  fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }),
  fc.stringMatching(/^[\x20-\x7e]{0,12}$/),
  fc.stringMatching(/^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]{0,8}$/).map((t) => new sh.Token(t)),
  fc.boolean(),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
  { arbitrary: decimal, weight: 1 },
);
const params = fc.uniqueArray(fc.tuple(key, bareItem), { selector: (t) => t[0], maxLength: 4 }).map((a) => new Map(a));
const member: fc.Arbitrary<ShMember> = fc.oneof(fc.tuple(bareItem, params), fc.tuple(fc.array(fc.tuple(bareItem, params), { maxLength: 6 }), params));
const dictionary = fc.uniqueArray(fc.tuple(key, member), { selector: (t) => t[0], minLength: 1, maxLength: 8 }).map((a) => new Map(a));
const isDecimal = (v: ShBare) => typeof v === 'number' && !Number.isInteger(v);
const holdsDecimal = ([items, p]: [Array<[ShBare, ShParams]>, ShParams]) =>
  [...p.values()].some(isDecimal) || items.some(([v, ip]) => isDecimal(v) || [...ip.values()].some(isDecimal));

describe('structured fields', () => {
  test('what structured-headers serializes parses to its values; an inner list serializes as it does, its own text kept when exact', () => {
    let kept = 0;
    fc.assert(
      fc.property(dictionary, (d) => {
        const text = sh.serializeDictionary(d);
        const parsed = parseDictionary(text, BOUNDS);
        assert.ok(parsed.ok, `${text}: ${parsed.ok ? '' : parsed.reason}`);
        assert.deepEqual([...parsed.value.keys()], [...d.keys()]);
        for (const [k, m] of d) {
          const got: Member = parsed.value.get(k)!;
          assert.deepEqual(ours(got), theirs(m), text);
          if (!isInnerList(got)) continue;
          const list = m as [Array<[ShBare, ShParams]>, ShParams];
          const expected = sh.serializeInnerList(list);
          assert.equal(serializeInnerList(got), expected);
          // Serialized text is exact unless a decimal is in it (1.50 and 1.5 are one value): then it is re-serialized.
          assert.equal(got.text, holdsDecimal(list) ? undefined : expected);
          if (got.text !== undefined) kept++;
        }
      }),
      { numRuns: 400 },
    );
    assert.ok(kept > 100, `${kept} exact inner lists`);
  });

  test('spellings RFC 8941 allows but does not write are read alike and re-serialized, never taken as they are', () => {
    const cases: Array<[string, string]> = [
      ['a=( "x"  "y" )', '("x" "y")'],
      ['a=("x" "y" )', '("x" "y")'],
      ['a=("x");p=?1', '("x");p'],
      ['a=("x");p=007', '("x");p=7'],
      ['a=("x");p=-0', '("x");p=0'],
      ['a=("x");p=1.50', '("x");p=1.5'],
      ['a=("x";q=?1)', '("x";q)'],
      ['a=("x"); p="y"', '("x");p="y"'],
    ];
    for (const [text, serialized] of cases) {
      const parsed = parseDictionary(text, BOUNDS);
      assert.ok(parsed.ok, text);
      const list = parsed.value.get('a')!;
      assert.ok(isInnerList(list));
      assert.equal(list.text, undefined, text);
      assert.equal(serializeInnerList(list), serialized, text);
    }
    const exact = parseDictionary('a=("x" "y\\"z");p=?0;n=-5;t=tok:en', BOUNDS);
    assert.ok(exact.ok);
    assert.equal((exact.value.get('a') as { text?: string }).text, '("x" "y\\"z");p=?0;n=-5;t=tok:en');
  });

  test('byte sequences: canonical base64 checked at parse, the length read off the text, decoded on demand', () => {
    const parsed = parseDictionary('a=:AQID:, b=:AQ==:, c=::, d=:AQI=:', BOUNDS);
    assert.ok(parsed.ok);
    const bytes = (k: string) => (parsed.value.get(k) as { value: ByteSequence }).value;
    assert.deepEqual([bytes('a').length, bytes('b').length, bytes('c').length, bytes('d').length], [3, 1, 0, 2]);
    assert.deepEqual([...bytes('a').bytes()], [1, 2, 3]);
    assert.deepEqual([...bytes('d').bytes()], [1, 2]);
  });

  test('refusals and their reasons', () => {
    const cases: Array<[string, RegExp]> = [
      ['a=:AQ:', /not canonical base64/],
      ['a=:AR==:', /not canonical base64/],
      ['a=:AQ=I:', /not canonical base64/],
      ['a=:AQ===:', /not canonical base64/],
      ['a=:AQID', /not closed/],
      ['a=:A?ID:', /not canonical base64/],
      ['a=("x" ', /not closed/],
      ['a=("x""y")', /separated by a space/],
      ['a=1;p;p', /parameter p given twice/],
      ['a=1, a=2', /member a given twice/],
      ['a=1,', /trailing comma/],
      ['a="x\\n"', /escapes something other/],
      ['a="x', /string is not closed/],
      ['a=1234567890123456', /too long/],
      ['a=1.2345', /more than 3 fractional/],
      ['a=1.', /ends with "."/],
      ['a=?2', /\?0 or \?1/],
      ['a=("é")', /^not ASCII$/],
      ['A=1', /must start with a lower-case letter/],
      [`a=1${Array.from({ length: 17 }, (_, i) => `;p${i}`).join('')}`, /more than 16 parameters/],
    ];
    for (const [text, reason] of cases) {
      const parsed = parseDictionary(text, BOUNDS);
      assert.ok(!parsed.ok, `${text} was accepted`);
      assert.match(parsed.reason, reason, text);
    }
  });
});
