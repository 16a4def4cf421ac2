import type { KeyInput, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { decodeHex } from '../lib/compare.js';
import { matchHmac, type HmacKey } from '../lib/hmac.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { prepareUtf8Secrets } from '../lib/secret-keys.js';

export interface GitHubOptions {
  /** Webhook secrets, newest first. Omit to take them from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
  /** Accept the legacy SHA-1 `X-Hub-Signature` when no SHA-256 header is sent (default false). */
  allowSha1?: boolean;
}

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>` over the body. No timestamp, so replay
 * protection rests on the replay store: the key is derived from the verified signature (the
 * `X-GitHub-Delivery` id is not signed, so a replayer could change it at will).
 */
export function github(options: GitHubOptions = {}): Scheme {
  const prepareKeys = prepareUtf8Secrets('github');
  const allowSha1 = options.allowSha1 === true;
  return {
    name: 'github',
    staticKeys: staticKeysOf('github', prepareKeys, options.secret),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      let header = input.header('x-hub-signature-256');
      let algorithm = 'sha256';
      let hexLength = 64;
      if (header === undefined && allowSha1) {
        header = input.header('x-hub-signature');
        algorithm = 'sha1';
        hexLength = 40;
      }
      if (header === undefined) throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no X-Hub-Signature-256 header', scheme: 'github' });
      const prefix = `${algorithm}=`;
      const bytes = header.startsWith(prefix) && header.length === prefix.length + hexLength ? decodeHex(header.slice(prefix.length)) : undefined;
      if (!bytes) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `expected ${prefix} followed by ${hexLength} hex digits`, scheme: 'github' });
      const keys = input.keysFor(this);
      const match = matchHmac(algorithm, keys, undefined, input.body, undefined, [bytes]);
      if (match === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'signature matched no active secret', scheme: 'github' });
      const id = input.header('x-github-delivery');
      // The replay identity is the SHA-256 HMAC on both paths, so a copy re-sent with only the SHA-1
      // header is still the same message.
      const identity = algorithm === 'sha256' ? match.identity : (keys[0]!.key as HmacKey).mac('sha256', undefined, input.body, undefined);
      const verdict: SchemeVerdict = { scheme: 'github', keyId: match.keyId, replaySignature: identity, replayable: true };
      if (id) verdict.id = id;
      return verdict;
    },
  };
}
