import type { WebhookHeaders } from '../types.js';
import { readHeader } from './headers.js';
import { isInnerList, parseDictionary, type Bounds, type Dictionary } from './structured-fields.js';

/**
 * Caps on Signature-Input and Signature (RFC 9421 §4): 8 signatures of up to 32 components and 16
 * parameters each, 8 KiB per field (an RSA-4096 signature is 684 base64 characters). Past them the
 * request is refused before any component is read.
 */
export const SIGNATURE_FIELD_BOUNDS: Bounds = { maxLength: 8192, maxMembers: 8, maxItems: 32, maxParams: 16 };

// The label bound is a public limit (limits.ts, SECURITY.md); re-exported for the scheme and its tests.
export { MAX_HTTP_SIGNATURE_LABELS } from '../limits.js';

/** The keyids of a request's signatures (those labelled `labels`, when given), for tenant resolution. */
export function signatureKeyIds(headers: WebhookHeaders, labels: readonly string[] | undefined): { keyids: string[] } | { missing: true } | { malformed: string } {
  const text = readHeader(headers, 'signature-input');
  if (text === undefined) return { missing: true };
  const parsed = parseDictionary(text, SIGNATURE_FIELD_BOUNDS);
  if (!parsed.ok) return { malformed: `Signature-Input: ${parsed.reason}` };
  const dict: Dictionary = parsed.value;
  const keyids: string[] = [];
  for (const [label, member] of dict) {
    if (labels && !labels.includes(label)) continue;
    const keyid = isInnerList(member) ? member.params.get('keyid') : undefined;
    if (typeof keyid === 'string') keyids.push(keyid);
  }
  return { keyids };
}
