// The same receiver on Fastify 5, with @hookguard/fastify's route options.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { verifyWebhook } from '@hookguard/fastify';
import { RedisReplayStore } from '@hookguard/redis';
import { accountClaim, all, createVerifier, fromParam, github, mtls, standardWebhooks, type TenantConfig } from '@hookguard/core';

// Demo data: in a real app this is your database or secrets manager. A Map, not a plain object:
// `tenants['constructor']` would find Object's own members.
const tenants = new Map<string, TenantConfig>([
  ['acme', { account: 'acct_acme', secrets: [{ id: 'acme-2026', secret: process.env.ACME_SECRET ?? 'whsec_ZGVtby1hY21lLXNlY3JldC0wMTIzNDU2Nzg5YWI=' }] }],
  ['globex', { account: 'acct_globex', secrets: [{ id: 'globex-2026', secret: process.env.GLOBEX_SECRET ?? 'whsec_ZGVtby1nbG9iZXgtc2VjcmV0LTAxMjM0NTY3ODk=' }] }],
]);
const failedOnce = new Set<string>();
// One env var switches replay protection from this process's memory to Redis, shared by every instance.
const replay = process.env.REDIS_URL ? { store: new RedisReplayStore({ url: process.env.REDIS_URL }) } : {};
const onRejected = (error: { code: string }, request: { url: string }) => console.log(`rejected ${request.url}: ${error.code}`);

// Built once and shared by both servers (HTTP and, with MTLS_DIR, HTTPS): one tenant cache, one replay store.
const tenantVerifier = createVerifier({
  scheme: standardWebhooks(),
  tenants: { resolve: fromParam('tenant'), lookup: async (id) => tenants.get(id) },
  claims: accountClaim('account'),
  maxBodyBytes: 256 * 1024,
  replay,
  onRejected,
});
const githubVerifier = createVerifier({ scheme: github({ secret: process.env.GITHUB_WEBHOOK_SECRET ?? 'demo-github-secret' }), replay });

// Mutual TLS (certificate AND signature), when MTLS_DIR holds a server certificate and the tenants'
// CAs (`npm run demo` makes a throwaway PKI there). Each tenant's certificates must come from its own CA.
const mtlsDir = process.env.MTLS_DIR;
const read = (file: string) => readFileSync(join(mtlsDir!, file), 'utf8');
const revokedSerials = (process.env.MTLS_REVOKED_SERIALS ?? '').split(',').filter(Boolean);
const mtlsVerifier = mtlsDir
  ? createVerifier({
      scheme: all(mtls({ ca: read('root.pem') }), standardWebhooks()),
      tenants: {
        resolve: fromParam('tenant'),
        lookup: async (id) => {
          const t = tenants.get(id);
          return t && { ...t, certificates: { ca: read(`${id}-ca.pem`), uris: [`spiffe://webhooks.test/tenant/${id}`], revokedSerials } };
        },
      },
      replay,
      onRejected,
    })
  : undefined;

function routes(app: FastifyInstance): FastifyInstance {
  // The handler goes into verifyWebhook: hookguard settles the replay key only once it has returned.
  app.post('/webhooks/:tenant', verifyWebhook({ verifier: tenantVerifier }, async (request, reply) => {
    const webhook = request.webhook!;
    const payload = request.body as { type?: string; simulate?: string };
    // Simulate a transient failure once, to show that the sender's retry is processed.
    if (payload.simulate === 'failure' && !failedOnce.has(webhook.id!)) {
      failedOnce.add(webhook.id!);
      return reply.code(500).send({ error: 'temporary failure' });
    }
    console.log(`processed ${webhook.id} for ${webhook.tenant} (${payload.type}) with key ${webhook.keyId}`);
    return { processed: webhook.id, tenant: webhook.tenant };
  }));
  app.post('/github', verifyWebhook({ verifier: githubVerifier }, async (request) => {
    console.log(`github ${String(request.headers['x-github-event'])} delivery ${request.webhook!.id}`);
    return { processed: request.webhook!.id };
  }));
  if (mtlsVerifier)
    app.post('/mtls/:tenant', verifyWebhook({ verifier: mtlsVerifier }, async (request) => {
      const webhook = request.webhook!;
      console.log(`processed ${webhook.id} for ${webhook.tenant} over mTLS (${webhook.peer?.certificate?.subject.split('\n')[0]})`);
      return { processed: webhook.id, tenant: webhook.tenant };
    }));
  return app;
}

const http = routes(Fastify());
await http.listen({ port: Number(process.env.PORT ?? 3003), host: '127.0.0.1' });
const address = http.server.address();
console.log(`fastify example listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}`);
const servers = [http];
if (mtlsDir) {
  // rejectUnauthorized: false lets every handshake finish, so hookguard answers with the precise code.
  const https = routes(Fastify({ https: { key: read('server.key'), cert: read('server.pem'), ca: [read('root.pem')], requestCert: true, rejectUnauthorized: false } }));
  await https.listen({ port: Number(process.env.MTLS_PORT ?? 3445), host: '127.0.0.1' });
  const tlsAddress = https.server.address();
  console.log(`fastify example mtls listening on https://localhost:${typeof tlsAddress === 'object' && tlsAddress ? tlsAddress.port : ''}`);
  servers.push(https);
}
process.on('SIGTERM', () => void Promise.all(servers.map((s) => s.close())).then(() => process.exit(0)));
