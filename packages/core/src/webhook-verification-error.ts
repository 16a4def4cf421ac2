/** Every reason a webhook is not handed to the handler. Stable: adapters, logs and tests key on it. */
export type WebhookErrorCode =
  | 'MISSING_SIGNATURE'
  | 'MALFORMED_SIGNATURE'
  | 'SIGNATURE_MISMATCH'
  | 'TIMESTAMP_OUT_OF_TOLERANCE'
  | 'CONTENT_DIGEST_MISMATCH'
  | 'INSUFFICIENT_COVERAGE'
  | 'CERT_MISSING'
  | 'CERT_UNTRUSTED'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_REVOKED'
  | 'CERT_WRONG_USAGE'
  | 'UNTRUSTED_PROXY'
  | 'MALFORMED_PAYLOAD'
  | 'UNKNOWN_TENANT'
  | 'TENANT_MISMATCH'
  | 'CERT_IDENTITY_MISMATCH'
  | 'CLAIM_MISMATCH'
  | 'DUPLICATE'
  | 'REPLAY_IN_FLIGHT'
  | 'REPLAYED'
  | 'BODY_TOO_LARGE'
  | 'RAW_BODY_UNAVAILABLE'
  | 'REPLAY_STORE_UNAVAILABLE'
  | 'TENANT_LOOKUP_FAILED';

/**
 * HTTP status per code. DUPLICATE is 200 on purpose: the message was already processed, so the
 * sender must stop retrying, but the handler must not run again.
 */
export const WEBHOOK_ERROR_STATUS: Readonly<Record<WebhookErrorCode, number>> = Object.freeze({
  MISSING_SIGNATURE: 401,
  MALFORMED_SIGNATURE: 401,
  SIGNATURE_MISMATCH: 401,
  TIMESTAMP_OUT_OF_TOLERANCE: 401,
  CONTENT_DIGEST_MISMATCH: 401,
  INSUFFICIENT_COVERAGE: 401,
  CERT_MISSING: 401,
  CERT_UNTRUSTED: 401,
  CERT_EXPIRED: 401,
  CERT_NOT_YET_VALID: 401,
  CERT_REVOKED: 401,
  CERT_WRONG_USAGE: 401,
  UNTRUSTED_PROXY: 401,
  MALFORMED_PAYLOAD: 400,
  UNKNOWN_TENANT: 404,
  TENANT_MISMATCH: 403,
  CERT_IDENTITY_MISMATCH: 403,
  CLAIM_MISMATCH: 403,
  DUPLICATE: 200,
  REPLAY_IN_FLIGHT: 409,
  REPLAYED: 409,
  BODY_TOO_LARGE: 413,
  RAW_BODY_UNAVAILABLE: 500,
  REPLAY_STORE_UNAVAILABLE: 503,
  TENANT_LOOKUP_FAILED: 503,
});

/** Short, fixed titles: they go to the sender, so they name the problem and nothing else. */
export const WEBHOOK_ERROR_TITLE: Readonly<Record<WebhookErrorCode, string>> = Object.freeze({
  MISSING_SIGNATURE: 'Webhook signature missing',
  MALFORMED_SIGNATURE: 'Webhook signature malformed',
  SIGNATURE_MISMATCH: 'Webhook signature does not match',
  TIMESTAMP_OUT_OF_TOLERANCE: 'Webhook timestamp outside tolerance',
  CONTENT_DIGEST_MISMATCH: 'Content-Digest does not match the body',
  INSUFFICIENT_COVERAGE: 'Webhook signature does not cover the required components',
  CERT_MISSING: 'Client certificate missing',
  CERT_UNTRUSTED: 'Client certificate not trusted',
  CERT_EXPIRED: 'Client certificate expired',
  CERT_NOT_YET_VALID: 'Client certificate not yet valid',
  CERT_REVOKED: 'Client certificate revoked',
  CERT_WRONG_USAGE: 'Client certificate not valid for client authentication',
  UNTRUSTED_PROXY: 'Forwarded header from an untrusted proxy',
  MALFORMED_PAYLOAD: 'Webhook payload malformed',
  UNKNOWN_TENANT: 'Unknown webhook tenant',
  TENANT_MISMATCH: 'Webhook tenant mismatch',
  CERT_IDENTITY_MISMATCH: 'Client certificate belongs to another identity',
  CLAIM_MISMATCH: 'Webhook payload claim mismatch',
  DUPLICATE: 'Webhook already processed',
  REPLAY_IN_FLIGHT: 'Webhook is being processed',
  REPLAYED: 'Webhook replayed',
  BODY_TOO_LARGE: 'Webhook body too large',
  RAW_BODY_UNAVAILABLE: 'Raw request body unavailable',
  REPLAY_STORE_UNAVAILABLE: 'Replay store unavailable',
  TENANT_LOOKUP_FAILED: 'Tenant lookup failed',
});

export const WEBHOOK_ERROR_CODES = Object.freeze(Object.keys(WEBHOOK_ERROR_STATUS) as WebhookErrorCode[]);

export interface WebhookVerificationErrorOptions {
  /** For logs and for the sender: why, and how to fix it. Never holds a secret or an expected signature. */
  detail?: string;
  /** The underlying error (a store or lookup failure). Kept off the problem response. */
  cause?: unknown;
  /** Which scheme or step raised it, for logs and metrics. */
  scheme?: string;
  tenant?: string;
  /** Headers the sender requires on any answer to its authenticated delivery (Adobe's client-id echo). */
  responseHeaders?: Readonly<Record<string, string>>;
  /** A short fix sentence for a recognised mistake (see `hint` on the error). */
  hint?: string;
}

/**
 * The one error class of hookguard. Check it with `isWebhookVerificationError`, which keys on
 * the `code` field so it also works when two copies of the package are installed.
 */
export class WebhookVerificationError extends Error {
  readonly code: WebhookErrorCode;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly scheme: string | undefined;
  readonly tenant: string | undefined;
  /** Sent with the answer (rejectionResponse adds them): what the sender requires on every answer, e.g. Adobe's echo. */
  readonly responseHeaders: Readonly<Record<string, string>> | undefined;
  /**
   * A short fix sentence when the verifier recognises a common mistake (a millisecond timestamp, a
   * parsed body, Node's UNABLE_TO_GET_ISSUER_CERT for a client that sent no certificate), for logs.
   * In the problem response only with its detail. Set by the verifier after the scheme raised the
   * error, hence writable; never holds a secret.
   */
  hint: string | undefined;
  /** Brand checked by isWebhookVerificationError across package copies. */
  readonly isWebhookVerificationError = true as const;

  constructor(code: WebhookErrorCode, options: WebhookVerificationErrorOptions = {}) {
    const title = WEBHOOK_ERROR_TITLE[code];
    // A rejection is an outcome, not a bug: its stack says nothing the code and detail do not, and
    // capturing one costs ~2 µs, more than verifying a 1 KiB delivery. Unauthenticated floods pay
    // for every rejection, so none is captured (a `cause` keeps its own stack).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(options.detail ? `${title}: ${options.detail}` : title, options.cause === undefined ? undefined : { cause: options.cause });
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.code = code;
    this.status = WEBHOOK_ERROR_STATUS[code];
    this.title = title;
    this.detail = options.detail;
    this.scheme = options.scheme;
    this.tenant = options.tenant;
    this.responseHeaders = options.responseHeaders;
    this.hint = options.hint;
  }
}

// On the prototype, so the stack's header (written when the error is created) names the class.
Object.defineProperty(WebhookVerificationError.prototype, 'name', { value: 'WebhookVerificationError', writable: true, configurable: true });
