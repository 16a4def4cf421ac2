// standardWebhooks() reads the v1 entries of webhook-signature as text, compared with the canonical
// base64 of each key's HMAC (lib/hmac-candidates.ts), not decoded one by one. These pin what that
// must keep: which spellings count, where a valid entry may sit, several keys, and v1a beside v1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { createVerifier, sign, standardWebhooks } from '@hookguard/core';
import { rejectsWith, request, SECRET } from './helpers.js';

const OTHER = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const body = '{"type":"invoice.paid"}';
const signed = (secret = SECRET) => sign.standardWebhooks({ secret, id: 'msg_entries', body });
const v1Of = (secret = SECRET) => signed(secret)['webhook-signature']!.slice(3); // "v1,<base64>"
const verifier = (secret: string | string[] = SECRET) => createVerifier({ scheme: standardWebhooks({ secret }), replay: false });
const deliver = (signature: string, secret: string | string[] = SECRET) => verifier(secret).verify(request({ ...signed(), 'webhook-signature': signature }, body));

/** The same 32 bytes with the unused low bits of the last base64 character set: strict decoding refuses it. */
function nonCanonical(b64: string): string {
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const i = b64.length - 2; // 44 characters, one '=': the last data character carries 2 unused bits
  return b64.slice(0, i) + ALPHABET[ALPHABET.indexOf(b64[i]!) | 0x01]! + b64.slice(i + 1);
}

test('the valid v1 entry verifies wherever it sits among 16 (first, middle, last), under either of two keys', async () => {
  const wrong = Array.from({ length: 15 }, (_, i) => `v1,${Buffer.alloc(32, i + 1).toString('base64')}`);
  for (const at of [0, 7, 15]) {
    const entries = [...wrong];
    entries.splice(at, 0, `v1,${v1Of()}`);
    const w = await deliver(entries.join(' '), [OTHER, SECRET]);
    assert.equal(w.keyId, 'key-1', `valid entry at ${at}`);
  }
  // 17 entries: refused before any HMAC, as always.
  await rejectsWith(deliver([...wrong, `v1,${v1Of()}`, `v1,${v1Of()}`].join(' ')), 'MALFORMED_SIGNATURE');
});

test('only the canonical spelling counts: other padding bits, no padding, or another length are not v1 signatures', async () => {
  const good = v1Of();
  assert.equal(nonCanonical(good).length, 44);
  assert.notEqual(nonCanonical(good), good);
  assert.deepEqual(Buffer.from(nonCanonical(good), 'base64'), Buffer.from(good, 'base64'), 'the same bytes, spelled another way');
  for (const spelling of [nonCanonical(good), good.replace(/=$/, ''), `${good}=`, `${good.slice(0, 40)}====`, good.replace(/^./, '-')])
    await rejectsWith(deliver(`v1,${spelling}`), 'MALFORMED_SIGNATURE');
  // Beside the canonical one, a non-canonical copy changes nothing; a well-formed wrong one alone is a mismatch.
  assert.equal((await deliver(`v1,${nonCanonical(good)} v1,${good}`)).keyId, 'key-0');
  await rejectsWith(deliver(`v1,${v1Of(OTHER)}`), 'SIGNATURE_MISMATCH');
});

test("the vendor's signer, and v1a beside a v1 of another key", async () => {
  const wh = new Webhook(SECRET);
  const ts = new Date();
  const theirs = wh.sign('msg_entries', ts, body);
  const headers = { 'webhook-id': 'msg_entries', 'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)), 'webhook-signature': theirs };
  assert.equal((await verifier().verify(request(headers, body))).keyId, 'key-0');

  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const whpk = `whpk_${publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64')}`;
  const whsk = `whsk_${Buffer.concat([privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16), publicKey.export({ format: 'der', type: 'spki' }).subarray(12)]).toString('base64')}`;
  const ed = sign.standardWebhooks({ secret: whsk, id: 'msg_entries', body })['webhook-signature'];
  const w = await createVerifier({ scheme: standardWebhooks({ secret: [SECRET, whpk] }), replay: false }).verify(
    request({ ...sign.standardWebhooks({ secret: whsk, id: 'msg_entries', body }), 'webhook-signature': `v1,${v1Of(OTHER)} ${ed}` }, body),
  );
  assert.equal(w.keyId, 'key-1', 'the Ed25519 key matched; the HMAC key saw only a wrong v1');
});
