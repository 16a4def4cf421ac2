// NestJS 12 app process for multi-process.test.ts: POST /webhooks (reliable), POST /flaky (fails at
// FAIL_RATE), GET /_stats. Configured by env (see app-common.ts); prints its URL as a JSON line.
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Headers, Inject, Module, Post, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { useWebhookBodyParser, VerifiedWebhook, Webhook, WebhookModule } from '@hookguard/nestjs';
import type { VerifiedWebhook as Verified } from '@hookguard/core';
import { announce, createStore, exitWithParent, Handler, readConfig, verifierOptions } from './app-common.js';

const config = readConfig();
const store = createStore(config);
const HANDLER = 'MULTI_PROCESS_HANDLER';

interface StatusResponse {
  status(code: number): unknown;
}

@Controller()
class HooksController {
  constructor(@Inject(HANDLER) private readonly handler: Handler) {}

  @Get('_stats')
  stats() {
    return this.handler.snapshot();
  }

  @Post('webhooks')
  @VerifiedWebhook()
  async reliable(@Webhook() webhook: Verified, @Headers('x-test-attempt') attempt: string | undefined, @Res({ passthrough: true }) res: StatusResponse) {
    const answer = await this.handler.handle(webhook.id, 'reliable', attempt);
    res.status(answer.status);
    return answer.body;
  }

  @Post('flaky')
  @VerifiedWebhook()
  async flaky(@Webhook() webhook: Verified, @Headers('x-test-attempt') attempt: string | undefined, @Res({ passthrough: true }) res: StatusResponse) {
    const answer = await this.handler.handle(webhook.id, 'flaky', attempt);
    res.status(answer.status);
    return answer.body;
  }
}

@Module({
  imports: [WebhookModule.forRoot(verifierOptions(config, store))],
  controllers: [HooksController],
  providers: [{ provide: HANDLER, useValue: new Handler('nestjs', config) }],
})
class AppModule {}

const app = await NestFactory.create<NestExpressApplication>(AppModule, { rawBody: true, logger: false });
useWebhookBodyParser(app, { limit: '1mb' });
await app.listen(config.port, '127.0.0.1');
announce('nestjs', (app.getHttpServer().address() as AddressInfo).port);
exitWithParent(async () => {
  await app.close();
  await store.close();
});
