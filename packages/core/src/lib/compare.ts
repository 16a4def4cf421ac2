import { timingSafeEqual } from 'node:crypto';

/** Constant-time for equal lengths; lengths of digests are public, so a length check leaks nothing. */
export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const HEX = /^[0-9a-f]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const B64_VALUE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Strict decoders: Buffer.from() silently skips bad characters, and hex case or base64 padding
 * bits give several spellings of one signature. Only the canonical spelling is accepted, so any
 * change to a signature header is a different signature.
 */
export function decodeHex(s: string): Buffer | undefined {
  if (s.length % 2 !== 0 || !HEX.test(s)) return undefined;
  return Buffer.from(s, 'hex');
}
export function decodeBase64(s: string): Buffer | undefined {
  if (s.length % 4 !== 0 || !BASE64.test(s)) return undefined;
  // Canonical form: the bits below the last data character's used ones must be zero.
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  if (pad > 0) {
    const last = B64_VALUE.indexOf(s[s.length - pad - 1]!);
    if ((last & (pad === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  }
  return Buffer.from(s, 'base64');
}
export function decodeBase64Url(s: string): Buffer | undefined {
  if (!BASE64URL.test(s)) return undefined;
  const bytes = Buffer.from(s, 'base64url');
  return bytes.toString('base64url') === s.replace(/=+$/, '') ? bytes : undefined;
}
