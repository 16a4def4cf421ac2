// The same receiver on Koa 3 with @koa/router.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import Koa from 'koa';
import Router from '@koa/router';
import { verifyWebhook } from '@hookguard/koa';
import { RedisReplayStore } from '@hookguard/redis';
import { accountClaim, all, fromParam, github, mtls, standardWebhooks, type TenantConfig, type VerifiedWebhook } from '@hookguard/core';

// Demo data: in a real app this is your database or secrets manager. A Map, not a plain object:
// `tenants['constructor']` would find Object's own members.
const tenants = new Map<string, TenantConfig>([
  ['acme', { account: 'acct_acme', secrets: [{ id: 'acme-2026', secret: process.env.ACME_SECRET ?? 'whsec_ZGVtby1hY21lLXNlY3JldC0wMTIzNDU2Nzg5YWI=' }] }],
  ['globex', { account: 'acct_globex', secrets: [{ id: 'globex-2026', secret: process.env.GLOBEX_SECRET ?? 'whsec_ZGVtby1nbG9iZXgtc2VjcmV0LTAxMjM0NTY3ODk=' }] }],
]);
const failedOnce = new Set<string>();
// One env var switches replay protection from this process's memory to Redis, shared by every instance.
const replay = process.env.REDIS_URL ? { store: new RedisReplayStore({ url: process.env.REDIS_URL }) } : {};

const app = new Koa();
const router = new Router();

router.post(
  '/webhooks/:tenant',
  verifyWebhook({
    scheme: standardWebhooks(),
    tenants: { resolve: fromParam('tenant'), lookup: async (id) => tenants.get(id) },
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

// Mutual TLS (certificate AND signature), when MTLS_DIR holds a server certificate and the tenants'
// CAs (`npm run demo` makes a throwaway PKI there). Each tenant's certificates must come from its own CA.
const mtlsDir = process.env.MTLS_DIR;
const read = (file: string) => readFileSync(join(mtlsDir!, file), 'utf8');
if (mtlsDir) {
  const revokedSerials = (process.env.MTLS_REVOKED_SERIALS ?? '').split(',').filter(Boolean);
  const withCertificates = (id: string): TenantConfig | undefined => {
    const t = tenants.get(id);
    return t && { ...t, certificates: { ca: read(`${id}-ca.pem`), uris: [`spiffe://webhooks.test/tenant/${id}`], revokedSerials } };
  };
  router.post(
    '/mtls/:tenant',
    verifyWebhook({
      scheme: all(mtls({ ca: read('root.pem') }), standardWebhooks()),
      tenants: { resolve: fromParam('tenant'), lookup: async (id) => withCertificates(id) },
      replay,
      onRejected: (error, request) => console.log(`rejected ${request.url}: ${error.code}`),
    }),
    (ctx) => {
      const webhook = ctx.state.webhook as VerifiedWebhook;
      console.log(`processed ${webhook.id} for ${webhook.tenant} over mTLS (${webhook.peer?.certificate?.subject.split('\n')[0]})`);
      ctx.body = { processed: webhook.id, tenant: webhook.tenant };
    },
  );
}

app.use(router.routes()).use(router.allowedMethods());
if (mtlsDir) {
  // rejectUnauthorized: false lets every handshake finish, so hookguard answers with the precise code.
  const tls = createServer({ key: read('server.key'), cert: read('server.pem'), ca: [read('root.pem')], requestCert: true, rejectUnauthorized: false }, app.callback());
  tls.listen(Number(process.env.MTLS_PORT ?? 3444), '127.0.0.1', () => {
    const address = tls.address();
    console.log(`koa example mtls listening on https://localhost:${typeof address === 'object' && address ? address.port : ''}`);
  });
  process.on('SIGTERM', () => tls.close());
}
const server = app.listen(Number(process.env.PORT ?? 3001), '127.0.0.1', () => {
  const address = server.address();
  console.log(`koa example listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
