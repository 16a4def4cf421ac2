// The sending side: Standard Webhooks deliveries signed as a provider signs them (the same id and
// body on every attempt, a fresh timestamp), what each answer means, and a retrying sender.
import { request, Agent } from 'node:http';
import { sign } from '@hookguard/core';
import { answerKind, describeAnswer, type AnswerKind } from '@hookguard/testkit';

export { describeAnswer };

export interface Answer {
  status: number;
  contentType: string;
  body: any;
}

export type Kind = AnswerKind;

// Plenty of sockets: 1,000 copies go out at once.
const agent = new Agent({ keepAlive: true, maxSockets: 2_000 });

/** POSTs one signed delivery of message `id`; a connection that breaks (a killed app) is an answer of status 0. */
export function send(url: string, opts: { secret: string; id: string; headers?: Record<string, string> }): Promise<Answer> {
  const body = JSON.stringify({ type: 'invoice.paid', id: opts.id, amount: 4200 });
  const headers = { 'content-type': 'application/json', ...sign.standardWebhooks({ secret: opts.secret, id: opts.id, body }), ...opts.headers };
  return new Promise((resolve) => {
    const req = request(`${url}/webhooks`, { method: 'POST', headers, agent, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => resolve({ status: 0, contentType: '', body: 'response broken' }));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, contentType: '', body: e.message }));
    req.end(body);
  });
}

export const kindOf = (a: Answer): Kind => answerKind(a, { handlerFailure: 'handler failed' });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Delivered {
  id: string;
  kinds: Kind[];
  delivered: boolean;
  unexpected?: string;
}

/**
 * Delivers one message as a provider does: on 409, 5xx or a broken connection, back off and retry,
 * each attempt to the next app, until 200 — bounded by `maxAttempts` and `deadline` (ms since the
 * epoch). `headersFor(attempt)` adds per-attempt headers (the crash point).
 */
export async function deliver(opts: {
  secret: string;
  id: string;
  urls: () => string[];
  first: number;
  maxAttempts: number;
  deadline: number;
  headersFor?: (attempt: number) => Record<string, string> | undefined;
}): Promise<Delivered> {
  const result: Delivered = { id: opts.id, kinds: [], delivered: false };
  for (let attempt = 1; attempt <= opts.maxAttempts && Date.now() < opts.deadline; attempt++) {
    const urls = opts.urls();
    const headers = opts.headersFor?.(attempt);
    const a = await send(urls[(opts.first + attempt - 1) % urls.length]!, { secret: opts.secret, id: opts.id, ...(headers ? { headers } : {}) });
    const kind = kindOf(a);
    result.kinds.push(kind);
    if (kind === 'handled' || kind === 'duplicate') {
      result.delivered = true;
      return result;
    }
    if (kind === 'other') {
      result.unexpected = describeAnswer(a);
      return result;
    }
    await sleep(Math.min(20 * 2 ** Math.min(attempt - 1, 5), 300));
  }
  return result;
}
