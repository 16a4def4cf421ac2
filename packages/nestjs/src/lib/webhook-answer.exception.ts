import { HttpException } from '@nestjs/common';
import type { WebhookHttpResponse } from '@hookguard/core';

/**
 * Core's own answer to a sender's handshake (Adobe's verification-of-intent GET), carried from the
 * guard to WebhookExceptionFilter: throwing is the one way a guard answers without the handler
 * running, and the filter sends it exactly as core built it, as it does a rejection.
 */
export class WebhookAnswerException extends HttpException {
  constructor(readonly httpResponse: WebhookHttpResponse) {
    super(httpResponse.body, httpResponse.status);
    this.name = 'WebhookAnswerException';
  }
}
