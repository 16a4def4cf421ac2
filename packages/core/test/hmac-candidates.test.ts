// lib/hmac-candidates.ts (pagerduty, docusign and paddle) against what it replaced: the candidate
// texts compared with the expected digest's canonical encoding must accept exactly what
// decodeHex()/decodeBase64() + a byte comparison accepted, and scanEntries() must read a header
// exactly as parseSignatureHeader() does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { parseSignatureHeader } from '@hookguard/core';
import { HmacCandidates, keyIs, scanEntries } from '../dist/esm/lib/hmac-candidates.js';
import { decodeBase64, decodeHex } from '../dist/esm/lib/compare.js';
import { hmacKey } from '../dist/esm/lib/hmac.js';
import { int, mulberry32, pick } from './lib/prng.js';

const SEED = 0x5eed12;
const body = Buffer.from('{"event":"hookguard.candidates"}');
const secret = Buffer.from('candidates-secret');
const keys = [{ id: 'other', key: hmacKey(Buffer.from('another secret')) }, { id: 'k', key: hmacKey(secret) }];
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';
const CHARS = `${B64}0123456789abcdefABCDEF -_.:\u00e9\u0161\u{1F600}`;

/** The old reading: strict decode, exact size, byte comparison. */
function oldAccepts(encoding: 'hex' | 'base64', algorithm: string, text: string): boolean {
  const digest = createHmac(algorithm, secret).update(body).digest();
  const bytes = encoding === 'hex' ? decodeHex(text) : decodeBase64(text);
  return bytes !== undefined && bytes.length === digest.length && bytes.equals(digest);
}
function oldWellFormed(encoding: 'hex' | 'base64', size: number, text: string): boolean {
  const bytes = encoding === 'hex' ? decodeHex(text) : decodeBase64(text);
  return bytes !== undefined && bytes.length === size;
}

/** Every single-character change of `text` and a few random ones, near misses above all. */
function variants(rnd: () => number, text: string): string[] {
  const out = [text, text.toUpperCase(), `${text}=`, text.slice(0, -1), ` ${text}`, `${text}A`];
  for (let i = 0; i < text.length; i++) {
    out.push(text.slice(0, i) + pick(rnd, [...CHARS]) + text.slice(i + 1));
    out.push(text.slice(0, i) + text.slice(i + 1) + pick(rnd, [...B64]));
  }
  for (let n = 0; n < 50; n++) out.push(Array.from({ length: text.length }, () => pick(rnd, [...CHARS])).join(''));
  return out;
}

describe('HmacCandidates', () => {
  for (const [algorithm, size] of [
    ['sha1', 20],
    ['sha256', 32],
    ['sha384', 48],
    ['sha512', 64],
  ] as const) {
    for (const encoding of ['hex', 'base64'] as const) {
      test(`${encoding} ${algorithm}: accepts and calls well-formed exactly what strict decoding did`, () => {
        const rnd = mulberry32(SEED + size);
        const digest = createHmac(algorithm, secret).update(body).digest();
        const canonical = encoding === 'hex' ? digest.toString('hex') : digest.toString('base64');
        // A canonical spelling of another digest: well-formed, wrong. Base64 with non-zero unused bits too.
        const other = createHmac(algorithm, 'x').update(body).digest();
        const texts = [...variants(rnd, canonical), encoding === 'hex' ? other.toString('hex') : other.toString('base64')];
        if (encoding === 'base64' && size % 3 !== 0) {
          const at = canonical.indexOf('=') - 1;
          texts.push(canonical.slice(0, at) + B64[B64.indexOf(canonical[at]!) ^ 1]! + canonical.slice(at + 1));
        }
        const c = new HmacCandidates(encoding, size, 4);
        let accepted = 0;
        for (const text of texts) {
          c.clear().add(text, 0, text.length);
          const ours = c.count > 0 && c.match(algorithm, keys, undefined, body, undefined) === 'k';
          assert.equal(ours, oldAccepts(encoding, algorithm, text), JSON.stringify(text));
          assert.equal(c.wellFormed, oldWellFormed(encoding, size, text), `well-formed ${JSON.stringify(text)}`);
          if (ours) assert.equal(text, canonical, 'only the canonical spelling');
          if (ours) accepted++;
        }
        assert.ok(accepted >= 1);
        // Inside a longer header, at an offset, beside wrong ones; the last of `max` candidates counts.
        const header = `junk,${texts[7]},${canonical},tail`;
        c.clear().add(header, 5, 5 + texts[7]!.length);
        c.add(header, 6 + texts[7]!.length, 6 + texts[7]!.length + canonical.length);
        assert.equal(c.match(algorithm, keys, undefined, body, undefined), 'k');
        c.clear();
        for (let i = 0; i < 3; i++) c.add(texts[8 + i]!, 0, texts[8 + i]!.length);
        c.add(canonical, 0, canonical.length);
        c.add(canonical, 0, canonical.length); // a fifth: not held
        assert.equal(c.count <= 4, true);
        assert.equal(c.match(algorithm, keys, undefined, body, undefined), c.count === 4 ? 'k' : undefined);
        // Cleared: nothing left over from the last request.
        assert.equal(c.clear().match(algorithm, keys, undefined, body, undefined), undefined);
      });
    }
  }

  test('compared a word at a time only when ASCII: a character whose latin1 byte is right is still wrong', () => {
    for (const encoding of ['hex', 'base64'] as const) {
      const digest = createHmac('sha256', secret).update(body).digest();
      const canonical = encoding === 'hex' ? digest.toString('hex') : digest.toString('base64');
      const c = new HmacCandidates(encoding, 32, 16);
      const other = createHmac('sha256', 'a secret no key here holds').update(body).digest(encoding);
      for (let i = 0; i < canonical.length; i++) {
        // U+0100 above the right character: written as latin1 it would be the right byte.
        const lifted = canonical.slice(0, i) + String.fromCharCode(canonical.charCodeAt(i) + 0x100) + canonical.slice(i + 1);
        c.clear().add(lifted, 0, lifted.length);
        assert.equal(c.match('sha256', keys, undefined, body, undefined), undefined, `lifted at ${i}`);
        // With a second (wrong) candidate, the path that compares several at once: still no match.
        c.clear().add(lifted, 0, lifted.length);
        c.add(other, 0, other.length);
        assert.equal(c.match('sha256', keys, undefined, body, undefined), undefined, `lifted at ${i}, beside a wrong one`);
        // Beside the canonical one, before or after it, at an offset: the canonical one matches.
        c.clear().add(lifted, 0, lifted.length);
        c.add(`,${canonical}`, 1, 1 + canonical.length);
        assert.equal(c.match('sha256', keys, undefined, body, undefined), 'k');
        c.clear().add(canonical, 0, canonical.length);
        c.add(lifted, 0, lifted.length);
        assert.equal(c.match('sha256', keys, undefined, body, undefined), 'k');
      }
      // The most candidates, the canonical one last; then the same without it.
      const wrong = Array.from({ length: 15 }, (_, n) => createHmac('sha256', `w${n}`).update(body).digest(encoding));
      c.clear();
      for (const w of [...wrong, canonical]) c.add(w, 0, w.length);
      assert.equal(c.match('sha256', keys, undefined, body, undefined), 'k');
      c.clear();
      for (const w of wrong) c.add(w, 0, w.length);
      assert.equal(c.match('sha256', keys, undefined, body, undefined), undefined);
      // A match leaves nothing behind for the next request: cleared, nothing matches.
      assert.equal(c.clear().match('sha256', keys, undefined, body, undefined), undefined);
    }
  });

  test('prefix and suffix are signed as latin1 header text; the first matching key wins', () => {
    const digest = createHmac('sha256', secret).update('12:').update(body).update('!').digest('hex');
    const c = new HmacCandidates('hex', 32, 2);
    c.clear().add(digest, 0, 64);
    assert.equal(c.match('sha256', keys, '12:', body, '!'), 'k');
    c.clear().add(digest, 0, 64);
    assert.equal(c.match('sha256', keys, '13:', body, '!'), undefined);
    c.clear().add(digest, 0, 64);
    assert.equal(c.match('sha256', [...keys, { id: 'k2', key: hmacKey(secret) }], '12:', body, '!'), 'k');
  });

  test('match() drops the header strings it held: a second match without clear() and add finds nothing', () => {
    const digest = createHmac('sha256', secret).update(body).digest('hex');
    for (const many of [false, true]) {
      const c = new HmacCandidates('hex', 32, 4);
      c.clear().add(digest, 0, 64);
      if (many) c.add('0'.repeat(64), 0, 64); // two: compared a word at a time
      assert.equal(c.match('sha256', keys, undefined, body, undefined), 'k');
      assert.equal(c.wellFormed, true, 'still readable after match()');
      assert.equal(c.match('sha256', keys, undefined, body, undefined), undefined, 'spent: fails closed');
      c.clear().add(digest, 0, 64);
      assert.equal(c.match('sha256', keys, undefined, body, undefined), 'k');
    }
  });
});

describe('scanEntries reads a header as parseSignatureHeader does', () => {
  const PARTS = ['v1', 'h1', 'ts', 't', 'v0', '=', ',', ';', ' ', '\t', 'ab', '12', '==', 'v1 ', ' v1', 'x=y', '', 'abcdefgh', ',,,', ' = '];
  for (const separator of [',', ';']) {
    test(`separator ${JSON.stringify(separator)}: 3000 random headers`, () => {
      const rnd = mulberry32(SEED ^ separator.charCodeAt(0));
      const out = new Int32Array(4 * 16);
      for (let n = 0; n < 3000; n++) {
        const header = Array.from({ length: int(rnd, 40) }, () => pick(rnd, PARTS)).join('');
        let expected: Array<[string, string]> | 'too many';
        try {
          const e = parseSignatureHeader(header, { separator, max: 16 });
          // Every key the header holds, in order, with all its values.
          const seen = new Set<string>();
          expected = [];
          const order: string[] = [];
          for (const key of header.split(separator).map((p) => p.slice(0, p.indexOf('=')).replace(/^[ \t]+|[ \t]+$/g, ''))) if (key && !seen.has(key)) (seen.add(key), order.push(key));
          for (const key of order) for (const v of e.all(key)) expected.push([key, v]);
          expected.sort();
        } catch {
          expected = 'too many';
        }
        const found = scanEntries(header, separator as ',' | ';', 16, out);
        if (found < 0) {
          assert.equal(expected, 'too many', JSON.stringify(header));
          continue;
        }
        const ours: Array<[string, string]> = [];
        for (let i = 0; i < found; i++) ours.push([header.slice(out[4 * i]!, out[4 * i + 1]!), header.slice(out[4 * i + 2]!, out[4 * i + 3]!)]);
        ours.sort();
        assert.deepEqual(ours, expected, JSON.stringify(header));
        for (let i = 0; i < found; i++) assert.equal(keyIs(header, out[4 * i]!, out[4 * i + 1]!, 'v1'), header.slice(out[4 * i]!, out[4 * i + 1]!) === 'v1');
      }
    });
  }
});
