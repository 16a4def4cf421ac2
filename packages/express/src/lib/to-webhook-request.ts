import type { Request } from 'express';
import { peerFromSocket, type WebhookRequest } from '@hookguard/core';

// Replaced by the body once it is read; shared, never written to.
const EMPTY = Buffer.alloc(0);

/** The framework-neutral request, without its body (read separately, it can fail on its own). */
export function toWebhookRequest(req: Request): WebhookRequest {
  const request: WebhookRequest = {
    method: req.method,
    url: req.originalUrl ?? req.url,
    headers: req.headers,
    body: EMPTY,
    // As Express gives them (Express 5 wildcards as arrays): core's fromParam reads both.
    params: req.params as WebhookRequest['params'],
    peer: peerFromSocket(req.socket),
  };
  const remoteAddress = req.socket?.remoteAddress;
  if (remoteAddress !== undefined) request.remoteAddress = remoteAddress;
  return request;
}
