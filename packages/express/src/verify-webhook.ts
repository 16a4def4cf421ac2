import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  isAcknowledgement,
  isWebhookVerificationError,
  rejectionResponse,
  verifierFrom,
  WebhookConfigError,
  type TenantConfig,
  type VerifierSource,
  type WebhookRequest,
  type WebhookVerificationError,
} from '@hookguard/core';
import type { VerifyWebhookOptions } from './types.js';
import { toWebhookRequest } from './lib/to-webhook-request.js';
import { requestBody } from './lib/request-body.js';
import { settleOnResponse } from './lib/settle-on-response.js';
import { sendResponse } from './lib/send-response.js';

/**
 * Express 4/5 middleware: verifies the delivery with @hookguard/core, then sets `req.body` to the
 * parsed payload and `req.webhook` to the VerifiedWebhook, and settles the replay reservation
 * from how the response ends. Rejections are answered with core's rejectionResponse, or passed
 * to `next(error)` with `onError: 'next'`.
 */
export function verifyWebhook<T extends TenantConfig = TenantConfig>(options: VerifyWebhookOptions<T>): RequestHandler {
  if (!options || typeof options !== 'object') throw new WebhookConfigError('verifyWebhook needs options: { scheme, ... } or { verifier }');
  const { onError = 'respond', problemDetail: detail = true, ...source } = options;
  if (onError !== 'respond' && onError !== 'next') throw new WebhookConfigError("verifyWebhook: onError must be 'respond' or 'next'");
  if (typeof detail !== 'boolean') throw new WebhookConfigError('verifyWebhook: problemDetail must be a boolean');
  // Built once here, so a misconfiguration throws at startup rather than on the first delivery.
  const verifier = verifierFrom(source as VerifierSource<T>);

  function reject(error: WebhookVerificationError, res: Response, next: NextFunction): void {
    // An acknowledgement (a duplicate of a processed message) is answered here even with onError: 'next'.
    if (res.headersSent || (onError === 'next' && !isAcknowledgement(error))) {
      next(error);
      return;
    }
    sendResponse(res, rejectionResponse(error, { detail }));
  }

  async function handle(req: Request, res: Response, next: NextFunction): Promise<void> {
    const request: WebhookRequest = toWebhookRequest(req);
    try {
      request.body = await requestBody(req, verifier.maxBodyBytes);
    } catch (e) {
      if (!isWebhookVerificationError(e)) throw e;
      // Reported to the verifier's onRejected hook too: it only sees what reaches verify() otherwise.
      reject(verifier.reject(e, request), res, next);
      return;
    }

    let webhook;
    try {
      webhook = await verifier.verify(request, { parse: true });
    } catch (e) {
      if (!isWebhookVerificationError(e)) throw e;
      reject(e, res, next);
      return;
    }

    // The client went away while we verified: nothing can answer it, and 'close' has already
    // fired, so free the key now for the sender's retry instead of running the handler.
    if (res.destroyed || req.socket?.destroyed) {
      await webhook.release().catch(() => undefined);
      return;
    }
    // A sender's handshake (Adobe's verification of intent): core's answer, and no handler.
    if (webhook.answer) {
      sendResponse(res, webhook.answer);
      return;
    }
    req.body = webhook.payload;
    req.webhook = webhook;
    // What the sender requires on any answer (Adobe's client-id echo), set before the handler writes one.
    if (webhook.responseHeaders) for (const [name, value] of Object.entries(webhook.responseHeaders)) res.setHeader(name, value);
    settleOnResponse(res, webhook);
    next();
  }

  return (req, res, next) => {
    handle(req, res, next).catch(next);
  };
}
