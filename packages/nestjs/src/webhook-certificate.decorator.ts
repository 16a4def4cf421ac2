import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { X509Certificate } from 'node:crypto';
import { webhookFromContext } from './lib/webhook-from-context.js';

/** The client certificate (node:crypto X509Certificate) of an mTLS delivery, else undefined. */
export const WebhookCertificate = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): X509Certificate | undefined => webhookFromContext(ctx, '@WebhookCertificate()').peer?.certificate,
);
