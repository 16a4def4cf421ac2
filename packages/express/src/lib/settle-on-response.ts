import type { Response } from 'express';
import { onQueuedResponseHangUp, type VerifiedWebhook } from '@hookguard/core';

const WEBHOOK = Symbol('hookguard.express.webhook');
const END = Symbol('hookguard.express.end');
const UNWATCH = Symbol('hookguard.express.unwatch');

type Held = Response & { [WEBHOOK]?: VerifiedWebhook | undefined; [END]?: Response['end'] | undefined; [UNWATCH]?: (() => void) | undefined };

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
 *
 * This runs for every delivery, so nothing is allocated for it: the listeners are module functions
 * (Node calls them with the response as `this`) and the webhook waits on the response itself.
 */
export function settleOnResponse(res: Response, webhook: VerifiedWebhook): void {
  (res as Held)[WEBHOOK] = webhook;
  res.on('finish', onFinish);
  res.on('close', onClose);
  // A pipelined delivery's answer may still be queued behind an earlier one when the client hangs
  // up: that response then gets neither event, only the socket closes.
  (res as Held)[UNWATCH] = onQueuedResponseHangUp(res, () => onClose.call(res as Held));
}

function settle(res: Held, status: number): void {
  const webhook = res[WEBHOOK];
  if (webhook === undefined) return;
  res[WEBHOOK] = undefined;
  res[UNWATCH]?.();
  res[UNWATCH] = undefined;
  res.off('finish', onFinish);
  res.off('close', onClose);
  // A store failure here cannot change the answer already sent; the reservation then expires
  // after replay.inFlightTtlMs. Core reports it to onSettleFailed.
  webhook.settle({ status }).catch(ignore);
}

function onFinish(this: Held): void {
  settle(this, this.statusCode);
}

function onClose(this: Held): void {
  if (this[WEBHOOK] === undefined || this.writableFinished) return;
  // Answered, but the bytes never left: the handler's status stands.
  if (this.writableEnded) return settle(this, this.statusCode);
  // The client is gone and the handler has not answered yet ('finish' never fires on a destroyed
  // socket): its own res.end() will settle. Only on this rare path is `end` wrapped.
  this.off('finish', onFinish);
  this.off('close', onClose);
  this[END] = this.end;
  this.end = endAfterHangUp as Response['end'];
}

function endAfterHangUp(this: Held, ...args: unknown[]): Held {
  const end = this[END]!;
  this.end = end;
  this[END] = undefined;
  settle(this, this.statusCode);
  return (end as (...a: unknown[]) => Held).apply(this, args);
}

function ignore(): void {}
