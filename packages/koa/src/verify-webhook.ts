import {
  isAcknowledgement,
  isWebhookVerificationError,
  rejectionResponse,
  verifierFrom,
  WebhookConfigError,
  type TenantConfig,
  type VerifierSource,
  type WebhookHttpResponse,
  type WebhookVerificationError,
} from '@hookguard/core';
import type { Context, Middleware } from 'koa';
import type { VerifyWebhookOptions, WebhookState } from './types.js';
import { readWebhookBody } from './lib/read-webhook-body.js';
import { settleOnce } from './lib/settle-once.js';
import { toWebhookRequest } from './lib/to-webhook-request.js';

/** Answers a rejection with core's response: status, headers, problem+json body. */
function respond(ctx: Context, error: WebhookVerificationError, problemDetail: boolean | undefined): void {
  send(ctx, rejectionResponse(error, problemDetail === undefined ? {} : { detail: problemDetail }));
}

/** Sends an answer exactly as core built it (a rejection, or a sender's handshake). */
function send(ctx: Context, response: WebhookHttpResponse): void {
  ctx.status = response.status;
  // Headers first: Koa keeps a Content-Type that is already set when a string body is assigned.
  ctx.set(response.headers);
  ctx.body = response.body;
}

/**
 * Koa middleware that lets through only verified webhooks. Mount it on a route
 * (`router.post('/webhooks/:tenant', verifyWebhook(opts), handler)`) or with `app.use()`.
 * On success `ctx.state.webhook` is the VerifiedWebhook, `ctx.request.rawBody` the exact bytes
 * (a Buffer) and `ctx.request.body` the parsed payload; after the handler the replay
 * reservation is committed (status < 500, no error) or released.
 */
export function verifyWebhook<P = unknown, T extends TenantConfig = TenantConfig>(options: VerifyWebhookOptions<T>): Middleware<WebhookState<P, T>> {
  if (!options || typeof options !== 'object') throw new WebhookConfigError('verifyWebhook needs an options object');
  const { onError = 'respond', problemDetail, ...verifierOptions } = options;
  if (onError !== 'respond' && onError !== 'throw') throw new WebhookConfigError("verifyWebhook: onError must be 'respond' or 'throw'");
  if (problemDetail !== undefined && typeof problemDetail !== 'boolean') throw new WebhookConfigError('verifyWebhook: problemDetail must be a boolean');
  // Built once: keys are decoded and the tenant cache and replay store live across requests.
  const verifier = verifierFrom(verifierOptions as VerifierSource<T>);

  return async function verifyWebhookMiddleware(ctx, next) {
    let webhook;
    try {
      let body: Buffer;
      try {
        body = await readWebhookBody(ctx, verifier.maxBodyBytes);
      } catch (e) {
        // Reported to the verifier's onRejected hook too: it only sees what reaches verify() otherwise.
        throw isWebhookVerificationError(e) ? verifier.reject(e, toWebhookRequest(ctx, Buffer.alloc(0))) : e;
      }
      webhook = await verifier.verify<P>(toWebhookRequest(ctx, body), { parse: true });
    } catch (e) {
      if (!isWebhookVerificationError(e)) throw e;
      // An acknowledgement (a duplicate of a processed message) is answered here even with onError: 'throw'.
      if (onError === 'respond' || isAcknowledgement(e)) return respond(ctx, e, problemDetail);
      const { 'content-type': _type, ...headers } = rejectionResponse(e).headers;
      // Koa's own error handler keeps `status`, sends `headers` and shows the message when `expose`.
      Object.assign(e, { expose: e.status < 500, headers });
      throw e;
    }

    // A sender's handshake (Adobe's verification of intent): core's answer, and no handler.
    if (webhook.answer) return send(ctx, webhook.answer);
    // What the sender requires on any answer (Adobe's client-id echo), set before the handler answers.
    if (webhook.responseHeaders) ctx.set(webhook.responseHeaders as Record<string, string>);
    ctx.state.webhook = webhook;
    const request = ctx.request as { rawBody?: unknown; body?: unknown };
    request.rawBody = webhook.rawBody;
    request.body = webhook.payload;
    // The body is read: a body parser mounted after this one must not try again (@koa/bodyparser honours this).
    (ctx as { disableBodyParser?: boolean }).disableBodyParser = true;

    const settlement = settleOnce(ctx, webhook);
    if (settlement.disconnected) {
      // Nobody is left to answer, so the sender will retry: do not run the handler, free the key.
      await settlement.settle({ error: new Error('the client disconnected before the handler ran') });
      return;
    }
    try {
      await next();
    } catch (error) {
      await settlement.settle({ error });
      throw error;
    }
    await settlement.settle({ status: ctx.status });
  };
}
