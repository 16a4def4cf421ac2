import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import {
  isAcknowledgement,
  isWebhookVerificationError,
  readRawBody,
  rejectionResponse,
  type VerifiedWebhook,
  type Verifier,
  WebhookVerificationError,
} from '@hookguard/core';
import { bytesStream } from './bytes-stream.js';
import { sendAnswer } from './send-answer.js';
import { toWebhookRequest } from './to-webhook-request.js';

const CONSUMED_HINT = 'an earlier preParsing hook read the body; let hookguard read it first (its hook is the route\'s own)';

// Per request: the delivery's reservation and whether the handler was reached. A symbol, so no
// enumerable field shows up on the request.
const STATE = Symbol('hookguard.fastify.state');
interface State {
  webhook: VerifiedWebhook;
  started: boolean;
  settled: boolean;
}
// Set when hookguard answered in preParsing (a rejection, a handshake, a hang-up).
const ANSWERED = 'answered';
type Held = FastifyRequest & { [STATE]?: State | typeof ANSWERED };

/** Did hookguard's preParsing hook see this request (verified it, or answered it)? */
export function metHookguard(request: FastifyRequest): boolean {
  return (request as Held)[STATE] !== undefined;
}

/** The gate's answer for a request that hookguard never saw, on a route that asked for it. */
export function refuseUnverified(reply: FastifyReply, detail: boolean, why: string): FastifyReply {
  const error = new WebhookVerificationError('RAW_BODY_UNAVAILABLE', { detail: why });
  return sendAnswer(reply, rejectionResponse(error, { detail }));
}

export interface RouteHookSettings {
  verifier: Verifier;
  onError: 'respond' | 'throw';
  detail: boolean;
}

export interface RouteHooks {
  preParsing: (request: FastifyRequest, reply: FastifyReply, payload: Readable) => Promise<Readable | undefined>;
  preValidation: (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;
  preHandler: (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;
  onSend: (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void) => void;
}

function ignore(): void {}

/**
 * Resolves once an early answer is written. Fastify goes on with a request after an async hook
 * answered until that answer is out (an async onSend hook, such as compression, delays it), and
 * would then run its body parser and even the handler; returning from preParsing only after the
 * write ends the request's lifecycle there. A response cut off mid-write is hijacked for the same end.
 */
function written(reply: FastifyReply): Promise<void> {
  const res = reply.raw;
  if (res.writableEnded) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('finish', done);
      res.off('close', done);
      if (!reply.sent) reply.hijack();
      resolve();
    };
    res.on('finish', done);
    res.on('close', done);
  });
}

function gone(request: FastifyRequest, reply: FastifyReply): boolean {
  return reply.raw.destroyed || request.raw.socket?.destroyed === true;
}

/** Settles once: the handler's answer commits (< 500) or releases; an answer before the handler releases. */
function settle(state: State, status: number): void {
  if (state.settled) return;
  state.settled = true;
  // A store failure cannot change an answer already on its way; core reports it to onSettleFailed
  // and the reservation expires after replay.inFlightTtlMs.
  (state.started ? state.webhook.settle({ status }) : state.webhook.release()).catch(ignore);
}

/**
 * The four route hooks that verify a delivery. Verification happens in preParsing, on the exact
 * bytes and before any content-type parser, so an unsigned or oversized delivery gets hookguard's
 * problem+json, never Fastify's 400/413/415, and no parser work is spent on it.
 */
export function routeHooks({ verifier, onError, detail }: RouteHookSettings): RouteHooks {
  function reject(error: WebhookVerificationError, reply: FastifyReply): FastifyReply {
    // An acknowledgement (a duplicate of a processed message) is answered here even with onError: 'throw'.
    if (onError === 'throw' && !isAcknowledgement(error)) {
      const { 'content-type': _type, ...headers } = rejectionResponse(error).headers;
      // Fastify's error handler reads `statusCode` and sets `headers` (WWW-Authenticate, Retry-After).
      throw Object.assign(error, { statusCode: error.status, headers });
    }
    return sendAnswer(reply, rejectionResponse(error, { detail }));
  }

  async function preParsing(request: FastifyRequest, reply: FastifyReply, payload: Readable): Promise<Readable | undefined> {
    let body: Buffer;
    try {
      body = await readRawBody(payload, { limit: verifier.maxBodyBytes, consumedHint: CONSUMED_HINT });
    } catch (e) {
      if (!isWebhookVerificationError(e)) throw e;
      // Reported to the verifier's onRejected hook too: it only sees what reaches verify() otherwise.
      (request as Held)[STATE] = ANSWERED;
      await written(reject(verifier.reject(e, toWebhookRequest(request)), reply));
      return undefined;
    }
    let webhook: VerifiedWebhook;
    try {
      webhook = await verifier.verify(toWebhookRequest(request, body), { parse: true });
    } catch (e) {
      if (!isWebhookVerificationError(e)) throw e;
      (request as Held)[STATE] = ANSWERED;
      await written(reject(e, reply));
      return undefined;
    }
    // The client went away while we verified: nobody can read an answer and the sender will retry,
    // so free the key and do not run the handler.
    if (gone(request, reply)) {
      (request as Held)[STATE] = ANSWERED;
      await webhook.release().catch(ignore);
      reply.hijack();
      return undefined;
    }
    // A sender's handshake (Adobe's verification of intent): core's answer, and no handler.
    if (webhook.answer) {
      (request as Held)[STATE] = ANSWERED;
      await written(sendAnswer(reply, webhook.answer));
      return undefined;
    }
    (request as Held)[STATE] = { webhook, started: false, settled: false };
    request.webhook = webhook;
    // What the sender requires on any answer (Adobe's client-id echo), set before the handler answers.
    if (webhook.responseHeaders) reply.headers(webhook.responseHeaders);
    return bytesStream(body);
  }

  /**
   * The gate in front of the handler, a second line behind `written()`: nothing passes here that
   * was not verified. An answered request stops; one that never met the preParsing hook is refused.
   */
  function preValidation(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const state = (request as Held)[STATE];
    if (state === ANSWERED) return;
    if (state === undefined) {
      (request as Held)[STATE] = ANSWERED;
      refuseUnverified(reply, detail, "hookguard's preParsing hook did not run for this route; keep the route's preParsing hooks from verifyWebhook()");
      return;
    }
    // Core's parse of the verified bytes, the same payload every adapter hands over (and what a
    // body schema then validates), whichever content-type parser Fastify ran.
    request.body = state.webhook.payload;
    done();
  }

  function preHandler(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const state = (request as Held)[STATE];
    // Not verified: the gate in preValidation answered, and this is never reached.
    if (state === undefined || state === ANSWERED) return;
    if (gone(request, reply)) {
      // Hung up before the handler ran: same as during verification.
      settle(state, 0);
      reply.hijack();
      return;
    }
    state.started = true;
    // A handler that hijacks the reply skips onSend; its raw response finishing still settles.
    reply.raw.once('finish', () => settle(state, reply.raw.statusCode));
    done();
  }

  function onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void): void {
    // The handler's answer (or Fastify's, for a thrown error) is decided here, also when the client
    // has hung up meanwhile: a hang-up alone never settles, the handler may still be running.
    const state = (request as Held)[STATE];
    if (state !== undefined && state !== ANSWERED) settle(state, reply.statusCode);
    done(null, payload);
  }

  return { preParsing, preValidation, preHandler, onSend };
}
