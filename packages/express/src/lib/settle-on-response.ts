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
 */
export function settleOnResponse(res: Response, webhook: VerifiedWebhook): void {
  // One listener: Node emits 'close' on every response, after 'finish' when it was sent, so
  // writableFinished tells the two endings apart.
  res.once('close', () => {
    const outcome = res.writableFinished ? { status: res.statusCode } : { status: res.statusCode, error: new Error('connection closed before the response finished') };
    // A store failure here cannot change the answer already sent; the reservation then expires
    // after replay.inFlightTtlMs.
    webhook.settle(outcome).catch(() => undefined);
  });
}
