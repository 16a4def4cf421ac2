import type { Context, MiddlewareHandler } from 'hono';
import { isWebhookVerificationError, rejectionResponse, WebhookConfigError, type TenantConfig, type VerifiedWebhook, type VerifierSource } from '@hookguard/core';
import { createWebVerifier } from './create-web-verifier.js';
import type { WebhookParams } from './types.js';
import { toResponse } from './lib/to-response.js';

export interface HonoWebhookOptions {
  /** The client's address, e.g. `(c) => getConnInfo(c).remote.address` (hono/bun, hono/deno, hono/cloudflare-workers). */
  remoteAddress?: (c: Context) => string | undefined;
  /** Route params for fromParam; default: Hono's own `c.req.param()`. */
  params?: (c: Context) => WebhookParams | undefined;
  /** Include `detail` in the problem body (default true). */
  problemDetail?: boolean;
}

export type HonoWebhookVariables<P = unknown, T extends TenantConfig = TenantConfig> = { webhook: VerifiedWebhook<P, T> };

type HonoBody = { bodyCache?: { arrayBuffer?: Promise<ArrayBuffer> } };

/**
 * Hono middleware: verifies the delivery, then `c.get('webhook')` is the VerifiedWebhook (its
 * `payload` is the parsed body; `c.req.json()` still works downstream, from the bytes kept here).
 * Rejections are answered with core's rejectionResponse. The replay reservation settles from
 * `c.res` once the handler is done: below 500 commits, 500 and above or a thrown error releases
 * (an HTTPException's status decides). On Workers the settle runs under `c.executionCtx.waitUntil`.
 */
export function webhook<P = unknown, T extends TenantConfig = TenantConfig>(
  options: VerifierSource<T> & HonoWebhookOptions,
): MiddlewareHandler<{ Variables: HonoWebhookVariables<P, T> }> {
  if (!options || typeof options !== 'object') throw new WebhookConfigError('webhook() needs options: { scheme, ... } or { verifier }');
  const { remoteAddress, params, ...rest } = options;
  if (remoteAddress !== undefined && typeof remoteAddress !== 'function') throw new WebhookConfigError('webhook(): remoteAddress must be a function (c) => string | undefined');
  if (params !== undefined && typeof params !== 'function') throw new WebhookConfigError('webhook(): params must be a function (c) => params');
  const web = createWebVerifier<T>(
    {
      ...(rest as VerifierSource<T>),
      ...(remoteAddress && { remoteAddress: (_request: Request, c: Context) => remoteAddress(c) }),
      params: (_request: Request, c: Context) => (params ? params(c) : (c.req.param() as WebhookParams)),
    },
    'webhook()',
  );
  const detail = web.problemDetail;

  return async (c, next) => {
    const raw = c.req.raw;
    const cache = (c.req as unknown as HonoBody).bodyCache;
    // Another middleware already read it with c.req.arrayBuffer(): those are the exact bytes.
    const request = raw.bodyUsed && cache?.arrayBuffer ? await cachedRequest(raw, cache.arrayBuffer) : raw;

    let verified: VerifiedWebhook<P, T>;
    try {
      verified = await web.verify<P>(request, c);
    } catch (e) {
      if (!isWebhookVerificationError(e)) throw e;
      return toResponse(rejectionResponse(e, { detail }));
    }
    if (verified.answer) return toResponse(verified.answer);
    // Downstream c.req.json() / .text() / .arrayBuffer() read these bytes, not the spent stream.
    if (cache) {
      const body = verified.rawBody;
      cache.arrayBuffer = Promise.resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
    }
    c.set('webhook', verified);
    if (verified.responseHeaders) for (const [name, value] of Object.entries(verified.responseHeaders)) c.header(name, value);

    let outcome: { status?: number; error?: unknown };
    try {
      await next();
      // Hono's compose catches a handler's error, answers with app.onError and leaves it on c.error.
      outcome = c.error !== undefined ? { error: c.error } : { status: c.res.status };
    } catch (error) {
      outcome = { error };
      await settle(c, verified, outcome);
      throw error;
    }
    await settle(c, verified, outcome);
    return undefined;
  };
}

async function settle(c: Context, verified: VerifiedWebhook<any, any>, outcome: { status?: number; error?: unknown }): Promise<void> {
  const settled = verified.settle(outcome).catch(ignore);
  let ctx: { waitUntil(p: Promise<unknown>): void } | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    ctx = undefined; // not on Workers: Hono's getter throws
  }
  if (ctx && typeof ctx.waitUntil === 'function') ctx.waitUntil(settled);
  else await settled;
}

async function cachedRequest(raw: Request, body: Promise<ArrayBuffer>): Promise<Request> {
  const bytes = await body;
  return new Request(raw.url, { method: raw.method, headers: raw.headers, body: bytes });
}

function ignore(): void {}
