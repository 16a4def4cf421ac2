import type { KeyInput, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { matchToken, prepareTokenKeys } from '../lib/token-keys.js';
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

const prepareKeys = prepareTokenKeys('apiKey');

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
      const matched = matchToken(presented, input.keysFor(this));
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
