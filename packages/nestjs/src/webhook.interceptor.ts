import { HttpException, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { catchError, concat, defer, from, ignoreElements, mergeMap, throwError, type Observable } from 'rxjs';
import { getWebhookState } from './lib/webhook-state.js';
import { nodeResponse } from './lib/http.js';

/**
 * Settles the replay reservation after the handler with core's rule (`VerifiedWebhook.settle`): a
 * completed handler or a thrown HttpException below 500 is an answer (commit); a 5xx or any other
 * error releases. The response waits for the store, so the sender's next delivery sees the outcome.
 */
@Injectable()
export class WebhookInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const state = getWebhookState(context.switchToHttp().getRequest());
    if (!state || state.intercepted) return next.handle();
    // The exchange already ended and the key was released: running the handler now could run it twice.
    if (state.abandoned) return throwError(() => new HttpException('the client disconnected before the handler ran', 499));
    state.intercepted = true;
    const res = nodeResponse(context.switchToHttp().getResponse());
    const settleAfterSuccess = defer(() => from(state.settle({ status: res?.statusCode ?? 200 }))).pipe(ignoreElements());
    return concat(next.handle(), settleAfterSuccess).pipe(
      catchError((error: unknown) => from(state.settle({ error })).pipe(mergeMap(() => throwError(() => error)))),
    );
  }
}
