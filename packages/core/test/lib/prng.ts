// A tiny seeded PRNG (mulberry32) and a property runner that names the seed of a failing run, so
// any failure reproduces with `HOOKGUARD_SEED=<seed> HOOKGUARD_RUN=<run>` (see forAll).

export type Rng = () => number;

// From the testkit: one generator for every seeded suite.
import { mulberry32 } from '@hookguard/testkit';
export { mulberry32 };

/** FNV-1a of a string: stable sub-seeds per scheme or per property. */
export function hash32(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export const int = (rnd: Rng, n: number): number => Math.floor(rnd() * n);
export const pick = <T>(rnd: Rng, xs: readonly T[]): T => {
  if (xs.length === 0) throw new Error('pick from an empty list');
  return xs[int(rnd, xs.length)]!;
};
export const chance = (rnd: Rng, p: number): boolean => rnd() < p;
export function shuffled<T>(rnd: Rng, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = int(rnd, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
/** Printable ASCII of the given length (no characters outside 0x21-0x7e unless `alphabet` says so). */
export function text(rnd: Rng, length: number, alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[int(rnd, alphabet.length)]!;
  return s;
}
/** A random re-casing of a header name (core must read every one the same). */
export function recase(rnd: Rng, name: string): string {
  let s = '';
  for (const c of name) s += rnd() < 0.5 ? c.toUpperCase() : c.toLowerCase();
  return s;
}

/** The base seed: HOOKGUARD_SEED when set (to reproduce or explore), else a fixed one (CI is deterministic). */
export const BASE_SEED = process.env.HOOKGUARD_SEED !== undefined ? Number(process.env.HOOKGUARD_SEED) >>> 0 : 20261202;

/**
 * Runs `property` `runs` times, each with its own generator seeded from (BASE_SEED, name, run).
 * A failure is rethrown with the seed and run that reproduce it; HOOKGUARD_RUN=<n> runs only that run.
 */
export async function forAll(name: string, runs: number, property: (rnd: Rng, run: number) => Promise<void> | void): Promise<void> {
  const only = process.env.HOOKGUARD_RUN !== undefined ? Number(process.env.HOOKGUARD_RUN) : undefined;
  for (let run = 0; run < runs; run++) {
    if (only !== undefined && run !== only) continue;
    const rnd = mulberry32((BASE_SEED ^ hash32(name) ^ Math.imul(run + 1, 0x9e3779b1)) >>> 0);
    try {
      await property(rnd, run);
    } catch (e) {
      const err = new Error(`property "${name}" failed at run ${run} (reproduce: HOOKGUARD_SEED=${BASE_SEED} HOOKGUARD_RUN=${run}): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      console.error(err.message);
      throw err;
    }
  }
}
