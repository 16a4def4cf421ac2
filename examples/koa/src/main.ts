// The same receiver on Koa 3 with @koa/router.
import Koa from 'koa';
import Router from '@koa/router';
import { verifyWebhook } from '@hookguard/koa';
import { RedisReplayStore } from '@hookguard/redis';
import { accountClaim, fromParam, github, standardWebhooks, type TenantConfig, type VerifiedWebhook } from '@hookguard/core';

// Demo data: in a real app this is your database or secrets manager.
const tenants: Record<string, TenantConfig> = {
  acme: { account: 'acct_acme', secrets: [{ id: 'acme-2026', secret: process.env.ACME_SECRET ?? 'whsec_ZGVtby1hY21lLXNlY3JldC0wMTIzNDU2Nzg5YWI=' }] },
  globex: { account: 'acct_globex', secrets: [{ id: 'globex-2026', secret: process.env.GLOBEX_SECRET ?? 'whsec_ZGVtby1nbG9iZXgtc2VjcmV0LTAxMjM0NTY3ODk=' }] },
};
const failedOnce = new Set<string>();
// One env var switches replay protection from this process's memory to Redis, shared by every instance.
const replay = process.env.REDIS_URL ? { store: new RedisReplayStore({ url: process.env.REDIS_URL }) } : {};

const app = new Koa();
const router = new Router();

router.post(
  '/webhooks/:tenant',
  verifyWebhook({
    scheme: standardWebhooks(),
    tenants: { resolve: fromParam('tenant'), lookup: async (id) => tenants[id] },
    claims: accountClaim('account'),
    maxBodyBytes: 256 * 1024,
    replay,
    onRejected: (error, request) => console.log(`rejected ${request.url}: ${error.code}`),
  }),
  (ctx) => {
    const webhook = ctx.state.webhook as VerifiedWebhook;
    const payload = ctx.request.body as { type?: string; simulate?: string };
    // Simulate a transient failure once, to show that the sender's retry is processed.
    if (payload.simulate === 'failure' && !failedOnce.has(webhook.id!)) {
      failedOnce.add(webhook.id!);
      ctx.status = 500;
      ctx.body = { error: 'temporary failure' };
      return;
    }
    console.log(`processed ${webhook.id} for ${webhook.tenant} (${payload.type}) with key ${webhook.keyId}`);
    ctx.body = { processed: webhook.id, tenant: webhook.tenant };
  },
);

router.post('/github', verifyWebhook({ scheme: github({ secret: process.env.GITHUB_WEBHOOK_SECRET ?? 'demo-github-secret' }), replay }), (ctx) => {
  const webhook = ctx.state.webhook as VerifiedWebhook;
  console.log(`github ${ctx.get('x-github-event')} delivery ${webhook.id}`);
  ctx.body = { processed: webhook.id };
});

app.use(router.routes()).use(router.allowedMethods());
const server = app.listen(Number(process.env.PORT ?? 3001), '127.0.0.1', () => {
  const address = server.address();
  console.log(`koa example listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
