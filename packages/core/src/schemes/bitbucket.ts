import type { KeyInput, Scheme } from '../types.js';
import { defineScheme } from '../define-scheme.js';

export interface BitbucketOptions {
  /** Webhook secrets, newest first. Omit to take them from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
}

// https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/#Secure-webhooks: `X-Hub-Signature:
// sha256=<hex>`, HMAC-SHA256 of the body (Bitbucket Cloud and Data Center). X-Request-UUID is not signed:
// reported, and the replay identity is the digest of the body.
const defineBitbucket = defineScheme({
  name: 'bitbucket',
  read(request) {
    const header = request.header('x-hub-signature');
    return {
      signatures: header === undefined ? undefined : header.startsWith('sha256=') ? header.slice(7) : [],
      id: request.header('x-request-uuid'),
    };
  },
});

/** Bitbucket: `X-Hub-Signature: sha256=<hex>`, HMAC-SHA256 of the body. */
export function bitbucket(options: BitbucketOptions = {}): Scheme {
  return defineBitbucket(options);
}
