import type { KeyInput, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { HmacCandidates, keyIs, scanEntries } from '../lib/hmac-candidates.js';
import { checkedId } from '../lib/limits.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { prepareUtf8Secrets } from '../lib/secret-keys.js';

export interface PagerDutyOptions {
  /** Webhook subscription signing secrets, newest first. Omit to take them from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
}

const MAX_ENTRIES = 16;
const MAX_V1 = 4;
// Verification is synchronous: one set of buffers serves every request.
const ENTRIES = new Int32Array(4 * MAX_ENTRIES);
const CANDIDATES = new HmacCandidates('hex', 32, MAX_V1);

// https://github.com/PagerDuty/developer-docs/blob/main/docs/webhooks/04-Signatures.md (and 02-Behavior.md):
// `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>]`, HMAC-SHA256 of the body, one v1 per signing secret while
// one rotates; other versions ignored. X-Webhook-Id repeats on retries but is not signed: reported, and
// the replay identity is the digest of the body. The header is read as parseSignatureHeader() reads it
// (at most 16 entries, at most 4 v1), in place: the v1 texts are compared in constant time with the hex
// of one HMAC per secret, so a header stuffed with wrong v1 entries costs little more than one honest
// delivery.

/** PagerDuty v3 webhooks: a comma-separated `v1=<hex>` list (several during rotation), HMAC-SHA256 of the body. */
export function pagerduty(options: PagerDutyOptions = {}): Scheme {
  const prepareKeys = prepareUtf8Secrets('pagerduty');
  return {
    name: 'pagerduty',
    staticKeys: staticKeysOf('pagerduty', prepareKeys, options.secret),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const header = input.header('x-pagerduty-signature');
      if (header === undefined) throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no signature in the request', scheme: 'pagerduty' });
      const found = scanEntries(header, ',', MAX_ENTRIES, ENTRIES);
      if (found < 0) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `more than ${MAX_ENTRIES} entries in the signature header`, scheme: 'pagerduty' });
      const candidates = CANDIDATES.clear();
      let v1 = 0;
      for (let e = 0; e < found * 4; e += 4) {
        if (!keyIs(header, ENTRIES[e]!, ENTRIES[e + 1]!, 'v1')) continue;
        if (++v1 > MAX_V1) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `more than ${MAX_V1} signatures`, scheme: 'pagerduty' });
        candidates.add(header, ENTRIES[e + 2]!, ENTRIES[e + 3]!);
      }
      if (!candidates.wellFormed) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'no well-formed hex sha256 signature', scheme: 'pagerduty' });
      const id = checkedId(input.header('x-webhook-id'), 'the message id', 'pagerduty');
      const body = input.body;
      const match = candidates.match('sha256', input.keysFor(this), undefined, body, undefined);
      if (match === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'no signature matched an active secret', scheme: 'pagerduty' });
      const verdict: SchemeVerdict = { scheme: 'pagerduty', keyId: match, replayable: true, signedContent: { prefix: '', body, suffix: '' } };
      if (id) verdict.id = id;
      return verdict;
    },
  };
}
