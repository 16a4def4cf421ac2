import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  createVerifier,
  isWebhookVerificationError,
  rejectionResponse,
  WebhookConfigError,
  type TenantConfig,
  type Verifier,
  type VerifierHooks,
  type WebhookRequest,
  type WebhookVerificationError,
} from '@hookguard/core';
import type { VerifyWebhookOptions } from './types.js';
import { toWebhookRequest } from './lib/to-webhook-request.js';
import { requestBody } from './lib/request-body.js';
import { settleOnResponse } from './lib/settle-on-response.js';

interface Resolved {
  verifier: Verifier<TenantConfig>;
  onRejected: VerifierHooks['onRejected'];
  onError: 'respond' | 'next';
  detail: boolean;
}

function resolve<T extends TenantConfig>(options: VerifyWebhookOptions<T>): Resolved {
  if (!options || typeof options !== 'object') throw new WebhookConfigError('verifyWebhook needs options: { scheme, ... } or { verifier }');
  const { onError = 'respond', problemDetail = true } = options;
  if (onError !== 'respond' && onError !== 'next') throw new WebhookConfigError("verifyWebhook: onError must be 'respond' or 'next'");
  if (typeof problemDetail !== 'boolean') throw new WebhookConfigError('verifyWebhook: problemDetail must be a boolean');
  if (options.verifier !== undefined) {
    const v = options.verifier as Partial<Verifier<T>> | null;
    if (!v || typeof v.verify !== 'function' || typeof v.maxBodyBytes !== 'number')
      throw new WebhookConfigError('verifyWebhook: verifier must come from createVerifier()');
    if ('scheme' in options && (options as { scheme?: unknown }).scheme !== undefined)
      throw new WebhookConfigError('verifyWebhook: give either a verifier or verifier options (scheme, tenants, ...), not both');
    return { verifier: v as unknown as Verifier<TenantConfig>, onRejected: undefined, onError, detail: problemDetail };
  }
  const { onError: _o, problemDetail: _p, verifier: _v, ...verifierOptions } = options;
  // Built once here, so a misconfiguration throws at startup rather than on the first delivery.
  const verifier = createVerifier(verifierOptions) as unknown as Verifier<TenantConfig>;
  return { verifier, onRejected: verifierOptions.onRejected, onError, detail: problemDetail };
}

/**
 * Express 4/5 middleware: verifies the delivery with @hookguard/core, then sets `req.body` to the
 * parsed payload and `req.webhook` to the VerifiedWebhook, and settles the replay reservation
 * from how the response ends. Rejections are answered with core's rejectionResponse, or passed
 * to `next(error)` with `onError: 'next'`.
 */
export function verifyWebhook<T extends TenantConfig = TenantConfig>(options: VerifyWebhookOptions<T>): RequestHandler {
  const { verifier, onRejected, onError, detail } = resolve(options);

  function reject(error: WebhookVerificationError, res: Response, next: NextFunction): void {
    if (onError === 'next' || res.headersSent) {
      next(error);
      return;
    }
    const answer = rejectionResponse(error, { detail });
    res.statusCode = answer.status;
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.end(answer.body);
  }

  async function handle(req: Request, res: Response, next: NextFunction): Promise<void> {
    const request: WebhookRequest = toWebhookRequest(req);
    try {
      request.body = await requestBody(req, verifier.maxBodyBytes);
    } catch (e) {
      if (!isWebhookVerificationError(e)) throw e;
      // Core's hooks only see what reaches verify(); body-read rejections are reported here.
      if (onRejected) {
        try {
          onRejected(e, request);
        } catch {
          // A hook must never change a verdict.
        }
      }
      reject(e, res, next);
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
    req.body = webhook.payload;
    req.webhook = webhook;
    settleOnResponse(res, webhook);
    next();
  }

  return (req, res, next) => {
    handle(req, res, next).catch(next);
  };
}
