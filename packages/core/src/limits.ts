// Documented bounds of hookguard's work and memory per request (SECURITY.md).
/** Longest message id accepted from any header (Svix, GitHub and Shopify ids are under 64). */
export const MAX_ID_LENGTH = 256;
/** Longest tenant id a resolver may produce; longer ones are UNKNOWN_TENANT without a lookup. */
export const MAX_TENANT_ID_LENGTH = 128;
/**
 * Public-key verifications one request may cost, across every scheme in it. Two covers every
 * rotation state (two keys and one signature, or one key and two signatures, newest first).
 */
export const MAX_ASYMMETRIC_VERIFICATIONS = 2;
/**
 * RFC 9421 signatures httpSignature() verifies per request, in order (the configured labels, else the
 * sender's): a label naming no key of the verifier (by keyid and alg) is skipped unverified; the others
 * are verified against the keys they name (HMAC: one per secret; public keys also within
 * MAX_ASYMMETRIC_VERIFICATIONS). A further one is SIGNATURE_MISMATCH, unread. Two covers a sender
 * signing with its old and its new key.
 */
export const MAX_HTTP_SIGNATURE_LABELS = 2;
/**
 * Past the body limit, at most this many more bytes of an upload are read off and dropped before the
 * 413 (so a sender still writing can read it), and for at most DRAIN_MAX_MS; then the connection is cut.
 */
export const DRAIN_MAX_BYTES = 16 * 1024 * 1024;
export const DRAIN_MAX_MS = 5_000;
