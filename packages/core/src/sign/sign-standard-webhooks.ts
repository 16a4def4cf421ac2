import { createHmac, sign as cryptoSign } from 'node:crypto';
import { decodeWhsec, decodeWhsk } from '../lib/standard-webhooks-keys.js';
import { bodyBytes, messageId, seconds, type SignBody } from './common.js';

export interface SignStandardWebhooksInput {
  /** `whsec_...` (v1 HMAC) or `whsk_...` (v1a Ed25519); several give several signatures. */
  secret: string | readonly string[];
  body: SignBody;
  id?: string;
  /** Seconds or a Date (default now). */
  timestamp?: number | Date;
  /** Header names: `webhook-*` (default) or Svix's `svix-*`. */
  headers?: 'webhook' | 'svix';
}

/** Standard Webhooks headers for a body. */
export function signStandardWebhooks(input: SignStandardWebhooksInput): Record<string, string> {
  const id = input.id ?? messageId('msg_');
  const ts = String(seconds(input.timestamp));
  const body = bodyBytes(input.body);
  const prefix = `${id}.${ts}.`;
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  const signatures = secrets.map((secret) => {
    if (secret.startsWith('whsk_')) return `v1a,${cryptoSign(null, Buffer.concat([Buffer.from(prefix), body]), decodeWhsk(secret)).toString('base64')}`;
    return `v1,${createHmac('sha256', decodeWhsec(secret)).update(prefix).update(body).digest('base64')}`;
  });
  const p = input.headers === 'svix' ? 'svix' : 'webhook';
  return { [`${p}-id`]: id, [`${p}-timestamp`]: ts, [`${p}-signature`]: signatures.join(' ') };
}
