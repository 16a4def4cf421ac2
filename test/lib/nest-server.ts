import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Controller, Get, HttpException, Inject, Module, Post, Res, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { useWebhookBodyParser, VerifiedWebhook, Webhook, WebhookModule } from '@hookguard/nestjs';
import type { ReplayStore, VerifiedWebhook as Verified } from '@hookguard/core';
import { HandlerLog, routeOptions, type RunningServer } from './fixture.js';

const LOG = 'CONTRACT_HANDLER_LOG';
interface StatusResponse {
  status(code: number): unknown;
}

@Controller()
class HooksController {
  constructor(@Inject(LOG) private readonly log: HandlerLog) {}

  async #run(route: string, webhook: Verified, res: StatusResponse) {
    const status = await this.log.run(route, webhook.id, webhook.payload).catch((e: { status?: number; message: string }) => {
      // Nest answers its own exceptions with their status (any other error is a 500).
      throw e.status === undefined ? e : new HttpException(e.message, e.status);
    });
    res.status(status);
    return { ok: status < 400, tenant: webhook.tenant ?? null };
  }

  @Post('webhooks/:tenant')
  @VerifiedWebhook('tenants')
  tenants(@Webhook() w: Verified, @Res({ passthrough: true }) res: StatusResponse) {
    return this.#run('tenants', w, res);
  }
  @Post('github')
  @VerifiedWebhook('github')
  github(@Webhook() w: Verified, @Res({ passthrough: true }) res: StatusResponse) {
    return this.#run('github', w, res);
  }
  @Post('stripe')
  @VerifiedWebhook('stripe')
  stripe(@Webhook() w: Verified, @Res({ passthrough: true }) res: StatusResponse) {
    return this.#run('stripe', w, res);
  }
  @Post('strict/:tenant')
  @VerifiedWebhook('strict')
  strict(@Webhook() w: Verified, @Res({ passthrough: true }) res: StatusResponse) {
    return this.#run('strict', w, res);
  }
  @Post('down/:tenant')
  @VerifiedWebhook('down')
  down(@Webhook() w: Verified, @Res({ passthrough: true }) res: StatusResponse) {
    return this.#run('down', w, res);
  }
  @Post('large/:tenant')
  @VerifiedWebhook('large')
  large(@Webhook() w: Verified, @Res({ passthrough: true }) res: StatusResponse) {
    return this.#run('large', w, res);
  }
  @Post('twilio')
  @VerifiedWebhook('twilio')
  twilio(@Webhook() w: Verified, @Res({ passthrough: true }) res: StatusResponse) {
    return this.#run('twilio', w, res);
  }
  @Post('twilio-untrusted')
  @VerifiedWebhook('twilioUntrusted')
  twilioUntrusted(@Webhook() w: Verified, @Res({ passthrough: true }) res: StatusResponse) {
    return this.#run('twilioUntrusted', w, res);
  }
  @Post('pagerduty')
  @VerifiedWebhook('pagerduty')
  pagerduty(@Webhook() w: Verified, @Res({ passthrough: true }) res: StatusResponse) {
    return this.#run('pagerduty', w, res);
  }
  @Post('http-signature')
  @VerifiedWebhook('httpSignature')
  httpSignature(@Webhook() w: Verified, @Res({ passthrough: true }) res: StatusResponse) {
    return this.#run('httpSignature', w, res);
  }
  @Post('adobe')
  @VerifiedWebhook('adobe')
  adobe(@Webhook() w: Verified, @Res({ passthrough: true }) res: StatusResponse) {
    return this.#run('adobe', w, res);
  }
  // Adobe's verification-of-intent GET: the guard answers it; this body never runs.
  @Get('adobe')
  @VerifiedWebhook('adobe')
  adobeIntent(@Webhook() w: Verified, @Res({ passthrough: true }) res: StatusResponse) {
    return this.#run('adobe', w, res);
  }
  @Post('parsed/:tenant')
  @VerifiedWebhook('tenants')
  parsed(@Webhook() w: Verified, @Res({ passthrough: true }) res: StatusResponse) {
    return this.#run('parsed', w, res);
  }
}

/** The contract app on NestJS's Express platform (default) or its Fastify platform. */
export async function startNest(store?: ReplayStore, platform: 'express' | 'fastify' = 'express'): Promise<RunningServer> {
  const log = new HandlerLog();

  @Module({
    imports: [WebhookModule.forRoot({ verifiers: routeOptions(log, store) })],
    controllers: [HooksController],
    providers: [{ provide: LOG, useValue: log }],
  })
  class ContractModule implements NestModule {
    // /parsed: a body parser ran and kept no raw copy of the bytes.
    configure(consumer: MiddlewareConsumer) {
      consumer
        .apply((req: { rawBody?: Buffer }, _res: unknown, next: () => void) => {
          delete req.rawBody;
          next();
        })
        .forRoutes('parsed/*path');
    }
  }

  const app =
    platform === 'fastify'
      ? await NestFactory.create<NestFastifyApplication>(ContractModule, new FastifyAdapter(), { rawBody: true, logger: false })
      : await NestFactory.create<NestExpressApplication>(ContractModule, { rawBody: true, logger: false });
  // Nest's JSON parser would answer invalid JSON with its own 400 before any guard runs.
  useWebhookBodyParser(app, { limit: '1mb' });
  // /parsed on Fastify (Nest middleware runs before Fastify parses, on the Node request): a hook
  // after parsing drops the raw bytes, as a parser that kept no copy would.
  if (platform === 'fastify')
    (app as NestFastifyApplication).getHttpAdapter().getInstance().addHook('preValidation', async (request: { url: string; rawBody?: Buffer }) => {
      if (request.url.startsWith('/parsed/')) delete request.rawBody;
    });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { name: platform === 'fastify' ? 'nestjs-fastify' : 'nestjs', url: `http://127.0.0.1:${port}`, log, close: () => app.close() };
}
