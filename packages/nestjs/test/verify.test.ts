import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { accountClaim, fromParam, sign, standardWebhooks, type VerifiedWebhook } from '@hookguard/core';
import { VerifiedWebhook as Verified, Webhook, WebhookCertificate, WebhookModule, WebhookPayload, WebhookTenant } from '@hookguard/nestjs';
import { deliver, isProblem, newSecret, post, serveDuringFile } from './helpers.js';

const ACME = newSecret();
const GLOBEX = newSecret();
const tenants: Record<string, { secrets: string[]; account: string }> = {
  acme: { secrets: [ACME], account: 'acct_acme' },
  globex: { secrets: [GLOBEX], account: 'acct_globex' },
};
const seen: Array<{ payload: unknown; tenant: unknown; body: unknown; id: unknown; cert: unknown; config: unknown }> = [];

@Controller('hooks')
class HooksController {
  @Post(':tenant')
  @HttpCode(200)
  @Verified()
  receive(
    @WebhookPayload() payload: unknown,
    @WebhookTenant() tenant: string,
    @WebhookTenant('config') config: unknown,
    @Body() body: unknown,
    @Webhook() webhook: VerifiedWebhook,
    @WebhookCertificate() cert: unknown,
  ) {
    seen.push({ payload, tenant, body, id: webhook.id, cert, config });
    return { ok: true, tenant, type: (payload as { type?: string }).type };
  }
}

@Module({
  imports: [
    WebhookModule.forRoot({
      scheme: standardWebhooks(),
      maxBodyBytes: 4096,
      tenants: {
        resolve: fromParam('tenant'),
        lookup: async (id) => {
          await tick();
          if (id === 'broken') throw new Error('database down');
          return tenants[id];
        },
      },
      claims: accountClaim('account'),
    }),
  ],
  controllers: [HooksController],
})
class AppModule {}

const running = serveDuringFile(AppModule);

const event = (extra: Record<string, unknown> = {}) => ({ type: 'invoice.paid', account: 'acct_acme', ...extra });

test('a valid delivery reaches the handler with @WebhookPayload(), @WebhookTenant() and req.body', async () => {
  const before = seen.length;
  const r = await deliver(`${running.url}/hooks/acme`, ACME, event(), { id: 'msg_valid_1' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { ok: true, tenant: 'acme', type: 'invoice.paid' });
  assert.equal(seen.length, before + 1);
  const got = seen.at(-1)!;
  assert.deepEqual(got.payload, event());
  assert.equal(got.tenant, 'acme');
  assert.deepEqual(got.body, event());
  assert.equal(got.id, 'msg_valid_1');
  assert.equal((got.config as { account: string }).account, 'acct_acme');
  // Plain HTTP: no client certificate.
  assert.equal(got.cert, undefined);
});

test('missing signature: 401 MISSING_SIGNATURE as application/problem+json', async () => {
  const r = await post(`${running.url}/hooks/acme`, JSON.stringify(event()), { 'content-type': 'application/json' });
  assert.equal(r.status, 401);
  assert.ok(isProblem(r), r.contentType);
  assert.equal(r.json['code'], 'MISSING_SIGNATURE');
  assert.equal(r.json['status'], 401);
  assert.equal(r.json['type'], 'urn:hookguard:problem:missing-signature');
});

test('malformed signature: 401 MALFORMED_SIGNATURE', async () => {
  const body = JSON.stringify(event());
  const r = await post(`${running.url}/hooks/acme`, body, {
    'content-type': 'application/json',
    'webhook-id': 'msg_malformed',
    'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
    'webhook-signature': 'not a signature',
  });
  assert.equal(r.status, 401);
  assert.ok(isProblem(r));
  assert.equal(r.json['code'], 'MALFORMED_SIGNATURE');
});

test('signature with another tenant secret: 401 SIGNATURE_MISMATCH, handler not run', async () => {
  const before = seen.length;
  const r = await deliver(`${running.url}/hooks/acme`, GLOBEX, event());
  assert.equal(r.status, 401);
  assert.ok(isProblem(r));
  assert.equal(r.json['code'], 'SIGNATURE_MISMATCH');
  assert.equal(seen.length, before);
});

test('stale and future timestamps: 401 TIMESTAMP_OUT_OF_TOLERANCE', async () => {
  const now = Math.floor(Date.now() / 1000);
  for (const timestamp of [now - 3600, now + 3600]) {
    const r = await deliver(`${running.url}/hooks/acme`, ACME, event(), { timestamp });
    assert.equal(r.status, 401);
    assert.ok(isProblem(r));
    assert.equal(r.json['code'], 'TIMESTAMP_OUT_OF_TOLERANCE');
  }
});

test('tenant from the route: unknown 404 UNKNOWN_TENANT; lookup that throws 503 TENANT_LOOKUP_FAILED', async () => {
  const unknown = await deliver(`${running.url}/hooks/initech`, ACME, event());
  assert.equal(unknown.status, 404);
  assert.ok(isProblem(unknown));
  assert.equal(unknown.json['code'], 'UNKNOWN_TENANT');

  const broken = await deliver(`${running.url}/hooks/broken`, ACME, event());
  assert.equal(broken.status, 503);
  assert.ok(isProblem(broken));
  assert.equal(broken.json['code'], 'TENANT_LOOKUP_FAILED');
  assert.equal(broken.headers.get('retry-after'), '10');
  assert.doesNotMatch(broken.text, /database down/);
});

test("another tenant's event, correctly signed for this tenant: 403 CLAIM_MISMATCH", async () => {
  const r = await deliver(`${running.url}/hooks/acme`, ACME, event({ account: 'acct_globex' }));
  assert.equal(r.status, 403);
  assert.ok(isProblem(r));
  assert.equal(r.json['code'], 'CLAIM_MISMATCH');
});

test('body over maxBodyBytes (and under Nest\'s 100kb parser limit): 413 BODY_TOO_LARGE', async () => {
  const r = await deliver(`${running.url}/hooks/acme`, ACME, event({ padding: 'x'.repeat(8000) }));
  assert.equal(r.status, 413);
  assert.ok(isProblem(r));
  assert.equal(r.json['code'], 'BODY_TOO_LARGE');
});

test('the problem detail never carries the secret or the expected signature', async () => {
  const body = JSON.stringify(event());
  const at = { id: 'msg_leak_check', timestamp: Math.floor(Date.now() / 1000) };
  const r = await deliver(`${running.url}/hooks/acme`, GLOBEX, undefined, { ...at, raw: body });
  assert.equal(r.json['code'], 'SIGNATURE_MISMATCH');
  // What acme's secret would have signed for these exact bytes: the signature the sender lacked.
  const expected = sign.standardWebhooks({ secret: ACME, body, ...at })['webhook-signature']!.slice('v1,'.length);
  for (const secretOrSignature of [ACME.slice(6), GLOBEX.slice(6), expected, Buffer.from(expected, 'base64').toString('hex')])
    assert.ok(!r.text.includes(secretOrSignature));
});
