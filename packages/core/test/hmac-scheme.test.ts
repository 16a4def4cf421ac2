// HmacKey computes HMAC as two one-shot hashes over precomputed key blocks for small inputs and
// streams through createHmac above 32 KiB. Both paths must equal node:crypto's createHmac for every
// algorithm, key length (shorter than, equal to and longer than the hash block) and body size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { createVerifier, hmac, isWebhookVerificationError } from '@hookguard/core';

const ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const;
const SIZES = [0, 1, 55, 56, 63, 64, 65, 119, 128, 256, 1024, 32 * 1024 - 40, 32 * 1024, 32 * 1024 + 1, 40 * 1024];

function verifierFor(algorithm: (typeof ALGORITHMS)[number], secret: string) {
  return createVerifier({
    scheme: hmac({ header: 'x-sig', algorithm, template: '{id}.{timestamp}.{body}.end', idHeader: 'x-id', timestampHeader: 'x-ts' }),
    tenants: { resolve: () => 't', lookup: () => ({ secrets: [secret] }) },
    replay: false,
    toleranceSec: 1e9,
  });
}

const request = (headers: Record<string, string>, body: Buffer) => ({ method: 'POST', url: '/', headers, body });

test('one-shot and streaming HMAC equal createHmac for every algorithm, key length and body size', async () => {
  for (const algorithm of ALGORITHMS) {
    for (const keyLength of [1, 32, 63, 64, 65, 127, 128, 129, 300]) {
      const secret = randomBytes(keyLength).toString('base64').slice(0, keyLength);
      const v = verifierFor(algorithm, secret);
      for (const size of SIZES) {
        const body = randomBytes(size);
        // Latin-1 header text (Node decodes header bytes as latin1): the bytes signed are those bytes.
        const id = `msg_\u00e9${size}`;
        const ts = String(Math.floor(Date.now() / 1000));
        const sig = createHmac(algorithm, secret).update(Buffer.from(`${id}.${ts}.`, 'latin1')).update(body).update('.end').digest('hex');
        const w = await v.verify(request({ 'x-sig': sig, 'x-id': id, 'x-ts': ts }, body));
        assert.equal(w.scheme, 'hmac', `${algorithm} key ${keyLength} body ${size}`);
        const wrong = createHmac(algorithm, `${secret}x`).update(`${id}.${ts}.`, 'latin1').update(body).update('.end').digest('hex');
        await assert.rejects(v.verify(request({ 'x-sig': wrong, 'x-id': id, 'x-ts': ts }, body)), (e) => isWebhookVerificationError(e) && e.code === 'SIGNATURE_MISMATCH');
      }
    }
  }
});

test('random keys, header text and bodies: the verdict equals createHmac\'s, on both paths', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ALGORITHMS),
      fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim() === s && s.length > 0 && !/^[a-z]+_$/.test(s)),
      // No `.`: the template is `{id}.{timestamp}.{body}.end`, and an id holding it has two readings (refused).
      fc.string({ unit: fc.integer({ min: 0x21, max: 0xff }).filter((c) => c !== 0x2e).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 40 }),
      fc.oneof(fc.uint8Array({ maxLength: 2048 }), fc.integer({ min: 32 * 1024 - 64, max: 33 * 1024 }).map((n) => new Uint8Array(randomBytes(n)))),
      async (algorithm, secret, id, bytes) => {
        const body = Buffer.from(bytes);
        const ts = String(Math.floor(Date.now() / 1000));
        const sig = createHmac(algorithm, secret).update(Buffer.from(`${id}.${ts}.`, 'latin1')).update(body).update('.end').digest('hex');
        const w = await verifierFor(algorithm, secret).verify(request({ 'x-sig': sig, 'x-id': id, 'x-ts': ts }, body));
        assert.equal(w.keyId, 'key-0');
      },
    ),
    { numRuns: 200 },
  );
});

test('template ids with $ patterns are signed as sent: a changed id never verifies under the same signature', async () => {
  const v = verifierFor('sha256', 'dollar-secret');
  const ts = String(Math.floor(Date.now() / 1000));
  const body = Buffer.from('{"a":1}');
  for (const id of ['a$$b', "x$&y", "p$'q", 'm$`n', '$1']) {
    const sig = createHmac('sha256', 'dollar-secret').update(`${id}.${ts}.`).update(body).update('.end').digest('hex');
    const w = await v.verify(request({ 'x-sig': sig, 'x-id': id, 'x-ts': ts }, body));
    assert.equal(w.id, id);
    // What a `$` pattern once expanded to: `$$` -> `$`, `$&` -> the token, `` $` `` / `$'` -> the text
    // around the token, `$1` stays. Each of those ids must fail under this signature.
    for (const other of [id.replace('$$', '$'), id.replace('$&', '{id}'), id.replace("$'", `.${ts}.`), id.replace('$`', ''), `${id}x`]) {
      if (other === id) continue;
      // An id holding the `.` that follows {id} is refused before any HMAC: it could be read two ways.
      const code = other.includes('.') ? 'MALFORMED_SIGNATURE' : 'SIGNATURE_MISMATCH';
      await assert.rejects(v.verify(request({ 'x-sig': sig, 'x-id': other, 'x-ts': ts }, body)), (e) => isWebhookVerificationError(e) && e.code === code);
    }
  }
});

test('one signature, one reading: an id that holds the separator after it is refused, so no re-split verifies', async () => {
  // {id}.{body}: from one captured delivery, moving body bytes into the id used to verify once per `.` in the body.
  const v = createVerifier({ scheme: hmac({ header: 'x-sig', idHeader: 'x-id', template: '{id}.{body}', secret: 'split-secret' }) });
  const body = Buffer.from('{"a":"x.y.z"}');
  const sig = createHmac('sha256', 'split-secret').update('evt_1.').update(body).digest('hex');
  const first = await v.verify(request({ 'x-sig': sig, 'x-id': 'evt_1' }, body));
  assert.equal(first.replayKey, '-:hmac:i:evt_1');
  for (let cut = 1; cut < body.length; cut++) {
    if (body[cut - 1] !== 0x2e) continue;
    const id = `evt_1.${body.subarray(0, cut - 1).toString('latin1')}`;
    await assert.rejects(v.verify(request({ 'x-sig': sig, 'x-id': id }, body.subarray(cut))), (e) => isWebhookVerificationError(e) && e.code === 'MALFORMED_SIGNATURE');
  }
  // After the body, the value may not hold the separator before it: {body}|{id}.
  const after = createVerifier({ scheme: hmac({ header: 'x-sig', idHeader: 'x-id', template: '{body}|{id}', secret: 'split-secret' }), replay: false });
  const sig2 = createHmac('sha256', 'split-secret').update('a|b').update('|c').digest('hex');
  await after.verify(request({ 'x-sig': sig2, 'x-id': 'c' }, Buffer.from('a|b')));
  await assert.rejects(after.verify(request({ 'x-sig': sig2, 'x-id': 'b|c' }, Buffer.from('a'))), (e) => isWebhookVerificationError(e) && e.code === 'MALFORMED_SIGNATURE');
});

test('a {timestamp} written inside the id is not expanded: the id is signed as sent', async () => {
  const v = verifierFor('sha256', 'token-secret');
  const ts = String(Math.floor(Date.now() / 1000));
  const body = Buffer.from('{"a":1}');
  // Signed with the id `evt_1<ts>`; the id `evt_1{timestamp}` once rendered the same text.
  const id = `evt_1${ts}`;
  const sig = createHmac('sha256', 'token-secret').update(`${id}.${ts}.`).update(body).update('.end').digest('hex');
  assert.equal((await v.verify(request({ 'x-sig': sig, 'x-id': id, 'x-ts': ts }, body))).id, id);
  await assert.rejects(v.verify(request({ 'x-sig': sig, 'x-id': 'evt_1{timestamp}', 'x-ts': ts }, body)), (e) => isWebhookVerificationError(e) && e.code === 'SIGNATURE_MISMATCH');
  // A literal `{id}` inside the id is signed as those characters too.
  const literal = 'x{id}y';
  const sig2 = createHmac('sha256', 'token-secret').update(`${literal}.${ts}.`).update(body).update('.end').digest('hex');
  assert.equal((await v.verify(request({ 'x-sig': sig2, 'x-id': literal, 'x-ts': ts }, body))).id, literal);
});
