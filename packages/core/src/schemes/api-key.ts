import { createHash } from 'node:crypto';
import type { KeyInput, KeySpec, PreparedKey, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { decodeHex, safeEqual } from '../lib/compare.js';
import { checkSecretText, prepared } from '../lib/keys.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { checkedId } from '../lib/limits.js';

export interface ApiKeyOptions {
  /** Header with the key; default `authorization` with a `Bearer ` value. */
  header?: string;
  /**
   * Accepted keys, newest first: `{ id, sha256: '<hex digest>' }` (preferred: the key itself is
   * never stored) or `{ id, secret: '<key>' }`. Omit to take them from the tenant.
   */
  keys?: KeyInput | readonly KeyInput[];
  /** Header carrying a message id; only then do API-key deliveries take part in replay protection. */
  idHeader?: string;
}

function prepareKeys(specs: readonly KeySpec[]): PreparedKey[] {
  return specs.map((spec) => {
    if (spec.sha256 !== undefined) {
      const digest = decodeHex(spec.sha256.toLowerCase());
      if (!digest || digest.length !== 32) throw new WebhookConfigError(`apiKey key ${spec.id}: sha256 must be 64 hex digits`);
      return prepared(spec, digest);
    }
    const secret = checkSecretText(spec.secret, 'apiKey', spec.id);
    return prepared(spec, createHash('sha256').update(secret, 'utf8').digest());
  });
}

/** A static API key in a header or `Authorization: Bearer`, compared by SHA-256 digest in constant time. */
export function apiKey(options: ApiKeyOptions = {}): Scheme {
  const header = (options.header ?? 'authorization').toLowerCase();
  const bearer = header === 'authorization';
  const idHeader = options.idHeader?.toLowerCase();
  return {
    name: 'apiKey',
    staticKeys: staticKeysOf('apiKey', prepareKeys, options.keys),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const value = input.header(header);
      if (value === undefined || value === '') throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: `no ${header} header`, scheme: 'apiKey' });
      let presented = value;
      if (bearer) {
        const m = /^Bearer +(\S+) *$/i.exec(value);
        if (!m || !m[1]) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'expected Authorization: Bearer <key>', scheme: 'apiKey' });
        presented = m[1];
      }
      const digest = createHash('sha256').update(presented, 'utf8').digest();
      let matched: string | undefined;
      // Compare against every key so the time taken does not tell which one matched.
      for (const k of input.keysFor(this)) if (safeEqual(digest, k.key as Buffer) && matched === undefined) matched = k.id;
      if (matched === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'key matched no active key', scheme: 'apiKey' });
      const id = idHeader ? checkedId(input.header(idHeader), options.idHeader!, 'apiKey') : undefined;
      const verdict: SchemeVerdict = { scheme: 'apiKey', keyId: matched, replayable: id !== undefined };
      if (id) {
        verdict.id = id;
        verdict.replayId = id;
        verdict.unsignedId = true;
      }
      return verdict;
    },
  };
}
