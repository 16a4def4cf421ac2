import { createHash, KeyObject } from 'node:crypto';
import type { PreparedKey, Scheme } from '../types.js';
import { HmacKey } from './hmac.js';

const publicFingerprints = new WeakMap<KeyObject, string>();

/**
 * What tells one key from another: an HMAC key's fingerprint, or the digest of a public key's SPKI (a
 * public key shared by two leaves is the same hazard: Standard Webhooks' v1a `id.ts.body` with a
 * numeric id also reads as Discord's `ts + body`).
 */
function fingerprintOf(key: unknown): string | undefined {
  const inner = key instanceof HmacKey || key instanceof KeyObject ? key : (key as { key?: unknown } | null | undefined)?.key;
  if (inner instanceof HmacKey) return inner.fingerprint;
  if (!(inner instanceof KeyObject) || inner.type !== 'public') return undefined;
  let fp = publicFingerprints.get(inner);
  if (fp === undefined) publicFingerprints.set(inner, (fp = `pk:${createHash('sha256').update(inner.export({ type: 'spki', format: 'der' })).digest('base64url')}`));
  return fp;
}

/**
 * The names of two leaves that share a secret but read a replay id differently, if any.
 *
 * With one secret, a Stripe delivery re-sent as GitHub (body = `t.body`) verifies under both leaves;
 * Stripe keys it by its event id, GitHub by the digest of the bytes: one signed message, two replay
 * keys, two runs. Leaves that key by the digest of the signed bytes always agree, whatever their
 * framing, so only a leaf that reads an id conflicts, with any leaf that reads differently.
 */
export function conflictingReaders(keysByLeaf: Iterable<readonly [Scheme, readonly PreparedKey[]]>): [string, string] | undefined {
  const seen = new Map<string, Scheme>();
  for (const [leaf, keys] of keysByLeaf) {
    for (const k of keys) {
      const fp = fingerprintOf(k.key);
      if (fp === undefined) continue;
      const other = seen.get(fp);
      if (other === undefined) seen.set(fp, leaf);
      else if (other !== leaf && other.idReading !== leaf.idReading) return [other.name, leaf.name];
    }
  }
  return undefined;
}
