import { HttpException } from '@nestjs/common';
import { rejectionResponse, type WebhookHttpResponse, type WebhookVerificationError } from '@hookguard/core';

export interface WebhookRejectedExceptionOptions {
  /** Include the problem's `detail` (default true). */
  detail?: boolean;
}

/**
 * A webhook that did not pass verification. Its response is core's `rejectionResponse`: an RFC 9457
 * problem (status = the error's status), or for DUPLICATE a 200 `{"received":true,"duplicate":true}`
 * acknowledgement. WebhookExceptionFilter sends it with its content type and headers.
 */
export class WebhookRejectedException extends HttpException {
  /** The verdict from @hookguard/core (`code`, `status`, `detail`). */
  readonly error: WebhookVerificationError;
  /** Status, headers (content type, retry-after, ...) and body exactly as core wants them sent. */
  readonly httpResponse: WebhookHttpResponse;

  constructor(error: WebhookVerificationError, options: WebhookRejectedExceptionOptions = {}) {
    const httpResponse = rejectionResponse(error, { detail: options.detail !== false });
    super(JSON.parse(httpResponse.body) as Record<string, unknown>, httpResponse.status, { cause: error });
    this.name = 'WebhookRejectedException';
    this.error = error;
    this.httpResponse = httpResponse;
  }

  /** The error code, e.g. SIGNATURE_MISMATCH. */
  get code(): WebhookVerificationError['code'] {
    return this.error.code;
  }
}
