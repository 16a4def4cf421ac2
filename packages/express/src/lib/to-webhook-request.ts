import type { Request } from 'express';
import { peerFromSocket, type WebhookRequest } from '@hookguard/core';

// Replaced by the body once it is read; shared, never written to.
const EMPTY = Buffer.alloc(0);

/** Route params as plain strings; Express 5 gives arrays for wildcards (`/*splat`). */
function stringParams(params: Record<string, unknown> | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (!params) return out;
  for (const name in params) {
    if (!Object.hasOwn(params, name)) continue;
    const value = params[name];
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[name] = value.join('/');
  }
  return out;
}

/** The framework-neutral request, without its body (read separately, it can fail on its own). */
export function toWebhookRequest(req: Request): WebhookRequest {
  const request: WebhookRequest = {
    method: req.method,
    url: req.originalUrl ?? req.url,
    headers: req.headers,
    body: EMPTY,
    params: stringParams(req.params as Record<string, unknown> | undefined),
    peer: peerFromSocket(req.socket),
  };
  const remoteAddress = req.socket?.remoteAddress;
  if (remoteAddress !== undefined) request.remoteAddress = remoteAddress;
  return request;
}
