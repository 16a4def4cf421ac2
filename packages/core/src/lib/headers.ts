import type { WebhookHeaders } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';

/**
 * One header value by lower-case name. A header sent twice as separate values is ambiguous
 * (which signature counts?), so it is refused rather than guessed.
 */
export function readHeader(headers: WebhookHeaders, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    // Adapters pass Node's lower-cased headers; tolerate hand-built requests with other casing.
    for (const key in headers) {
      if (key.length === name.length && key.toLowerCase() === name) {
        value = headers[key];
        break;
      }
    }
  }
  if (value === undefined || typeof value === 'string') return value;
  if (value.length === 1) return value[0];
  if (value.length === 0) return undefined;
  throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `header ${name} was sent more than once` });
}
