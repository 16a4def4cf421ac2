import type { WebhookVerificationError } from '../webhook-verification-error.js';
import { PROBLEM_CONTENT_TYPE, toProblem, type ToProblemOptions } from '../to-problem.js';

export interface WebhookHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The HTTP answer for a rejection, identical in every adapter: RFC 9457 problem+json, except a
 * duplicate of a processed message, which is acknowledged with 200 so the sender stops retrying.
 */
export function rejectionResponse(error: WebhookVerificationError, options: ToProblemOptions = {}): WebhookHttpResponse {
  // The same rule as isAcknowledgement(): an adapter that answers these itself and one that calls
  // this function cannot disagree on which rejections are acknowledgements.
  if (isAcknowledgement(error)) {
    return { status: 200, headers: { ...error.responseHeaders, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ received: true, duplicate: true }) };
  }
  const headers: Record<string, string> = { ...error.responseHeaders, 'content-type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8` };
  if (error.code === 'REPLAY_IN_FLIGHT') headers['retry-after'] = '5';
  if (error.status === 503) headers['retry-after'] = '10';
  // The rest of an oversized body is not read: the connection cannot be reused.
  if (error.code === 'BODY_TOO_LARGE') headers['connection'] = 'close';
  return { status: error.status, headers, body: JSON.stringify(toProblem(error, options)) };
}

/**
 * True when the rejection is an answer the sender must get as it is, not an error for the app's
 * error handling: a duplicate of a processed message (200). Adapters that hand rejections to the
 * app (`onError: 'next' | 'throw'`) still answer these themselves, or the sender would retry forever.
 */
export function isAcknowledgement(error: WebhookVerificationError): boolean {
  return error.status < 400;
}
