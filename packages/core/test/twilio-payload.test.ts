// twilio(): a form delivery's payload is the record the scheme built while reading the signed
// parameters (SchemeVerdict.formFields), not a second parse of the body. It must be exactly what
// parsePayload() makes of the body with URLSearchParams (null prototype, key order, a repeated name's
// values in body order), for every form the scheme accepts; other content types parse as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import twilioLib from 'twilio';
import { all, createVerifier, twilio, type WebhookRequest } from '@hookguard/core';
import { parsePayload } from '../dist/esm/lib/payload.js';
import { rejectsWith } from './helpers.js';
import { int, mulberry32, pick } from './lib/prng.js';

const TOKEN = '0123456789abcdef0123456789abcdef';
const SIGNED_URL = 'https://hooks.example.com/sms?tenant=acme';
const FORM = 'application/x-www-form-urlencoded';
const v = createVerifier({ scheme: twilio({ secret: TOKEN, publicUrl: 'https://hooks.example.com' }), replay: false });

/** The parameters as twilio-node takes them: a repeated name as an array (no prototype: `__proto__` is a name). */
function grouped(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, x] of new URLSearchParams(body)) {
    const prev = out[k];
    out[k] = prev === undefined ? x : Array.isArray(prev) ? [...prev, x] : [prev, x];
  }
  return out;
}
const signature = (body: string) => twilioLib.getExpectedTwilioSignature(TOKEN, SIGNED_URL, grouped(body));
const req = (body: string, contentType: string | undefined, sig = signature(body)): WebhookRequest => ({
  method: 'POST',
  url: '/sms?tenant=acme',
  headers: { 'x-twilio-signature': sig, ...(contentType === undefined ? {} : { 'content-type': contentType }) },
  body: Buffer.from(body),
});

/** The payload as the verifier gave it before formFields: parsePayload over the raw body. */
function sameAsParsed(payload: unknown, body: string, contentType: string | undefined) {
  const expected = parsePayload(Buffer.from(body), contentType);
  assert.deepStrictEqual(payload, expected, body); // prototypes compared too
  if (typeof expected === 'object' && !Buffer.isBuffer(expected)) {
    assert.equal(Object.getPrototypeOf(payload), null);
    assert.deepEqual(Object.keys(payload as object), Object.keys(expected as object), `key order of ${body}`);
  }
}

const FORMS = [
  // repeated names (values in body order, unsorted), percent-encoded and `+` names, names that are
  // integers (ordered first by any object), __proto__, an `=` inside a value, empty values, a BOM
  'MediaUrl=https%3A%2F%2Fm%2F2&Body=hi&MediaUrl=https%3A%2F%2Fm%2F1&MediaUrl=https%3A%2F%2Fm%2F0',
  '%C3%87a+va=%E2%9C%93&x+y=1&x%20y=2&%2B=%2B&caf%C3%A9=%F0%9F%98%80',
  '10=a&2=b&__proto__=x&constructor=y&toString=z&2=c',
  'a==b=&Empty=&Empty=x&%EF%BB%BFbom=%EF%BB%BF&nul=%00',
];

test('form payloads: the same record as parsing the body, duplicate keys and encoded names included', async () => {
  for (const body of FORMS) {
    const w = await v.verify(req(body, FORM));
    assert.equal(w.keyId, 'key-0');
    sameAsParsed(w.payload, body, FORM);
    assert.equal(w.payload, w.payload, 'one record, read once');
    // parse: true reads it during verify: the same record.
    sameAsParsed((await v.verify(req(body, FORM), { parse: true })).payload, body, FORM);
    // Inside all(): carried through.
    const both = createVerifier({ scheme: all(twilio({ secret: TOKEN, publicUrl: 'https://hooks.example.com' })), replay: false });
    sameAsParsed((await both.verify(req(body, FORM))).payload, body, FORM);
  }
});

test('other content types parse the body as before (the fields are for forms only)', async () => {
  for (const body of FORMS) {
    for (const type of ['text/plain; charset=utf-8', undefined, 'application/octet-stream', `${FORM}; charset=utf-8`, 'Application/X-WWW-Form-Urlencoded']) {
      sameAsParsed((await v.verify(req(body, type))).payload, body, type);
    }
    // Signed as a form, sent as JSON: not JSON, as before.
    await rejectsWith(
      v.verify(req(body, 'application/json')).then((w) => w.payload),
      'MALFORMED_PAYLOAD',
    );
  }
  // No body, no form: the empty record parsePayload makes.
  sameAsParsed((await v.verify(req('', FORM))).payload, '', FORM);
});

test('refusals are unchanged: a pair sent twice, a stray &, lower-case escapes, too many parameters', async () => {
  for (const bad of ['a=1&a=1', 'a=1&b=2&a=1', 'a=1&&b=2', 'a', 'Body=%c3%a9', Array.from({ length: 1001 }, (_, i) => `p${i}=1`).join('&')]) {
    await rejectsWith(v.verify(req(bad, FORM, signature('a=1'))), 'MALFORMED_SIGNATURE');
  }
  // A wrong signature over a well-formed form: a mismatch, no payload.
  await rejectsWith(v.verify(req(FORMS[0]!, FORM, signature('Body=other'))), 'SIGNATURE_MISMATCH');
});

test('random forms with repeated names: payload and verdict as parsing the body gives them', async () => {
  const rnd = mulberry32(0x7412);
  const PIECES = ['a', 'Z', '0', '-', '.', '_', '~', ' ', '+', '&', '=', '%', 'é', '€', '😀', '\ufeff', 'ü', '1'];
  const text = (n: number) => Array.from({ length: n }, () => pick(rnd, PIECES)).join('');
  for (let n = 0; n < 300; n++) {
    const params = new URLSearchParams();
    const seen = new Set<string>();
    for (let k = 1 + int(rnd, 8); k > 0; k--) {
      const name = pick(rnd, ['Body', 'MediaUrl', '1', '__proto__', 'Ça', 'x y', text(3)]);
      const value = text(int(rnd, 6));
      // A repeated name=value pair is refused (twilio-node signs it once): covered above.
      if (seen.has(`${name}\u0000${value}`)) continue;
      seen.add(`${name}\u0000${value}`);
      params.append(name, value);
    }
    const body = params.toString();
    const w = await v.verify(req(body, FORM));
    assert.equal(w.keyId, 'key-0', body);
    sameAsParsed(w.payload, body, FORM);
  }
});

test("a form payload is built from the fields the scheme read, not parsed again (a map that differs from the body wins)", () => {
  // The scheme's fields, not a parse of these bytes: proves the hand-over is used at all.
  const fields = new Map([['From', ['+15550001111']], ['Body', ['a', 'b']]]);
  const payload = parsePayload(Buffer.from('Other=1'), FORM, fields) as Record<string, unknown>;
  assert.deepEqual({ ...payload }, { From: '+15550001111', Body: ['a', 'b'] });
  assert.equal(Object.getPrototypeOf(payload), null);
  // Any other content type ignores the fields.
  assert.deepEqual(parsePayload(Buffer.from('{"a":1}'), 'application/json', fields), { a: 1 });
});
