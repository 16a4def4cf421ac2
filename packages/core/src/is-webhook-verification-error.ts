import { WEBHOOK_ERROR_STATUS, type WebhookVerificationError } from './webhook-verification-error.js';

/**
 * True for a WebhookVerificationError from any copy of @hookguard/core: checks the brand and a
 * known `code` rather than `instanceof`, which fails across duplicate installs.
 */
export function isWebhookVerificationError(value: unknown): value is WebhookVerificationError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { isWebhookVerificationError?: unknown; code?: unknown; status?: unknown };
  return (
    v.isWebhookVerificationError === true &&
    typeof v.code === 'string' &&
    Object.prototype.hasOwnProperty.call(WEBHOOK_ERROR_STATUS, v.code) &&
    typeof v.status === 'number'
  );
}
