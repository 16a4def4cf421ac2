import Fastify from 'fastify';
import { verifyWebhook } from '@hookguard/fastify';
import { github } from '@hookguard/core';

const app = Fastify();
// Missing option: neither a scheme nor a verifier.
app.post('/a', verifyWebhook({ toleranceSec: 10 }, async () => ({}))); // @fail TS2345
// onError takes 'respond' or 'throw'.
app.post('/b', verifyWebhook({ scheme: github(), onError: 'next' }, async () => ({}))); // @fail TS2322
// The handler goes into verifyWebhook: without it the key could not wait for the handler.
app.post('/d', verifyWebhook({ scheme: github() }), async () => ({})); // @fail TS2554
app.post('/c', async (request) => {
  // request.webhook may be null: not verified on this route.
  const id: string | undefined = request.webhook.id; // @fail TS18047
  return { id };
});
