// The sending side: Standard Webhooks deliveries signed like a provider signs them (same id and body
// on every attempt, a fresh timestamp), sorting of the answers, and a provider-like retry loop.
import { sign } from '@hookguard/core';
import { answerKind, describeAnswer, type AnswerKind } from '@hookguard/testkit';

export { describeAnswer };
import { send, type Answer, type Delivery } from '../deliveries.js';
import { prng } from './prng.js';

export function delivery(opts: { secret: string; id: string; path: string; attempt?: number }): Delivery {
  const body = JSON.stringify({ type: 'invoice.paid', id: opts.id, amount: 4200 });
  const headers: Record<string, string> = { 'content-type': 'application/json', ...sign.standardWebhooks({ secret: opts.secret, id: opts.id, body }) };
  if (opts.attempt !== undefined) headers['x-test-attempt'] = String(opts.attempt);
  return { path: opts.path, headers, body };
}

export type Kind = AnswerKind;

/** What an answer means (testkit's answerKind; the e2e apps' handler fails with 'injected failure'). */
export const kindOf = (a: Answer): Kind => answerKind(a, { handlerFailure: 'injected failure' });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RetryResult {
  id: string;
  /** The kind of each attempt's answer, in order. */
  kinds: Kind[];
  /** The app that answered each attempt. */
  apps: number[];
  delivered: boolean;
  unexpected?: string;
}

/**
 * Delivers one message like a provider does: on 409 or 5xx, back off (bounded, jittered) and retry,
 * each attempt to a random app, up to `maxAttempts`. Choices come from (seed, id): reproducible.
 */
export async function deliverWithRetries(opts: { secret: string; id: string; path: string; urls: string[]; seed: string; maxAttempts: number }): Promise<RetryResult> {
  const random = prng(opts.seed, 'sender', opts.id);
  const result: RetryResult = { id: opts.id, kinds: [], apps: [], delivered: false };
  for (let attempt = 1; attempt <= opts.maxAttempts; attempt++) {
    const app = Math.floor(random() * opts.urls.length);
    const answer = await send(opts.urls[app]!, delivery({ secret: opts.secret, id: opts.id, path: opts.path, attempt }));
    const kind = kindOf(answer);
    result.kinds.push(kind);
    result.apps.push(app);
    if (kind === 'handled' || kind === 'duplicate') {
      result.delivered = true;
      return result;
    }
    // No app is killed in these suites: a broken connection is as unexpected as an odd answer.
    if (kind === 'other' || kind === 'no-answer') {
      result.unexpected = describeAnswer(answer);
      return result;
    }
    // 409 REPLAY_IN_FLIGHT, 500 from the handler, 503: a short exponential back-off with jitter.
    await sleep(Math.min(5 * 2 ** (attempt - 1), 80) + random() * 10);
  }
  return result;
}

/**
 * Sends a copy of a message that was just handled, again on 409, until it is acknowledged as a
 * duplicate (at most `maxAttempts`). The Express adapter commits when the response has finished,
 * so a copy sent the moment the sender has its 200 can still find the key in flight (409).
 */
export async function copyUntilAcknowledged(url: string, opts: { secret: string; id: string; path: string }, maxAttempts = 40): Promise<Kind[]> {
  const kinds: Kind[] = [];
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const kind = kindOf(await send(url, delivery(opts)));
    kinds.push(kind);
    if (kind !== 'in-flight') break;
    await sleep(25);
  }
  return kinds;
}
