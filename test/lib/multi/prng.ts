// A small seeded PRNG (mulberry32), keyed by strings, so that failure injection and the sender's
// choices are the same on every run with the same seed, whichever process sees an attempt.

/** 32-bit FNV-1a of the parts joined with ':'. */
export function hashSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join(':')) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}


// From the testkit: one generator for every seeded suite.
import { mulberry32 } from '@hookguard/testkit';
export { mulberry32 };

/** A generator for one purpose, e.g. prng(seed, 'sender', messageId). */
export function prng(...parts: Array<string | number>): () => number {
  return mulberry32(hashSeed(...parts));
}
