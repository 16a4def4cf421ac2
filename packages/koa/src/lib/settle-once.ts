import type { VerifiedWebhook } from '@hookguard/core';
import type { Context } from 'koa';
import type { ServerResponse } from 'node:http';

/**
 * Settles a verified webhook exactly once, from the handler's outcome (`await next()`), never from
 * the socket: a client that hangs up mid-handler leaves the key reserved until the handler ends, so
 * a retry meanwhile gets 409 and the handler runs once. A class: this runs for every delivery.
 */
export class Settlement {
  #settled = false;
  readonly #res: ServerResponse;

  constructor(
    private readonly ctx: Context,
    private readonly webhook: Pick<VerifiedWebhook, 'settle' | 'tenant' | 'scheme'>,
  ) {
    this.#res = ctx.res;
  }

  /** The client went away before the handler ran (it will retry: the handler is not run). */
  get disconnected(): boolean {
    return this.#res.destroyed;
  }

  /** Commit or release (core's settle rule); only the first call counts. Never rejects. */
  settle(outcome: { status?: number; error?: unknown }): Promise<void> {
    if (this.#settled) return Promise.resolve();
    this.#settled = true;
    return this.webhook.settle(outcome).then(undefined, (error: unknown) => {
      // The response stands (the handler already ran). Core reported it to onSettleFailed with the
      // tenant and scheme; Koa apps also hear of faults on app.on('error').
      this.ctx.app.emit('error', error, this.ctx);
    });
  }
}

export function settleOnce(ctx: Context, webhook: Pick<VerifiedWebhook, 'settle' | 'tenant' | 'scheme'>): Settlement {
  return new Settlement(ctx, webhook);
}
