import { randomUUID } from 'node:crypto';

export interface SignGitLabInput {
  /** The webhook's secret token. */
  token: string;
  /** Idempotency-Key (default a random UUID; GitLab repeats it on retries). */
  id?: string;
  event?: string;
}

/** GitLab delivery headers: the secret token as it is, and the idempotency key. */
export function signGitLab(input: SignGitLabInput): Record<string, string> {
  const id = input.id ?? randomUUID();
  const headers: Record<string, string> = { 'x-gitlab-token': input.token, 'idempotency-key': id, 'x-gitlab-event-uuid': id };
  if (input.event) headers['x-gitlab-event'] = input.event;
  return headers;
}
