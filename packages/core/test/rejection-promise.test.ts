// verify()'s rejection of a request refused synchronously (no tenant load, no claim, no store wait)
// settles a microtask after it is returned, so Node never tracks it as possibly unhandled when the
// caller attaches its handler at once (a cost every request of a flood paid). It must still be the
// same rejection: the same error, onRejected called before it settles, and reported as unhandled
// when nobody handles it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createVerifier, docusign, isWebhookVerificationError, sign, type WebhookVerificationError } from '@hookguard/core';

const SECRET = 'docusign-connect-key';
const body = Buffer.from('{"event":"envelope-completed"}');
const stuffed = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`x-docusign-signature-${i + 1}`, Buffer.alloc(32, i + 1).toString('base64')]));

test('a synchronous refusal: a rejected promise with the error onRejected saw, handled by await or then', async () => {
  const seen: WebhookVerificationError[] = [];
  const v = createVerifier({ scheme: docusign({ secret: SECRET }), replay: false, onRejected: (e) => seen.push(e) });
  const p = v.verify({ method: 'POST', url: '/', headers: stuffed, body });
  assert.ok(p instanceof Promise);
  assert.equal(seen.length, 1, 'onRejected ran before verify() returned');
  const error = await p.then(
    () => assert.fail('accepted'),
    (e: unknown) => e,
  );
  assert.ok(isWebhookVerificationError(error));
  assert.equal(error.code, 'SIGNATURE_MISMATCH');
  assert.equal(error, seen[0]);
  // The same delivery, signed: accepted, and a 17th header: MALFORMED_SIGNATURE, as before.
  const signed = sign.docusign({ secret: SECRET, body });
  assert.equal((await v.verify({ method: 'POST', url: '/', headers: signed, body })).keyId, 'key-0');
  await assert.rejects(v.verify({ method: 'POST', url: '/', headers: { ...stuffed, 'x-docusign-signature-17': signed['x-docusign-signature-1']! }, body }), { code: 'MALFORMED_SIGNATURE' });
});

test('a refusal nobody handles is still an unhandled rejection', () => {
  const core = new URL('../dist/esm/index.js', import.meta.url).href;
  const script = `
    import { createVerifier, docusign } from ${JSON.stringify(core)};
    const v = createVerifier({ scheme: docusign({ secret: 'k' }), replay: false });
    process.on('unhandledRejection', (e) => { console.log('unhandled ' + e.code); process.exit(3); });
    v.verify({ method: 'POST', url: '/', headers: { 'x-docusign-signature-1': Buffer.alloc(32).toString('base64') }, body: Buffer.from('x') });
    setTimeout(() => { console.log('not reported'); process.exit(0); }, 200);
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)), timeout: 10_000 });
  assert.equal(r.stdout.trim(), 'unhandled SIGNATURE_MISMATCH', r.stderr);
  assert.equal(r.status, 3);
});
