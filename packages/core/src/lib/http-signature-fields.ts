import type { WebhookHeaders } from '../types.js';
import { MAX_ASYMMETRIC_VERIFICATIONS } from '../limits.js';
import { readHeader } from './headers.js';
import { isInnerList, parseDictionary, type Bounds, type Dictionary } from './structured-fields.js';

/**
 * Caps on Signature-Input and Signature (RFC 9421 §4): 8 signatures of up to 32 components and 16
 * parameters each, 8 KiB per field (an RSA-4096 signature is 684 base64 characters). Past them the
 * request is refused before any component is read.
 */
export const SIGNATURE_FIELD_BOUNDS: Bounds = { maxLength: 8192, maxMembers: 8, maxItems: 32, maxParams: 16 };

/**
 * Labels one request may have verified by httpSignature(), in order (the configured labels, else the
 * sender's): a label that names no key of this verifier (by keyid and alg) is skipped at no cost; the
 * others are verified against the keys they name (a keyid: that key; none: each key of the algorithm,
 * newest first, as every HMAC scheme tries each of its secrets). A third such label is SIGNATURE_MISMATCH
 * without any work. So the headers decide nothing beyond 2 labels, and public-key verifications also
 * stay within the request's MAX_ASYMMETRIC_VERIFICATIONS, shared by every scheme.
 * Two covers every rotation state (the sender signing with its old and its new key).
 */
export const MAX_HTTP_SIGNATURE_LABELS = MAX_ASYMMETRIC_VERIFICATIONS;

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
