import Koa from 'koa';
import { verifyWebhook, type WebhookState } from '@hookguard/koa';
import { github } from '@hookguard/core';

// Missing option: neither a scheme nor a verifier.
new Koa().use(verifyWebhook({ toleranceSec: 10 })); // @fail TS2345
// onError takes 'respond' or 'throw'.
new Koa().use(verifyWebhook({ scheme: github(), onError: 'next' })); // @fail TS2322
const app = new Koa<WebhookState<{ ref: string }>>();
app.use((ctx) => {
  // Wrong payload type.
  const ref: number = ctx.state.webhook.payload.ref; // @fail TS2322
  ctx.body = ref;
});
