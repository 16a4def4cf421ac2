import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as esm from '@hookguard/core';

const require = createRequire(import.meta.url);

test('require() and import of @hookguard/core expose the same API', () => {
  const cjs = require('@hookguard/core') as typeof esm;
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
  assert.equal(typeof cjs.createVerifier, 'function');
  assert.ok(require.resolve('@hookguard/core').includes('/dist/cjs/'));
});

test('isWebhookVerificationError recognises an error from another copy of the package', () => {
  const cjs = require('@hookguard/core') as typeof esm;
  const foreign = new cjs.WebhookVerificationError('SIGNATURE_MISMATCH');
  assert.equal(foreign instanceof esm.WebhookVerificationError, false, 'two copies: instanceof fails');
  assert.equal(esm.isWebhookVerificationError(foreign), true);
  assert.equal(esm.isWebhookVerificationError({ code: 'SIGNATURE_MISMATCH' }), false);
  assert.equal(esm.isWebhookVerificationError({ isWebhookVerificationError: true, code: 'NOPE', status: 1 }), false);
});

test('every code has a status and a problem with the same status', () => {
  for (const code of esm.WEBHOOK_ERROR_CODES) {
    const e = new esm.WebhookVerificationError(code, { detail: 'x' });
    const p = esm.toProblem(e);
    assert.equal(p.status, esm.WEBHOOK_ERROR_STATUS[code]);
    assert.equal(p.code, code);
    assert.match(p.type, /^urn:hookguard:problem:[a-z-]+$/);
    assert.equal(esm.isAcknowledgement(e), code === 'DUPLICATE', `${code}: only a duplicate is acknowledged`);
    const res = esm.rejectionResponse(e);
    assert.equal(res.status, code === 'DUPLICATE' ? 200 : esm.WEBHOOK_ERROR_STATUS[code]);
    assert.match(res.headers['content-type']!, code === 'DUPLICATE' ? /^application\/json/ : /^application\/problem\+json/);
  }
});
