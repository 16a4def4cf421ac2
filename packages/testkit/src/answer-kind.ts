/** What a receiver's answer to one delivery means, for the multi-process and crash suites. */
export type AnswerKind = 'handled' | 'duplicate' | 'in-flight' | 'unavailable' | 'handler-failed' | 'no-answer' | 'other';

export interface AnswerLike {
  status: number;
  contentType: string;
  body: any;
}

const isProblem = (a: AnswerLike, status: number, code: string) =>
  a.status === status && /^application\/problem\+json/.test(a.contentType) && a.body?.code === code && a.body?.status === status;

/**
 * By status, content type and body (the problem `code` where there is one). The test apps answer
 * `{ handled: true }` when their handler ran and `{ error: <handlerFailure> }` with 500 when it threw;
 * status 0 stands for a connection that broke before any answer.
 */
export function answerKind(a: AnswerLike, options: { handlerFailure: string }): AnswerKind {
  if (a.status === 200 && a.body?.handled === true) return 'handled';
  if (a.status === 200 && a.body?.received === true && a.body?.duplicate === true) return 'duplicate';
  if (isProblem(a, 409, 'REPLAY_IN_FLIGHT')) return 'in-flight';
  if (isProblem(a, 503, 'REPLAY_STORE_UNAVAILABLE')) return 'unavailable';
  if (a.status === 500 && a.body?.error === options.handlerFailure) return 'handler-failed';
  if (a.status === 0) return 'no-answer';
  return 'other';
}

export const describeAnswer = (a: AnswerLike): string => `${a.status} ${JSON.stringify(a.body)}`;
