import type { KeyInput, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { decodeHex } from '../lib/compare.js';
import { jsonIdOf, matchHmac } from '../lib/hmac.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { prepareUtf8Secrets } from '../lib/secret-keys.js';

export interface SlackOptions {
  /** Signing secrets, newest first. Omit to take them from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
}

const TIMESTAMP = /^[0-9]{1,15}$/;

/** Slack: `X-Slack-Signature: v0=<hex>` over `v0:timestamp:body`, `X-Slack-Request-Timestamp`. */
export function slack(options: SlackOptions = {}): Scheme {
  const prepareKeys = prepareUtf8Secrets('slack');
  return {
    name: 'slack',
    idReading: 'slack',
    staticKeys: staticKeysOf('slack', prepareKeys, options.secret),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const header = input.header('x-slack-signature');
      if (header === undefined) throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no X-Slack-Signature header', scheme: 'slack' });
      const ts = input.header('x-slack-request-timestamp');
      if (ts === undefined || !TIMESTAMP.test(ts))
        throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'X-Slack-Request-Timestamp must be integer seconds', scheme: 'slack' });
      const bytes = header.startsWith('v0=') && header.length === 67 ? decodeHex(header.slice(3)) : undefined;
      if (!bytes) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'expected v0= followed by 64 hex digits', scheme: 'slack' });
      const prefix = `v0:${ts}:`;
      const match = matchHmac('sha256', input.keysFor(this), prefix, input.body, undefined, [bytes]);
      if (match === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'signature matched no active secret', scheme: 'slack' });
      const body = input.body;
      return { scheme: 'slack', timestamp: Number(ts), keyId: match, signedContent: { prefix, body }, payloadId: () => jsonIdOf(body, 'event_id'), replayable: true };
    },
  };
}
