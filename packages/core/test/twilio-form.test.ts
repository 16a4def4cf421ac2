// twilio() form bodies as lib/twilio-signed.ts decodes them — plain ASCII parts read as they are, escaped
// ones decoded into a reused buffer (a part past 64 KiB into its own) — against twilio-node's
// getExpectedTwilioSignature over the parameters URLSearchParams reads from the same body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import twilioLib from 'twilio';
import { createVerifier, twilio } from '@hookguard/core';
import { rejectsWith } from './helpers.js';
import { int, mulberry32, pick } from './lib/prng.js';

const TOKEN = '0123456789abcdef0123456789abcdef';
const SIGNED_URL = 'https://hooks.example.com/sms?tenant=acme';
const v = createVerifier({ scheme: twilio({ secret: TOKEN, publicUrl: 'https://hooks.example.com' }), replay: false });
const req = (headers: Record<string, string>, body: string) => ({ method: 'POST', url: '/sms?tenant=acme', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: Buffer.from(body) });
const theirs = (body: string) => twilioLib.getExpectedTwilioSignature(TOKEN, SIGNED_URL, Object.fromEntries(new URLSearchParams(body)));

test('form parameters of every shape verify under twilio-node signatures, and a changed one does not', async () => {
  const rnd = mulberry32(0x7411);
  const PIECES = ['a', 'Z', '0', '-', '.', '_', '~', ' ', '+', '&', '=', '%', 'é', '€', '😀', '\u00a0', '\ufeff', 'ü', 'SM0123'];
  const text = (n: number) => Array.from({ length: n }, () => pick(rnd, PIECES)).join('');
  for (let n = 0; n < 300; n++) {
    const params = new URLSearchParams();
    const names = new Set<string>();
    for (let k = 1 + int(rnd, 6); k > 0; k--) {
      const name = `${pick(rnd, ['Body', 'From', 'To', 'Sid', 'Ça', 'x y'])}${int(rnd, 3)}`;
      if (names.has(name)) continue;
      names.add(name);
      params.append(name, text(int(rnd, 12)));
    }
    const body = params.toString();
    const signature = theirs(body);
    const w = await v.verify(req({ 'x-twilio-signature': signature }, body));
    assert.deepEqual({ ...(w.payload as object) }, Object.fromEntries(new URLSearchParams(body)), body);
    // The last value changed: refused.
    await rejectsWith(v.verify(req({ 'x-twilio-signature': signature }, `${body}A`)), 'SIGNATURE_MISMATCH');
  }
});

test('a part longer than the reused buffer (64 KiB), escaped and not, verifies; refusals stay refusals', async () => {
  for (const value of ['x'.repeat(70_000), 'é ✓ '.repeat(20_000), `${'a'.repeat(65_536)}%`, 'b'.repeat(1000)]) {
    const body = new URLSearchParams({ Body: value, From: '+15551234567' }).toString();
    await v.verify(req({ 'x-twilio-signature': theirs(body) }, body));
  }
  // A part that fills the reused buffer and then one that needs more: both decoded whole.
  const long = new URLSearchParams({ A: 'ü'.repeat(30_000), B: 'ü'.repeat(2000) }).toString();
  await v.verify(req({ 'x-twilio-signature': theirs(long) }, long));
  for (const bad of ['Body=%c3%a9', 'Body=%C3', 'Body=%FF', `Body=${'a'.repeat(70_000)}%C3`, 'Body=a%2', 'Body=\u00e9', '?Body=x', '?AccountSid=AC1&Body=hi']) {
    await rejectsWith(v.verify(req({ 'x-twilio-signature': theirs('Body=x') }, bad)), 'MALFORMED_SIGNATURE');
  }
});

test('from 1 to 60 parameters (a short sort, then the native one past 24), in any order: the same order as twilio-node signs', async () => {
  const rnd = mulberry32(0x50f7);
  // Names whose code-unit order differs from code-point order (U+FFFD sorts after 😀's high surrogate),
  // prefixes of each other, and case pairs.
  const STEMS = ['a', 'ab', 'a b', 'A', 'Z', 'z', '\ufffd', '😀', 'é', 'e', 'Body', 'body', '_', '~', '0'];
  for (let count = 1; count <= 60; count++) {
    const names = new Set<string>();
    while (names.size < count) names.add(`${pick(rnd, STEMS)}${pick(rnd, STEMS)}${int(rnd, 4)}`);
    const params = new URLSearchParams();
    for (const name of names) params.append(name, `${pick(rnd, STEMS)}${int(rnd, 100)}`);
    const body = params.toString();
    const w = await v.verify(req({ 'x-twilio-signature': theirs(body) }, body));
    assert.deepEqual({ ...(w.payload as object) }, Object.fromEntries(new URLSearchParams(body)), `${count} parameters`);
  }
});
