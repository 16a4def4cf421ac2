import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { webhookFromContext } from './lib/webhook-from-context.js';
import type { WebhookParamDecorator } from './lib/param-decorator.js';

/** The tenant id the webhook was verified for (undefined without `tenants`); `@WebhookTenant('config')` gives its TenantConfig. */
export const WebhookTenant: WebhookParamDecorator<'id' | 'config' | undefined> = createParamDecorator((part: 'id' | 'config' | undefined, ctx: ExecutionContext): unknown => {
  const webhook = webhookFromContext(ctx, '@WebhookTenant()');
  return part === 'config' ? webhook.tenantConfig : webhook.tenant;
});
