import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { VerifiedWebhook, Webhook, WebhookCertificate, WebhookModule } from '@hookguard/nestjs';
import { all, fromParam, mtls, standardWebhooks, type TenantConfig, type VerifiedWebhook as Verified } from '@hookguard/core';
import type { X509Certificate } from 'node:crypto';
import { replay } from './replay.js';
import { TENANTS } from './tenants.js';

/** Reads a PEM from MTLS_DIR (`npm run demo` makes a throwaway PKI there). */
export const readPem = (file: string) => readFileSync(join(process.env.MTLS_DIR!, file), 'utf8');

@Controller()
class MtlsController {
  @Post('mtls/:tenant')
  @HttpCode(200)
  @VerifiedWebhook()
  receive(@Webhook() webhook: Verified, @WebhookCertificate() cert: X509Certificate) {
    console.log(`processed ${webhook.id} for ${webhook.tenant} over mTLS (${cert.subject.split('\n')[0]})`);
    return { processed: webhook.id, tenant: webhook.tenant };
  }
}

/** Mutual TLS (certificate AND signature): each tenant's certificates must come from its own CA. */
@Module({
  imports: [
    WebhookModule.forRoot({
      scheme: all(mtls({ ca: readPem('root.pem') }), standardWebhooks()),
      tenants: {
        resolve: fromParam('tenant'),
        lookup: async (id): Promise<TenantConfig | undefined> => {
          const tenant = TENANTS.get(id);
          return (
            tenant && {
              ...tenant,
              certificates: {
                ca: readPem(`${id}-ca.pem`),
                uris: [`spiffe://webhooks.test/tenant/${id}`],
                revokedSerials: (process.env.MTLS_REVOKED_SERIALS ?? '').split(',').filter(Boolean),
              },
            }
          );
        },
      },
      replay, // the Redis store when REDIS_URL is set, like the HTTP endpoints
      onRejected: (error, request) => console.log(`rejected ${request.url}: ${error.code}`),
    }),
  ],
  controllers: [MtlsController],
})
export class MtlsModule {}
