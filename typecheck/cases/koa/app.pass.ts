import Koa from 'koa';
import { verifyWebhook, type WebhookState } from '@hookguard/koa';
import { createVerifier, github, type TenantConfig } from '@hookguard/core';

interface Push {
  ref: string;
}
const app = new Koa<WebhookState<Push>>();
app.use(verifyWebhook<Push>({ scheme: github({ secret: 'x' }) }));
app.use((ctx) => {
  const ref: string = ctx.state.webhook.payload.ref;
  const tenant: TenantConfig | undefined = ctx.state.webhook.tenantConfig;
  ctx.body = { ref, tenant: tenant !== undefined };
});
const verifier = createVerifier({ scheme: github({ secret: 'x' }) });
new Koa().use(verifyWebhook({ verifier, onError: 'throw' }));
export default app;
