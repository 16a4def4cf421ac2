import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, ForbiddenException, HttpCode, Injectable, Module, Post, type ExecutionContext } from '@nestjs/common';
import { fromParam, sign, standardWebhooks, type Verifier, type WebhookRequest, type WebhookVerificationError } from '@hookguard/core';
import { VerifiedWebhook, WebhookGuard, WebhookModule, WebhookTenant, type WebhookHttpRequest } from '@hookguard/nestjs';
import { isProblem, newSecret, post, type Reply, serveDuringFile } from './helpers.js';

const SECRETS: Record<string, string> = { acme: newSecret(), globex: newSecret() };
const rejected: string[] = [];

/**
 * The tenant comes from a header set by the API gateway (x-tenant), not from the path; rejections are
 * counted, and a claim mismatch is answered with the app's own 403.
 */
@Injectable()
class GatewayWebhookGuard extends WebhookGuard {
  protected override async toWebhookRequest(req: WebhookHttpRequest, verifier: Verifier): Promise<WebhookRequest> {
    const request = await super.toWebhookRequest(req, verifier);
    const tenant = req.headers['x-tenant'];
    return { ...request, params: { ...request.params, tenant: typeof tenant === 'string' ? tenant : undefined } };
  }

  protected override async onRejected(error: WebhookVerificationError, context: ExecutionContext): Promise<void> {
    rejected.push(`${context.getHandler().name}:${error.code}`);
    if (error.code === 'UNKNOWN_TENANT') throw new ForbiddenException('no such customer');
    return super.onRejected(error, context);
  }
}

@Controller('gw')
class GatewayController {
  @Post()
  @HttpCode(200)
  @VerifiedWebhook({ guard: GatewayWebhookGuard })
  receive(@WebhookTenant() tenant: string) {
    return { tenant };
  }
}

@Module({
  imports: [
    WebhookModule.forRoot({
      scheme: standardWebhooks(),
      tenants: { resolve: fromParam('tenant'), lookup: (id) => (SECRETS[id] ? { secrets: [SECRETS[id]] } : undefined) },
    }),
  ],
  controllers: [GatewayController],
})
class AppModule {}

const running = serveDuringFile(AppModule);

function send(tenant: string | undefined, secret: string, id?: string): Promise<Reply> {
  const body = JSON.stringify({ type: 'ping' });
  const headers: Record<string, string> = { 'content-type': 'application/json', ...sign.standardWebhooks({ secret, body, ...(id ? { id } : {}) }) };
  if (tenant) headers['x-tenant'] = tenant;
  return post(`${running.url}/gw`, body, headers);
}

test('an overridden toWebhookRequest feeds the tenant from a header', async () => {
  const r = await send('globex', SECRETS['globex']!);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { tenant: 'globex' });
});

test('an overridden onRejected sees every rejection and keeps the problem response by calling super', async () => {
  const r = await send('acme', SECRETS['globex']!);
  assert.equal(r.status, 401);
  assert.ok(isProblem(r));
  assert.equal(r.json['code'], 'SIGNATURE_MISMATCH');
  assert.equal(rejected.at(-1), 'receive:SIGNATURE_MISMATCH');
});

test('an overridden onRejected may answer with an exception of its own', async () => {
  const r = await send('initech', SECRETS['acme']!);
  assert.equal(r.status, 403);
  assert.equal(r.json['message'], 'no such customer');
  assert.equal(r.json['code'], undefined);
  assert.equal(rejected.at(-1), 'receive:UNKNOWN_TENANT');
});

test('the subclass still settles: a duplicate is acknowledged', async () => {
  assert.equal((await send('acme', SECRETS['acme']!, 'msg_sub_1')).status, 200);
  const dup = await send('acme', SECRETS['acme']!, 'msg_sub_1');
  assert.equal(dup.status, 200);
  assert.deepEqual(dup.json, { received: true, duplicate: true });
  assert.equal(rejected.at(-1), 'receive:DUPLICATE');
});
