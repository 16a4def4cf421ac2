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

  // A second app for mutual TLS when MTLS_DIR holds a server certificate and the tenants' CAs.
  if (process.env.MTLS_DIR) {
    const { MtlsModule, readPem } = await import('./mtls.module.js');
    const tls = await NestFactory.create<NestExpressApplication>(MtlsModule, {
      rawBody: true,
      logger: ['error', 'warn'],
      // rejectUnauthorized: false lets every handshake finish, so hookguard answers with the precise code.
      httpsOptions: { key: readPem('server.key'), cert: readPem('server.pem'), ca: [readPem('root.pem')], requestCert: true, rejectUnauthorized: false },
    });
    tls.enableShutdownHooks();
    await tls.listen(Number(process.env.MTLS_PORT ?? 3445), '127.0.0.1');
    const tlsAddress = tls.getHttpServer().address();
    console.log(`nestjs example mtls listening on https://localhost:${typeof tlsAddress === 'object' && tlsAddress ? tlsAddress.port : ''}`);
  }
}
void bootstrap();
