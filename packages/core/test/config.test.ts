import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createVerifier, github, hmac, standardWebhooks, stripe, apiKey, WebhookConfigError, fromParam, any, all, type Scheme } from '@hookguard/core';

function configError(fn: () => unknown, match: RegExp) {
  assert.throws(fn, (e: unknown) => e instanceof WebhookConfigError && e.code === 'INVALID_CONFIGURATION' && match.test(e.message));
}

test('no secret and no tenants fails at creation', () => {
  configError(() => createVerifier({ scheme: standardWebhooks() }), /no secret/);
  configError(() => createVerifier({ scheme: stripe() }), /no secret/);
});
test('empty secret fails at creation', () => {
  configError(() => createVerifier({ scheme: stripe({ secret: '' }) }), /secret is empty/);
  configError(() => createVerifier({ scheme: github({ secret: '' }) }), /secret is empty/);
  configError(() => standardWebhooks({ secret: [] }), /list of secrets is empty/);
});
test('whsec_ alone fails at creation', () => {
  configError(() => standardWebhooks({ secret: 'whsec_' }), /only the "whsec_" prefix/);
  configError(() => stripe({ secret: 'whsec_' }), /only the "whsec_" prefix/);
});
test('a secret with surrounding whitespace fails at creation', () => {
  configError(() => standardWebhooks({ secret: ' whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }), /whitespace/);
  configError(() => stripe({ secret: 'whsec_abc\n' }), /whitespace/);
  configError(() => github({ secret: 'secret ' }), /whitespace/);
});
test('malformed or short Standard Webhooks secrets fail at creation', () => {
  configError(() => standardWebhooks({ secret: 'whsec_not*base64' }), /base64/);
  configError(() => standardWebhooks({ secret: 'whsec_c2hvcnQ=' }), /at least 16/);
  configError(() => standardWebhooks({ secret: 'whpk_AAAA' }), /32 bytes/);
  configError(() => standardWebhooks({ secret: 'whsk_' + Buffer.alloc(64).toString('base64') }), /whpk_ public key/);
});
test('unknown or missing scheme fails at creation', () => {
  configError(() => createVerifier({} as never), /scheme is required/);
  configError(() => createVerifier({ scheme: { name: 'x' } as unknown as Scheme }), /unknown or missing scheme/);
  configError(() => createVerifier({ scheme: any({} as Scheme) }), /scheme is required/);
});
test('bad options fail at creation', () => {
  const scheme = github({ secret: 's3cret' });
  configError(() => createVerifier({ scheme, toleranceSec: -1 }), /toleranceSec/);
  configError(() => createVerifier({ scheme, maxBodyBytes: 0 }), /maxBodyBytes/);
  configError(() => createVerifier({ scheme, replay: { duplicates: 'maybe' as never } }), /duplicates/);
  configError(() => createVerifier({ scheme: standardWebhooks(), tenants: { resolve: [], lookup: () => undefined } }), /resolve/);
  configError(() => createVerifier({ scheme: standardWebhooks(), tenants: { resolve: fromParam(), lookup: 'db' as never } }), /lookup/);
  configError(() => hmac({ header: 'x-sig', template: '{id}.{body}' }), /idHeader/);
  configError(() => hmac({ header: 'x-sig', template: '{timestamp}' }), /\{body\} exactly once/);
  configError(() => hmac({ header: 'x-sig', template: '{body}{nonce}' }), /unknown template token/);
  configError(() => apiKey({ keys: [{ id: 'a', sha256: 'zz' }] }), /64 hex/);
  configError(() => all(), /at least one/);
});
test('config errors never print the secret', () => {
  assert.throws(
    () => stripe({ secret: 'whsec_topsecretvalue ' }),
    (e: unknown) => e instanceof WebhookConfigError && /whitespace/.test(e.message) && !e.message.includes('topsecretvalue'),
  );
});
