import { safeEqual } from './lib/compare.js';

/**
 * Whether `a` and `b` hold the same bytes (strings as UTF-8), in time that depends only on their
 * lengths, never on where they differ. For digests and signatures, whose lengths are public; for a
 * token whose length is secret, compare digests of both (see `hmacDigest`).
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  return safeEqual(typeof a === 'string' ? Buffer.from(a, 'utf8') : a, typeof b === 'string' ? Buffer.from(b, 'utf8') : b);
}
