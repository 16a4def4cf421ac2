/**
 * Thrown while building a verifier (or preparing a tenant's keys) when the configuration cannot
 * verify anything: a missing or malformed secret, an unknown scheme. Never a request-time verdict.
 */
export class WebhookConfigError extends Error {
  readonly code = 'INVALID_CONFIGURATION' as const;
  constructor(message: string) {
    super(message);
    this.name = 'WebhookConfigError';
  }
}
