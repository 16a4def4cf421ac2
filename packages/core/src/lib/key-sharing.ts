import type { PreparedKey, Scheme } from '../types.js';
import { HmacKey } from './hmac.js';

function hmacKeyOf(key: unknown): HmacKey | undefined {
  if (key instanceof HmacKey) return key;
  const wrapped = (key as { kind?: unknown; key?: unknown } | null | undefined)?.key;
  return wrapped instanceof HmacKey ? wrapped : undefined;
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
      const fp = hmacKeyOf(k.key)?.fingerprint;
      if (fp === undefined) continue;
      const other = seen.get(fp);
      if (other === undefined) seen.set(fp, leaf);
      else if (other !== leaf && other.idReading !== leaf.idReading) return [other.name, leaf.name];
    }
  }
  return undefined;
}
