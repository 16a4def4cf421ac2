import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { VerifiedWebhook } from '@hookguard/core';
import { webhookFromContext } from './lib/webhook-from-context.js';
import type { WebhookParamDecorator } from './lib/param-decorator.js';

/** The whole VerifiedWebhook (scheme, id, timestamp, tenant, tenantConfig, keyId, rawBody, payload, peer). */
export const Webhook: WebhookParamDecorator<never> = createParamDecorator((_data: unknown, ctx: ExecutionContext): VerifiedWebhook => webhookFromContext(ctx, '@Webhook()'));
