import { peerFromSocket, type SocketLike, type WebhookRequest } from '@hookguard/core';
import type { Context } from 'koa';

/** Core's framework-neutral request, from a Koa context and the exact body bytes. */
export function toWebhookRequest(ctx: Context, body: Buffer): WebhookRequest {
  // An http.Socket or a tls.TLSSocket; peerFromSocket reads only the TLS fields it knows.
  const socket = ctx.req.socket as (SocketLike & { remoteAddress?: string }) | undefined;
  return {
    method: ctx.method,
    url: ctx.originalUrl,
    headers: ctx.req.headers,
    body,
    // Set by @koa/router for the matched route; absent when mounted with app.use().
    params: (ctx as { params?: WebhookRequest['params'] }).params,
    peer: peerFromSocket(socket),
    remoteAddress: socket?.remoteAddress,
  };
}
