import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebhookRejectedException } from './webhook-rejected.exception.js';
import { WebhookAnswerException } from './lib/webhook-answer.exception.js';

/**
 * Sends a WebhookRejectedException as core built it: `application/problem+json` (or the 200
 * duplicate acknowledgement) with its headers; and core's answer to a sender's handshake (Adobe's
 * verification-of-intent GET) the same way. @VerifiedWebhook() applies it to the route, so nothing
 * needs registering; it catches only these two, other errors go on to your filters.
 */
@Catch(WebhookRejectedException, WebhookAnswerException)
export class WebhookExceptionFilter implements ExceptionFilter<WebhookRejectedException | WebhookAnswerException> {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: WebhookRejectedException | WebhookAnswerException, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res: unknown = http.getResponse();
    const adapter = this.adapterHost.httpAdapter;
    const { status, headers, body } = exception.httpResponse;
    for (const [name, value] of Object.entries(headers)) adapter.setHeader(res, name, value);
    // The serialised string, not an object: for an object some Nest versions (11.x) replace any content
    // type that does not start with application/json, which would drop problem+json.
    adapter.reply(res, body, status);
  }
}
