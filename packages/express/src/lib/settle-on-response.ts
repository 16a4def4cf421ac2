import type { Response } from 'express';
import type { VerifiedWebhook } from '@hookguard/core';

/**
 * Settles the replay reservation exactly once, from how the response ended: finished with
 * status < 500 commits; 5xx, or the connection closing before the response finished, releases
 * (so the sender's retry is processed).
 *
 * A handler's `next(err)` cannot be intercepted here: Express hands every layer of a route the
 * route's own `next`, not ours. Express answers a forwarded error with the error's status or 500,
 * which releases; an error handler that answers below 500 should call `req.webhook.release()`.
 *
 * Both events, not 'close' alone: a response that is not on a real http.Server socket (serverless
 * bridges) emits 'finish' and never 'close', and its reservation would otherwise stay in flight.
 */
export function settleOnResponse(res: Response, webhook: VerifiedWebhook): void {
  let done = false;
  const settle = (outcome: { status?: number; error?: unknown }) => {
    if (done) return;
    done = true;
    res.off('finish', onFinish);
    res.off('close', onClose);
    // A store failure here cannot change the answer already sent; the reservation then expires
    // after replay.inFlightTtlMs.
    webhook.settle(outcome).catch(() => undefined);
  };
  const onFinish = () => settle({ status: res.statusCode });
  const onClose = () => {
    if (!res.writableFinished) settle({ status: res.statusCode, error: new Error('connection closed before the response finished') });
  };
  res.on('finish', onFinish);
  res.on('close', onClose);
}
