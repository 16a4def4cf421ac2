import { createHmac, randomBytes } from 'node:crypto';
import { seconds } from './common.js';

export interface SignMailgunInput {
  /** The webhook signing key. */
  secret: string;
  timestamp?: number | Date;
  /** Default 50 random hex characters, as Mailgun's. */
  token?: string;
}

/**
 * Mailgun's signature fields — not headers: Mailgun puts them in the body, as the `signature` object of a
 * JSON webhook (`{ signature: sign.mailgun(...), 'event-data': ... }`) or as form fields.
 */
export function signMailgun(input: SignMailgunInput): Record<string, string> {
  const timestamp = String(seconds(input.timestamp));
  const token = input.token ?? randomBytes(25).toString('hex');
  return { timestamp, token, signature: createHmac('sha256', input.secret).update(timestamp + token).digest('hex') };
}
