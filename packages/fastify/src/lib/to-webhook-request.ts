import type { FastifyRequest } from 'fastify';
import { peerFromSocket, type WebhookRequest } from '@hookguard/core';

const EMPTY = Buffer.alloc(0);

/** The framework-neutral request; the body is read separately (it can fail on its own). */
export function toWebhookRequest(request: FastifyRequest, body: Buffer = EMPTY): WebhookRequest {
  const raw = request.raw;
  const out: WebhookRequest = {
    method: raw.method ?? request.method,
    // The URL as it came on the wire (Fastify's request.url drops nothing, but raw is authoritative).
    url: raw.url ?? request.url,
    // The raw headers: Fastify may merge trust-proxy rewrites into request.headers; core decides
    // which forwarded headers to trust.
    headers: raw.headers,
    body,
    params: request.params as WebhookRequest['params'],
    peer: peerFromSocket(raw.socket),
  };
  const remoteAddress = raw.socket?.remoteAddress;
  if (remoteAddress !== undefined) out.remoteAddress = remoteAddress;
  return out;
}
