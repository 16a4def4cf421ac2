import { HttpException, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { catchError, concat, defer, from, ignoreElements, mergeMap, throwError, type Observable } from 'rxjs';
import { getWebhookState, type SettleOutcome } from './lib/webhook-state.js';
import { nodeResponse } from './lib/http.js';

function isHttpException(error: unknown): error is { getStatus(): number } {
  if (error instanceof HttpException) return true;
  // An HttpException from another copy of @nestjs/common.
  const e = error as { getStatus?: unknown; getResponse?: unknown } | null;
  return typeof e === 'object' && e !== null && typeof e.getStatus === 'function' && typeof e.getResponse === 'function';
}

/** Handler errors: an HttpException below 500 is an answer (commit); anything else a failure (release). */
function outcomeOfError(error: unknown): SettleOutcome {
  if (isHttpException(error)) {
    const status = error.getStatus();
    return status < 500 ? { status } : { status, error };
  }
  return { error };
}

/**
 * Settles the replay reservation after the handler: commit when it completes with a status below
 * 500, release when it throws (a 5xx HttpException or any other error) or ends with a 5xx status. The
 * response waits for the store, so the sender's next delivery sees the outcome.
 */
@Injectable()
export class WebhookInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const state = getWebhookState(context.switchToHttp().getRequest());
    if (!state || state.intercepted) return next.handle();
    state.intercepted = true;
    const res = nodeResponse(context.switchToHttp().getResponse());
    const settleAfterSuccess = defer(() => from(state.settle({ status: res?.statusCode ?? 200 }))).pipe(ignoreElements());
    return concat(next.handle(), settleAfterSuccess).pipe(
      catchError((error: unknown) => from(state.settle(outcomeOfError(error))).pipe(mergeMap(() => throwError(() => error)))),
    );
  }
}
