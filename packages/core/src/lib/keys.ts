import type { KeyInput, KeySpec, PreparedKey } from '../types.js';
import { WebhookConfigError } from '../webhook-config-error.js';

/** Normalises `secret` / `secrets` / `keys` options into KeySpecs with ids. */
export function toKeySpecs(input: KeyInput | readonly KeyInput[] | undefined, field: 'secret' | 'publicKey' = 'secret'): KeySpec[] | undefined {
  if (input === undefined) return undefined;
  const list = Array.isArray(input) ? (input as readonly KeyInput[]) : [input as KeyInput];
  return list.map((k, i) => (typeof k === 'string' ? { id: `key-${i}`, [field]: k } : { ...k, id: k.id ?? `key-${i}` }));
}

function toMs(v: Date | number | string | undefined, what: string, id: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(ms)) throw new WebhookConfigError(`key ${id}: ${what} is not a valid date`);
  return ms;
}

/** Builds a PreparedKey: the decoded key plus its validity window in ms. */
export function prepared<K>(spec: KeySpec, key: K): PreparedKey<K> {
  const id = spec.id ?? 'key';
  const p: PreparedKey<K> = { id, key };
  const nb = toMs(spec.notBefore, 'notBefore', id);
  const na = toMs(spec.notAfter, 'notAfter', id);
  if (nb !== undefined) p.notBefore = nb;
  if (na !== undefined) p.notAfter = na;
  return p;
}

/**
 * Rejects secrets that cannot be meant: empty, whitespace around them (a copy-paste slip that
 * would otherwise surface as "signature mismatch" on every request).
 */
export function checkSecretText(secret: unknown, scheme: string, id: string | undefined): string {
  const where = `${scheme}${id ? ` key ${id}` : ''}`;
  if (typeof secret !== 'string') throw new WebhookConfigError(`${where}: secret must be a string`);
  if (secret.length === 0) throw new WebhookConfigError(`${where}: secret is empty`);
  if (secret.trim() !== secret) throw new WebhookConfigError(`${where}: secret has leading or trailing whitespace; remove it`);
  return secret;
}

export function keysInWindow<K>(keys: readonly PreparedKey<K>[], now: number): readonly PreparedKey<K>[] {
  let all = true;
  for (const k of keys) {
    if ((k.notBefore !== undefined && now < k.notBefore) || (k.notAfter !== undefined && now > k.notAfter)) {
      all = false;
      break;
    }
  }
  if (all) return keys;
  return keys.filter((k) => !((k.notBefore !== undefined && now < k.notBefore) || (k.notAfter !== undefined && now > k.notAfter)));
}
