import type { KeyInput, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { decodeHex } from '../lib/compare.js';
import { matchHmac } from '../lib/hmac.js';
import { checkedId } from '../lib/limits.js';
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
      const match = matchHmac(algorithm, input.keysFor(this), undefined, input.body, undefined, [bytes]);
      if (match === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'signature matched no active secret', scheme: 'github' });
      const id = checkedId(input.header('x-github-delivery'), 'X-GitHub-Delivery', 'github');
      // The delivery id is not signed: the replay identity is the digest of the signed body, the
      // same whether the SHA-256 or the SHA-1 header carried it.
      const verdict: SchemeVerdict = { scheme: 'github', keyId: match, signedContent: { body: input.body }, replayable: true };
      if (id) verdict.id = id;
      return verdict;
    },
  };
}
