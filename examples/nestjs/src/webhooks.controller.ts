import { Controller, Headers, HttpCode, InternalServerErrorException, Post } from '@nestjs/common';
import { VerifiedWebhook, Webhook, WebhookPayload, WebhookTenant } from '@hookguard/nestjs';
import type { VerifiedWebhook as Verified } from '@hookguard/core';

const failedOnce = new Set<string>();

@Controller()
export class WebhooksController {
  @Post('webhooks/:tenant')
  @HttpCode(200)
  @VerifiedWebhook('tenants')
  receive(@WebhookPayload() event: { type?: string; simulate?: string }, @WebhookTenant() tenant: string, @Webhook() webhook: Verified) {
    // Simulate a transient failure once, to show that the sender's retry is processed.
    if (event.simulate === 'failure' && !failedOnce.has(webhook.id!)) {
      failedOnce.add(webhook.id!);
      throw new InternalServerErrorException('temporary failure');
    }
    console.log(`processed ${webhook.id} for ${tenant} (${event.type}) with key ${webhook.keyId}`);
    return { processed: webhook.id, tenant };
  }

  @Post('github')
  @HttpCode(200)
  @VerifiedWebhook('github')
  github(@Headers('x-github-event') event: string, @Webhook() webhook: Verified) {
    console.log(`github ${event} delivery ${webhook.id}`);
    return { processed: webhook.id };
  }
}
