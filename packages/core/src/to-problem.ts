import type { WebhookVerificationError } from './webhook-verification-error.js';

/** RFC 9457 problem details, plus our stable `code`. */
export interface WebhookProblem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  /** The error's fix sentence for a recognised mistake, with the detail only. */
  hint?: string;
}

export interface ToProblemOptions {
  /** Include `detail` and `hint` (default true). Both are hookguard's own words and never hold secrets. */
  detail?: boolean;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The RFC 9457 object for a rejection; adapters send it as application/problem+json. */
export function toProblem(error: WebhookVerificationError, options: ToProblemOptions = {}): WebhookProblem {
  const problem: WebhookProblem = {
    type: `urn:hookguard:problem:${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: error.title,
    status: error.status,
    code: error.code,
  };
  if (options.detail !== false && error.detail) problem.detail = error.detail;
  if (options.detail !== false && error.hint) problem.hint = error.hint;
  return problem;
}
