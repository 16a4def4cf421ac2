import type { IncomingHttpHeaders } from 'node:http';

export interface ReadProblem {
  code: string | undefined;
  title: string | undefined;
  detail: string | undefined;
  /** core's fix sentence for a recognised mistake (WebhookVerificationError.hint), when the receiver shows details. */
  hint: string | undefined;
}

/** The problem+json fields of an answer (any JSON answer with a string `code`); nothing else is read. */
export function readProblem(headers: IncomingHttpHeaders, body: Buffer): ReadProblem {
  const type = String(headers['content-type'] ?? '');
  if (!/json/i.test(type)) return { code: undefined, title: undefined, detail: undefined, hint: undefined };
  try {
    const p = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const s = (k: string) => (typeof p[k] === 'string' ? (p[k] as string).slice(0, 1000) : undefined);
    return { code: s('code'), title: s('title'), detail: s('detail'), hint: s('hint') };
  } catch {
    return { code: undefined, title: undefined, detail: undefined, hint: undefined };
  }
}
