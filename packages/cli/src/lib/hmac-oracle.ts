import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureParts } from './schemes.js';

/** Does this key, over this body, produce one of the signatures the headers carry? */
export function macMatches(parts: SignatureParts, key: Buffer, body: Buffer): boolean {
  if (parts.macs.length === 0 || key.length === 0) return false;
  const mac = createHmac(parts.algorithm, key).update(parts.prefix, 'latin1').update(body).digest();
  return parts.macs.some((m) => m.length === mac.length && timingSafeEqual(m, mac));
}
