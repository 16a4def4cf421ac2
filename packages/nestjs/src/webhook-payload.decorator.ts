import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { webhookFromContext } from './lib/webhook-from-context.js';
import type { WebhookParamDecorator } from './lib/param-decorator.js';

/**
 * The verified, parsed payload (JSON, form fields, text, or the Buffer); `@WebhookPayload('type')`
 * picks one property. Pipes work as with @Body(): `@WebhookPayload(new ValidationPipe())`.
 */
export const WebhookPayload: WebhookParamDecorator<string | undefined> = createParamDecorator((property: string | undefined, ctx: ExecutionContext): unknown => {
  const payload = webhookFromContext(ctx, '@WebhookPayload()').payload;
  if (typeof property !== 'string') return payload;
  return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[property] : undefined;
});
