import { WebhookVerificationError, type VerifiedWebhook } from '@hookguard/core';
import type { Context } from 'koa';

export interface Settlement {
  /** Commit or release (core's settle rule); only the first call counts. Never rejects. */
  settle(outcome: { status?: number; error?: unknown }): Promise<void>;
  /** The client went away before a response was sent. */
  readonly disconnected: boolean;
}

/**
 * Settles a verified webhook exactly once: after the handler, or earlier when the client
 * disconnects before the response completed (then the key is released so the retry is processed).
 */
export function settleOnce(ctx: Context, webhook: Pick<VerifiedWebhook, 'settle' | 'tenant' | 'scheme'>): Settlement {
  const res = ctx.res;
  let settled = false;
  let finished = false;
  let closedEarly = res.destroyed;
  const onFinish = () => {
    finished = true;
  };
  const onClose = () => {
    if (finished) return;
    closedEarly = true;
    void settle({ error: new Error('the client disconnected before the response completed') });
  };
  async function settle(outcome: { status?: number; error?: unknown }): Promise<void> {
    if (settled) return;
    settled = true;
    res.removeListener('finish', onFinish);
    res.removeListener('close', onClose);
    try {
      await webhook.settle(outcome);
    } catch (e) {
      // The response stands (the handler already ran); the store fault goes to app.on('error').
      const error = new WebhookVerificationError('REPLAY_STORE_UNAVAILABLE', {
        detail: 'the replay store could not record the outcome of a handled webhook',
        cause: e,
        tenant: webhook.tenant,
        scheme: webhook.scheme,
      });
      ctx.app.emit('error', error, ctx);
    }
  }
  if (!closedEarly) {
    res.once('finish', onFinish);
    res.once('close', onClose);
  }
  return {
    settle,
    get disconnected() {
      return closedEarly;
    },
  };
}
