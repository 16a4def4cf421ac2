import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { X509Certificate } from 'node:crypto';
import { webhookFromContext } from './lib/webhook-from-context.js';
import type { WebhookParamDecorator } from './lib/param-decorator.js';

/** The client certificate (node:crypto X509Certificate) of an mTLS delivery, else undefined. */
export const WebhookCertificate: WebhookParamDecorator<never> = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): X509Certificate | undefined => webhookFromContext(ctx, '@WebhookCertificate()').peer?.certificate,
);
