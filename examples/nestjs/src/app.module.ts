import { Module } from '@nestjs/common';
import { WebhookModule } from '@hookguard/nestjs';
import { accountClaim, fromParam, github, standardWebhooks } from '@hookguard/core';
import { replay } from './replay.js';
import { TENANTS } from './tenants.js';
import { WebhooksController } from './webhooks.controller.js';

@Module({
  imports: [
    WebhookModule.forRoot({
      verifiers: {
        tenants: {
          scheme: standardWebhooks(),
          tenants: { resolve: fromParam('tenant'), lookup: async (id) => TENANTS.get(id) },
          claims: accountClaim('account'),
          maxBodyBytes: 256 * 1024,
          replay,
          onRejected: (error, request) => console.log(`rejected ${request.url}: ${error.code}`),
        },
        github: { scheme: github({ secret: process.env.GITHUB_WEBHOOK_SECRET ?? 'demo-github-secret' }), replay },
      },
    }),
  ],
  controllers: [WebhooksController],
})
export class AppModule {}
