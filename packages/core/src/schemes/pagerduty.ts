import type { KeyInput, Scheme } from '../types.js';
import { defineScheme } from '../define-scheme.js';
import { parseSignatureHeader } from '../parse-signature-header.js';

export interface PagerDutyOptions {
  /** Webhook subscription signing secrets, newest first. Omit to take them from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
}

// https://github.com/PagerDuty/developer-docs/blob/main/docs/webhooks/04-Signatures.md (and 02-Behavior.md):
// `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>]`, HMAC-SHA256 of the body, one
// v1 per signing secret while one rotates; other versions ignored. X-Webhook-Id repeats on retries but is
// not signed: reported, and the replay identity is the digest of the body.
const definePagerDuty = defineScheme({
  name: 'pagerduty',
  read(request) {
    const header = request.header('x-pagerduty-signature');
    return {
      signatures: header === undefined ? undefined : parseSignatureHeader(header, { separator: ',', max: 16, scheme: 'pagerduty' }).all('v1'),
      id: request.header('x-webhook-id'),
    };
  },
});

/** PagerDuty v3 webhooks: a comma-separated `v1=<hex>` list (several during rotation), HMAC-SHA256 of the body. */
export function pagerduty(options: PagerDutyOptions = {}): Scheme {
  return definePagerDuty(options);
}
