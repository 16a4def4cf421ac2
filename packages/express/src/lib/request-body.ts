import type { Request } from 'express';
import { readRawBody } from '@hookguard/core';
import { RAW_BODY_KEY } from './raw-body-key.js';

const CONSUMED_HINT = 'mount verifyWebhook() before express.json(), or use express.json({ verify: keepRawBody })';

/**
 * The exact bytes of the request: those saved by keepRawBody, else express.raw()'s Buffer, else
 * read from the stream (core refuses at once when another parser already drained it).
 */
export function requestBody(req: Request, limit: number): Promise<Buffer> {
  const kept: unknown = (req as unknown as Record<symbol, unknown>)[RAW_BODY_KEY];
  if (Buffer.isBuffer(kept)) return Promise.resolve(kept);
  if (Buffer.isBuffer(req.body)) return Promise.resolve(req.body);
  return readRawBody(req, { limit, consumedHint: CONSUMED_HINT });
}
