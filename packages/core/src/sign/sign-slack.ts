import { createHmac } from 'node:crypto';
import { bodyBytes, seconds, type SignBody } from './common.js';

export interface SignSlackInput {
  secret: string;
  body: SignBody;
  timestamp?: number | Date;
}

/** Slack request-signing headers for a body. */
export function signSlack(input: SignSlackInput): Record<string, string> {
  const ts = seconds(input.timestamp);
  const sig = createHmac('sha256', input.secret).update(`v0:${ts}:`).update(bodyBytes(input.body)).digest('hex');
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${sig}` };
}
