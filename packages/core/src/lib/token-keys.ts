import { createHash } from 'node:crypto';
import type { KeySpec, PreparedKey } from '../types.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { decodeHex, safeEqual } from './compare.js';
import { checkSecretText, prepared } from './keys.js';

/**
 * Static tokens (apiKey, gitlab) held as their SHA-256 digest: `{ sha256: '<hex>' }` (the token itself
 * never stored) or `{ secret }`, hashed here once. A presented token is hashed and compared digest to
 * digest, so the time taken says nothing about the token's length or where it differs.
 */
export function prepareTokenKeys(scheme: string) {
  return (specs: readonly KeySpec[]): PreparedKey[] =>
    specs.map((spec) => {
      if (spec.sha256 !== undefined) {
        const digest = decodeHex(spec.sha256.toLowerCase());
        if (!digest || digest.length !== 32) throw new WebhookConfigError(`${scheme} key ${spec.id}: sha256 must be 64 hex digits`);
        return prepared(spec, digest);
      }
      const secret = checkSecretText(spec.secret, scheme, spec.id);
      return prepared(spec, createHash('sha256').update(secret, 'utf8').digest());
    });
}

/** The id of the key whose digest is the presented token's; every key is compared, so timing does not tell which. */
export function matchToken(presented: string, keys: readonly PreparedKey[]): string | undefined {
  const digest = createHash('sha256').update(presented, 'utf8').digest();
  let matched: string | undefined;
  for (const k of keys) if (safeEqual(digest, k.key as Buffer) && matched === undefined) matched = k.id;
  return matched;
}
