import type { Response } from 'express';
import type { VerifiedWebhook } from '@hookguard/core';

/**
 * Settles the replay reservation exactly once, from the handler's answer: the response finishing
 * (status < 500 commits, 5xx releases), or — when the client hung up first — the handler calling
 * `res.end()` on the dead connection, which Express does for a thrown error too (500: release). A
 * hang-up alone never releases: the handler may still be running, and a retry meanwhile must get
 * 409, not a second run. A handler that never answers leaves the key in flight until
 * `replay.inFlightTtlMs`.
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
    if (res.writableFinished || done) return;
    // Answered, but the bytes never left: the handler's status stands.
    if (res.writableEnded) return settle({ status: res.statusCode });
    // The client is gone and the handler has not answered yet: wait for its answer. Only on this
    // rare path is `end` wrapped ('finish' never fires on a destroyed socket).
    const end = res.end;
    res.end = function (this: Response, ...args: unknown[]) {
      res.end = end;
      settle({ status: res.statusCode });
      return (end as (...a: unknown[]) => Response).apply(this, args);
    } as Response['end'];
  };
  res.on('finish', onFinish);
  res.on('close', onClose);
}
