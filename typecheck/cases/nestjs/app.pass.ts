import { Controller, HttpCode, Module, Post, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  VerifiedWebhook,
  Webhook,
  WebhookCertificate,
  WebhookModule,
  WebhookPayload,
  WebhookTenant,
  useWebhookBodyParser,
} from '@hookguard/nestjs';
import { github, standardWebhooks, stripe, type VerifiedWebhook as VerifiedWebhookType } from '@hookguard/core';
import type { X509Certificate } from 'node:crypto';

@Controller('webhooks')
class WebhooksController {
  @Post()
  @HttpCode(200)
  @VerifiedWebhook()
  receive(@WebhookPayload() event: { type: string }, @WebhookPayload('type') type: string, @WebhookTenant() tenant: string | undefined) {
    return { received: event.type, type, tenant };
  }

  @Post('github')
  @VerifiedWebhook({ verifier: 'github' })
  push(@Webhook() webhook: VerifiedWebhookType, @WebhookCertificate() cert: X509Certificate | undefined, @WebhookPayload(new ValidationPipe()) body: object) {
    return { id: webhook.id, cert: cert?.subject, body };
  }
}

@Module({
  imports: [
    WebhookModule.forRoot({
      verifiers: { default: { scheme: standardWebhooks({ secret: 'whsec_x' }) }, github: { scheme: github({ secret: 'x' }) }, stripe: { scheme: stripe({ secret: 'whsec_x' }) } },
      default: 'default',
    }),
  ],
  controllers: [WebhooksController],
})
class AppModule {}

export async function bootstrap(): Promise<void> {
  // useWebhookBodyParser needs the Express application type (NestJS 10 and 11 give a bare INestApplication otherwise).
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false });
  useWebhookBodyParser(app);
  await app.listen(3000);
}
