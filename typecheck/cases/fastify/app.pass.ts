import Fastify from 'fastify';
import { hookguard, verifyWebhook, type WebhookRouteOptions } from '@hookguard/fastify';
import { createVerifier, github, type TenantConfig, type VerifiedWebhook } from '@hookguard/core';

const app = Fastify();
await app.register(hookguard, { onError: 'throw' });
const route: WebhookRouteOptions = verifyWebhook({ scheme: github({ secret: 'x' }) }, async (request) => {
  // Declared by the package on every FastifyRequest.
  const webhook: VerifiedWebhook | null = request.webhook;
  return { id: webhook?.id ?? null };
});
app.post('/github', route);
app.post('/plugin', { config: { webhook: { scheme: github({ secret: 'x' }), problemDetail: false } } }, async (request) => ({ ok: request.webhook !== null }));
const verifier = createVerifier({ scheme: github({ secret: 'x' }) });
app.post('/shared', { ...verifyWebhook({ verifier, onError: 'respond' }, async () => ({ ok: true })), schema: { body: { type: 'object' } } });
// Route generics reach the handler: params typed.
app.post('/tenant/:id', verifyWebhook<TenantConfig, { Params: { id: string } }>({ verifier }, async (request) => ({ tenant: request.params.id })));
export default app;
