import { isWebhookVerificationError, PROBLEM_CONTENT_TYPE, rejectionResponse, WebhookConfigError, type TenantConfig, type VerifiedWebhook } from '@hookguard/core';
import type { WithWebhookOptions } from './types.js';
import { webVerifierFor } from './create-web-verifier.js';
import { findWaitUntil, toResponse, withHeaders } from './lib/to-response.js';

export type WebhookHandler<P = unknown, T extends TenantConfig = TenantConfig, R extends unknown[] = any[]> = (
  webhook: VerifiedWebhook<P, T>,
  request: Request,
  ...rest: R
) => Response | Promise<Response>;

/**
 * Wraps a Fetch handler: `(request, ...rest) => Promise<Response>` for Bun.serve, Deno.serve,
 * Workers' fetch, Next.js route handlers. The handler runs only for a verified delivery, with the
 * VerifiedWebhook (`webhook.payload` is the parsed body: the Request's own body is already read).
 * Rejections are answered with core's rejectionResponse (problem+json; a duplicate of a processed
 * message gets 200). The replay reservation settles from the handler's Response: below 500
 * commits, 500 and above or a throw releases, so the sender's retry is processed. With a
 * `waitUntil` among the arguments (Workers' ctx), the settle runs under it; otherwise it is
 * awaited before the Response is returned.
 */
export function withWebhook<P = unknown, T extends TenantConfig = TenantConfig, R extends unknown[] = any[]>(
  options: WithWebhookOptions<T>,
  handler: WebhookHandler<P, T, R>,
): (request: Request, ...rest: any[]) => Promise<Response> {
  if (typeof handler !== 'function') throw new WebhookConfigError('withWebhook(options, handler): handler must be a function');
  const onHandlerError = options?.onHandlerError ?? 'throw';
  if (onHandlerError !== 'throw' && onHandlerError !== 'respond') throw new WebhookConfigError("withWebhook: onHandlerError must be 'throw' or 'respond'");
  // Built now: a misconfiguration throws at startup.
  const web = webVerifierFor<T>(options, 'withWebhook');
  const detail = web.problemDetail;

  return async (request: Request, ...rest: any[]) => {
    let webhook: VerifiedWebhook<P, T>;
    try {
      webhook = await web.verify<P>(request, ...rest);
    } catch (e) {
      if (!isWebhookVerificationError(e)) throw e;
      return toResponse(rejectionResponse(e, { detail }));
    }
    // A sender's handshake (Adobe's verification of intent): core's answer, and no handler.
    if (webhook.answer) return toResponse(webhook.answer);

    const waitUntil = findWaitUntil(rest);
    const settle = async (outcome: { status?: number; error?: unknown }) => {
      // A store failure cannot change the answer; core reports it to onSettleFailed and the
      // reservation expires after replay.inFlightTtlMs.
      const settled = webhook.settle(outcome).catch(ignore);
      if (waitUntil) waitUntil(settled);
      else await settled;
    };

    let response: Response;
    try {
      response = await handler(webhook, request, ...(rest as R));
      if (!isResponse(response)) throw new TypeError('withWebhook: the handler must return a Response');
    } catch (error) {
      await settle({ error });
      if (onHandlerError === 'throw') throw error;
      return new Response(JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500 }), {
        status: 500,
        headers: { ...webhook.responseHeaders, 'content-type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8` },
      });
    }
    response = withHeaders(response, webhook.responseHeaders);
    await settle({ status: response.status });
    return response;
  };
}

function ignore(): void {}

// Duck-typed: a Response from another realm or polyfill (Next.js, undici) is still a Response.
function isResponse(value: unknown): value is Response {
  return value !== null && typeof value === 'object' && typeof (value as Response).status === 'number' && typeof (value as Response).headers?.get === 'function';
}
