import { readRawBody } from '@hookguard/core';
import type { Context } from 'koa';

const CONSUMED_HINT =
  'mount verifyWebhook before the body parser, or use a parser that keeps the raw body ' +
  '(@koa/bodyparser leaves it in ctx.request.rawBody)';

/** The exact request bytes: from a body parser's raw copy, else read from ctx.req. */
export function readWebhookBody(ctx: Context, limit: number): Promise<Buffer> {
  const raw = (ctx.request as { rawBody?: unknown }).rawBody;
  if (Buffer.isBuffer(raw)) return Promise.resolve(raw);
  // @koa/bodyparser keeps the text it decoded as UTF-8: the same bytes for UTF-8 bodies only; any
  // other body no longer matches its signature and fails closed (SIGNATURE_MISMATCH).
  if (typeof raw === 'string') return Promise.resolve(Buffer.from(raw, 'utf8'));
  // Core refuses at once (RAW_BODY_UNAVAILABLE) when a parser drained the stream, instead of hanging.
  return readRawBody(ctx.req, { limit, consumedHint: CONSUMED_HINT });
}
