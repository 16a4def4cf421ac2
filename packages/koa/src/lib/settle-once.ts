import type { VerifiedWebhook } from '@hookguard/core';
import type { Context } from 'koa';
import type { ServerResponse } from 'node:http';

/**
 * Settles a verified webhook exactly once: after the handler, or earlier when the client
 * disconnects before the response completed (then the key is released so the retry is processed).
 * A class with one bound listener: this runs for every delivery, so it allocates little.
 */
export class Settlement {
  #settled = false;
  #closedEarly: boolean;
  readonly #res: ServerResponse;

  constructor(
    private readonly ctx: Context,
    private readonly webhook: Pick<VerifiedWebhook, 'settle' | 'tenant' | 'scheme'>,
  ) {
    this.#res = ctx.res;
    this.#closedEarly = this.#res.destroyed;
    if (!this.#closedEarly) this.#res.on('close', this.#onClose);
  }

  /** The client went away before a response was sent. */
  get disconnected(): boolean {
    return this.#closedEarly;
  }

  readonly #onClose = (): void => {
    // 'close' after a finished response is the normal end of the exchange.
    if (this.#res.writableFinished) return;
    this.#closedEarly = true;
    void this.settle({ error: new Error('the client disconnected before the response completed') });
  };

  /** Commit or release (core's settle rule); only the first call counts. Never rejects. */
  settle(outcome: { status?: number; error?: unknown }): Promise<void> {
    if (this.#settled) return Promise.resolve();
    this.#settled = true;
    this.#res.removeListener('close', this.#onClose);
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
