import type { CanActivate } from '@nestjs/common';
import { BodyParseErrorGuard } from './lib/body-parse-error.guard.js';
import { deferParseError } from './lib/deferred-parse-error.js';
import { boundUploads, parserLimit } from './lib/bound-upload.js';
import { useFastifyWebhookBodyParser, type FastifyLike, type NestFastifyLike } from './lib/fastify-body-parser.js';

/** The parts of a NestExpressApplication or NestFastifyApplication used here. */
export interface WebhookBodyParserApp {
  useBodyParser(...args: never[]): unknown;
  use(...handlers: never[]): unknown;
  useGlobalGuards(...guards: CanActivate[]): unknown;
  getHttpAdapter?(): { getType?(): string; getInstance?(): unknown };
}
type ExpressApp = {
  useBodyParser(parser: 'json' | 'urlencoded', options?: Record<string, unknown>): unknown;
  use(...handlers: unknown[]): unknown;
};

export interface WebhookBodyParserOptions {
  /**
   * Largest JSON / urlencoded body Nest reads (body-parser syntax: bytes or '2mb'; Nest's default is
   * 100kb). Set it at or above your verifiers' `maxBodyBytes`, so an oversized webhook is answered
   * BODY_TOO_LARGE by hookguard rather than by Nest.
   */
  limit?: number | string;
}

type ExpressRequest = { rawBody?: unknown; body?: unknown };
type ExpressNext = (error?: unknown) => void;

/**
 * Call after NestFactory.create(AppModule, { rawBody: true }) (Express) or
 * NestFactory.create(AppModule, new FastifyAdapter(), { rawBody: true }) (Fastify), before listen().
 * Registers Nest's JSON and urlencoded parsers (with `limit`) so that a body that is not valid JSON
 * still reaches @VerifiedWebhook() routes: hookguard checks the signature first (401 when it is
 * wrong) and answers 400 MALFORMED_PAYLOAD when the sender signed a malformed body. Other routes
 * keep Nest's own 400.
 */
export function useWebhookBodyParser<A extends WebhookBodyParserApp>(app: A, options: WebhookBodyParserOptions = {}): A {
  const parserOptions: Record<string, unknown> = {
    // Nest replaces this with its own (identical) verify when the app has rawBody: true.
    verify: (req: ExpressRequest, _res: unknown, buffer: unknown) => {
      if (Buffer.isBuffer(buffer)) req.rawBody = buffer;
    },
  };
  const adapter = app.getHttpAdapter?.();
  if (adapter?.getType?.() === 'fastify') {
    // Fastify's default limit (1 MiB) when none is given, as Nest's Fastify parsers have.
    const limit = options.limit === undefined ? ((adapter.getInstance?.() as { initialConfig?: { bodyLimit?: number } })?.initialConfig?.bodyLimit ?? 1024 * 1024) : parserLimit(options.limit);
    useFastifyWebhookBodyParser(app as unknown as NestFastifyLike, adapter.getInstance!() as FastifyLike, limit);
    app.useGlobalGuards(new BodyParseErrorGuard());
    return app;
  }
  const express = app as unknown as ExpressApp;
  if (options.limit !== undefined) parserOptions['limit'] = options.limit;
  // Right before the parsers: past its limit body-parser reads the rest off without bound; this
  // holds it to core's drain bound (16 MiB more, 5 s), then cuts the connection.
  express.use(boundUploads(parserLimit(options.limit)));
  // Registered by name (jsonParser, urlencodedParser), so Nest skips its own defaults at init.
  express.useBodyParser('json', parserOptions);
  express.useBodyParser('urlencoded', { ...parserOptions, extended: true });
  // Express error middleware right after the parsers (four parameters make it one).
  express.use(function hookguardDeferParseError(error: unknown, req: ExpressRequest, _res: unknown, next: ExpressNext) {
    const type = (error as { type?: unknown } | null)?.type;
    // Too large: body-parser has read the upload off already, so the sender can read our answer.
    if (type === 'entity.too.large') {
      deferParseError(req, error);
      req.body = undefined;
      next();
      return;
    }
    if (type === 'entity.parse.failed' && Buffer.isBuffer(req.rawBody)) {
      deferParseError(req, error);
      req.body = undefined;
      next();
      return;
    }
    next(error);
  });
  app.useGlobalGuards(new BodyParseErrorGuard());
  return app;
}
