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

/** mulberry32: a tiny, well-mixed PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator for one purpose, e.g. prng(seed, 'sender', messageId). */
export function prng(...parts: Array<string | number>): () => number {
  return mulberry32(hashSeed(...parts));
}
