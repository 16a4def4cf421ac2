import { WebhookVerificationError } from '../webhook-verification-error.js';
import { MAX_ID_LENGTH } from '../limits.js';

export { MAX_ID_LENGTH, MAX_TENANT_ID_LENGTH, MAX_ASYMMETRIC_VERIFICATIONS, MAX_HTTP_SIGNATURE_LABELS } from '../limits.js';

/** A header id within the cap, else MALFORMED_SIGNATURE: ids end up in replay keys and logs. */
export function checkedId(id: string | undefined, header: string, scheme: string): string | undefined {
  if (id !== undefined && id.length > MAX_ID_LENGTH)
    throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `${header} is longer than ${MAX_ID_LENGTH} characters`, scheme });
  return id;
}

/** No lone surrogate (String.prototype.isWellFormed is ES2024; Node 20 has it, our lib target does not). */
export function wellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}
