import type { KeyInput, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { checkedId } from '../lib/limits.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { matchToken, prepareTokenKeys } from '../lib/token-keys.js';

export interface GitLabOptions {
  /**
   * Secret tokens, newest first: `{ id, sha256: '<hex digest>' }` (preferred: the token itself is never
   * stored) or the token as a string. Omit to take them from the tenant.
   */
  secret?: KeyInput | readonly KeyInput[];
}

const prepareKeys = prepareTokenKeys('gitlab');

/**
 * GitLab: `X-Gitlab-Token` holds the webhook's secret token as it is
 * (https://docs.gitlab.com/user/project/integrations/webhooks/#create-a-webhook, "Secret token"), compared
 * by SHA-256 digest in constant time. It signs nothing: the replay identity is GitLab's `Idempotency-Key`
 * (the same on every retry of an event; else X-Gitlab-Event-UUID), an unsigned id — anyone holding the
 * token could change it, as they could forge a whole delivery. GitLab's newer signing token follows
 * Standard Webhooks: use standardWebhooks() for it, alone or in all(gitlab(), standardWebhooks()).
 */
export function gitlab(options: GitLabOptions = {}): Scheme {
  return {
    name: 'gitlab',
    staticKeys: staticKeysOf('gitlab', prepareKeys, options.secret),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const token = input.header('x-gitlab-token');
      if (token === undefined || token === '') throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no X-Gitlab-Token header', scheme: 'gitlab' });
      const matched = matchToken(token, input.keysFor(this));
      if (matched === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'token matched no active secret token', scheme: 'gitlab' });
      const key = input.header('idempotency-key');
      const id = key !== undefined ? checkedId(key, 'Idempotency-Key', 'gitlab') : checkedId(input.header('x-gitlab-event-uuid'), 'X-Gitlab-Event-UUID', 'gitlab');
      const verdict: SchemeVerdict = { scheme: 'gitlab', keyId: matched, replayable: id !== undefined && id !== '' };
      if (id) {
        verdict.id = id;
        verdict.replayId = id;
        verdict.unsignedId = true;
      }
      return verdict;
    },
  };
}
