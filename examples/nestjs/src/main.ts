import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { useWebhookBodyParser } from '@hookguard/nestjs';
import { AppModule } from './app.module.js';

async function bootstrap() {
  // rawBody: true keeps the exact bytes: signatures are over bytes, not over parsed JSON.
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { rawBody: true, logger: ['error', 'warn'] });
  // Lets hookguard, not Nest's parser, answer bodies up to 1 MiB (BODY_TOO_LARGE, MALFORMED_PAYLOAD).
  useWebhookBodyParser(app, { limit: '1mb' });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3002), '127.0.0.1');
  const address = app.getHttpServer().address();
  console.log(`nestjs example listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}`);
}
void bootstrap();
