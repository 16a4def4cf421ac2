import { createHmac, randomUUID } from 'node:crypto';
import { bodyBytes, type SignBody } from './common.js';

export interface SignGitHubInput {
  secret: string;
  body: SignBody;
  /** X-GitHub-Delivery (default a random UUID). */
  id?: string;
  event?: string;
  /** Also send the legacy SHA-1 X-Hub-Signature. */
  sha1?: boolean;
}

/** GitHub delivery headers for a body. */
export function signGitHub(input: SignGitHubInput): Record<string, string> {
  const body = bodyBytes(input.body);
  const headers: Record<string, string> = {
    'x-hub-signature-256': `sha256=${createHmac('sha256', input.secret).update(body).digest('hex')}`,
    'x-github-delivery': input.id ?? randomUUID(),
  };
  if (input.event) headers['x-github-event'] = input.event;
  if (input.sha1) headers['x-hub-signature'] = `sha1=${createHmac('sha1', input.secret).update(body).digest('hex')}`;
  return headers;
}
