import Fastify from 'fastify';
import { hookguard, verifyWebhook, type WebhookRouteOptions } from '@hookguard/fastify';
import { createVerifier, github, type VerifiedWebhook } from '@hookguard/core';

const app = Fastify();
await app.register(hookguard, { onError: 'throw' });
const hooks: WebhookRouteOptions = verifyWebhook({ scheme: github({ secret: 'x' }) });
app.post('/github', hooks, async (request) => {
  // Declared by the package on every FastifyRequest.
  const webhook: VerifiedWebhook | null = request.webhook;
  return { id: webhook?.id ?? null };
});
app.post('/plugin', { config: { webhook: { scheme: github({ secret: 'x' }), problemDetail: false } } }, async (request) => ({ ok: request.webhook !== null }));
const verifier = createVerifier({ scheme: github({ secret: 'x' }) });
app.post('/shared', { ...verifyWebhook({ verifier, onError: 'respond' }), schema: { body: { type: 'object' } } }, async () => ({ ok: true }));
export default app;
