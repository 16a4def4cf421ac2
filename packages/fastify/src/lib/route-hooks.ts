import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import {
  isAcknowledgement,
  isWebhookVerificationError,
  onQueuedResponseHangUp,
  readRawBody,
  rejectionResponse,
  type VerifiedWebhook,
  type Verifier,
  type PrototypeKeyAction,
  type VerifyOptions,
  WebhookVerificationError,
} from '@hookguard/core';
import { bytesStream } from './bytes-stream.js';
import { passVerified } from './pass-verified.js';
import { sendAnswer } from './send-answer.js';
import { toWebhookRequest } from './to-webhook-request.js';

const CONSUMED_HINT = 'an earlier preParsing hook read the body; let hookguard read it first (its hook is the route\'s own)';

// Per request: the delivery's reservation and where its handler and answer are. A symbol, so no
// enumerable field shows up on the request.
const STATE = Symbol('hookguard.fastify.state');
interface State {
  webhook: VerifiedWebhook;
  /** The wrapped handler was entered. */
  started: boolean;
  /** The handler returned, resolved, threw or rejected. */
  finished: boolean;
  /** It threw or rejected. */
  failed: boolean;
  /** The raw response finished or closed: no other answer can follow. */
  ended: boolean;
  /** The status of the last answer that went through onSend (what was meant to be sent). */
  meant?: number;
  /** The status the raw response finished with (what was sent). */
  sent?: number;
  settled: boolean;
  /** The raw response closed before any answer finished (a hang-up). */
  closedWithoutAnswer: boolean;
  /** The raw response, whose status a hijacking handler (or reply.code) sets. */
  res: FastifyReply['raw'];
}
// Marks hookguard's handler wrapper and hooks, so they are never applied twice to one route.
export const WRAPPED = Symbol('hookguard.fastify.wrapped');
type Marked = { [WRAPPED]?: true | 'route' | 'plugin' };

/** Is this one of hookguard's preParsing hooks, and from which form? */
export function hookguardForm(hook: unknown): 'route' | 'plugin' | undefined {
  const mark = typeof hook === 'function' ? (hook as Marked)[WRAPPED] : undefined;
  return mark === 'route' || mark === 'plugin' ? mark : undefined;
}

/** Marks a preParsing hook as hookguard's. */
export function markHook<F extends object>(hook: F, form: 'route' | 'plugin'): F {
  (hook as Marked)[WRAPPED] = form;
  return hook;
}

// Set when hookguard answered in preParsing (a rejection, a handshake, a hang-up).
const ANSWERED = 'answered';
type Held = FastifyRequest & { [STATE]?: State | typeof ANSWERED };

type Poisoning = { initialConfig?: { onProtoPoisoning?: PrototypeKeyAction; onConstructorPoisoning?: PrototypeKeyAction } };
// Per Fastify instance: core parses instead of Fastify's skipped JSON parser, so it keeps the app's
// onProtoPoisoning / onConstructorPoisoning rule (Fastify's default 'error': MALFORMED_PAYLOAD, before
// any replay reservation).
const verifyOptionsByServer = new WeakMap<object, VerifyOptions>();
function verifyOptionsOf(request: FastifyRequest): VerifyOptions {
  const server = request.server as unknown as Poisoning & object;
  let options = verifyOptionsByServer.get(server);
  if (options === undefined) {
    const config = server.initialConfig;
    options = { parse: true, prototypeKeys: { proto: config?.onProtoPoisoning ?? 'error', constructor: config?.onConstructorPoisoning ?? 'error' } };
    verifyOptionsByServer.set(server, options);
  }
  return options;
}

/** A verified request's body is core's payload, and Fastify's parser is not run for it. */
function takeVerified(request: FastifyRequest): boolean {
  const state = (request as Held)[STATE];
  if (state === undefined || state === ANSWERED) return false;
  request.body = state.webhook.payload;
  return true;
}

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

export type Handler = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => unknown;

/** Fastify's callback for a preParsing hook: an error, or the payload stream (none after an early answer). */
export type PreParsingDone = (err: Error | null, payload?: Readable) => void;

export interface RouteHooks {
  preParsing: (request: FastifyRequest, reply: FastifyReply, payload: Readable, done: PreParsingDone) => void;
  preValidation: (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;
  onSend: (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void) => void;
  /** The route's handler behind hookguard's last gate, so the settlement knows when it ran and ended. */
  wrap: (handler: Handler) => Handler;
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

/**
 * Settles once, when the outcome can no longer change. A handler that never ran: release, as soon
 * as the answer is out. One that ran: only after it has returned (never while it runs, whoever
 * answered meanwhile: a timeout hook's 503 must not let a second copy in beside it) and the answer
 * is out; then the status the sender got decides, < 500 commit, else release. A client that hung
 * up gets the status that was meant for it.
 */
function trySettle(state: State): void {
  if (state.settled || !state.ended) return;
  if (!state.started) {
    state.settled = true;
    state.webhook.release().catch(ignore);
    return;
  }
  if (!state.finished) return;
  let status = state.sent ?? state.meant;
  if (status === undefined) {
    // The client left and no answer went through (Fastify 5 sends nothing for an async handler
    // that resolved undefined on a dead socket; a hijacked reply ended after the hang-up): the
    // handler's own outcome decides, or the key would stay in flight and a retry run it again.
    if (!state.closedWithoutAnswer) return;
    status = state.failed ? 500 : state.res.statusCode;
  }
  state.settled = true;
  // A store failure cannot change an answer already on its way; core reports it to onSettleFailed
  // and the reservation expires after replay.inFlightTtlMs.
  state.webhook.settle({ status }).catch(ignore);
}

function watchResponse(state: State, reply: FastifyReply): void {
  // 'close' follows 'finish' (a tick later) and also comes alone when the client hangs up first:
  // one listener, and writableFinished tells the two apart.
  const res = reply.raw;
  let unwatch: (() => void) | undefined;
  const end = () => {
    if (state.ended) return;
    unwatch?.();
    if (res.writableFinished) state.sent = res.statusCode;
    else state.closedWithoutAnswer = true;
    state.ended = true;
    trySettle(state);
  };
  res.on('close', end);
  // A pipelined delivery's answer may still be queued when the client hangs up.
  unwatch = onQueuedResponseHangUp(res, end);
}

/**
 * The route hooks that verify a delivery, and the handler's wrapper. Verification happens in preParsing, on the exact
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

  /**
   * Written with callbacks, not async/await: it runs for every delivery, and each hop through an
   * async function is a microtask Fastify then waits on again. `done(null, stream)` hands the
   * payload on; `done(null)` after an early answer is written ends the lifecycle (the reply is sent).
   */
  function preParsing(request: FastifyRequest, reply: FastifyReply, payload: Readable, done: PreParsingDone): void {
    // A second hookguard on the same route (a route cloned by another plugin): verified once, by
    // the first; a second reservation of the same key would answer every copy 409 forever.
    if ((request as Held)[STATE] !== undefined) return done(null, payload);
    const fail = (e: unknown) => done(e instanceof Error ? e : new Error(String(e)));
    // An early answer: sent, and only then the lifecycle ends (see written()).
    const answer = (toSend: () => FastifyReply) => {
      (request as Held)[STATE] = ANSWERED;
      let sent: FastifyReply;
      try {
        sent = toSend();
      } catch (thrown) {
        return fail(thrown); // onError: 'throw': Fastify's error handler answers
      }
      written(sent).then(() => done(null), fail);
    };
    const verified = (webhook: VerifiedWebhook, body: Buffer) => {
      // The client went away while we verified: nobody can read an answer and the sender will retry,
      // so free the key and do not run the handler.
      if (gone(request, reply)) {
        (request as Held)[STATE] = ANSWERED;
        webhook.release().catch(ignore).then(() => {
          reply.hijack();
          done(null);
        }, fail);
        return;
      }
      // A sender's handshake (Adobe's verification of intent): core's answer, and no handler.
      if (webhook.answer) {
        const handshake = webhook.answer;
        (request as Held)[STATE] = ANSWERED;
        written(sendAnswer(reply, handshake)).then(() => done(null), fail);
        return;
      }
      const state: State = { webhook, started: false, finished: false, failed: false, ended: false, settled: false, closedWithoutAnswer: false, res: reply.raw };
      (request as Held)[STATE] = state;
      watchResponse(state, reply);
      request.webhook = webhook;
      // What the sender requires on any answer (Adobe's client-id echo), set before the handler answers.
      if (webhook.responseHeaders) reply.headers(webhook.responseHeaders);
      // Fastify's parser is skipped for this request (request.body is core's payload). The payload
      // stream is handed on as it is (read already) only when no other preParsing hook follows.
      done(null, passVerified(request, takeVerified) === 'alone' ? payload : bytesStream(body));
    };
    readRawBody(payload, { limit: verifier.maxBodyBytes, consumedHint: CONSUMED_HINT }).then(
      (body) => {
        let pending: Promise<VerifiedWebhook>;
        try {
          pending = verifier.verify(toWebhookRequest(request, body), verifyOptionsOf(request));
        } catch (e) {
          return fail(e);
        }
        pending.then(
          (webhook) => {
            try {
              verified(webhook, body);
            } catch (e) {
              fail(e);
            }
          },
          (e: unknown) => {
            if (!isWebhookVerificationError(e)) return fail(e);
            answer(() => reject(e, reply));
          },
        );
      },
      (e: unknown) => {
        if (!isWebhookVerificationError(e)) return fail(e);
        // Reported to the verifier's onRejected hook too: it only sees what reaches verify() otherwise.
        answer(() => reject(verifier.reject(e, toWebhookRequest(request)), reply));
      },
    );
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

  function wrap(handler: Handler): Handler {
    if ((handler as Marked)[WRAPPED] === true) return handler;
    const wrapped = function hookguardHandler(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply): unknown {
      const state = (request as Held)[STATE];
      // Nothing unverified reaches the handler (the gate in preValidation answered already).
      if (state === undefined) {
        refuseUnverified(reply, detail, "hookguard's preParsing hook did not run for this route; keep the route's hooks from verifyWebhook()");
        return undefined;
      }
      if (state === ANSWERED) return undefined;
      // Something answered before the handler (a preHandler of the app, a late hook whose reply an
      // async onSend still holds): Fastify may call the handler all the same; it must not run.
      if (state.meant !== undefined || state.ended || reply.sent) return undefined;
      if (gone(request, reply)) {
        // Hung up before the handler ran: nobody reads the answer, the sender retries.
        state.ended = true;
        trySettle(state);
        reply.hijack();
        return undefined;
      }
      state.started = true;
      const finish = (failed: boolean) => {
        state.finished = true;
        state.failed = failed;
        trySettle(state);
      };
      const finishedOk = () => finish(false);
      let result: unknown;
      try {
        result = handler.call(this, request, reply);
      } catch (e) {
        finish(true);
        throw e;
      }
      // A native promise (an async handler) is watched beside Fastify, not wrapped: Fastify gets the
      // handler's own promise, one allocation and one microtask fewer per delivery. Ours is
      // subscribed first, so the handler counts as finished before Fastify sends its value. Only an
      // exact native promise: a subclass or an own `then` may do work per `then` call (a lazy
      // query), which must run once, as Fastify's own call.
      if (result instanceof Promise && Object.getPrototypeOf(result) === Promise.prototype && !Object.hasOwn(result, 'then')) {
        result.then(finishedOk, (_e: unknown) => finish(true));
        return result;
      }
      if (result !== null && typeof (result as PromiseLike<unknown>)?.then === 'function') {
        return (result as PromiseLike<unknown>).then(
          (value) => {
            finish(false);
            return value;
          },
          (e: unknown) => {
            finish(true);
            throw e;
          },
        );
      }
      finish(false);
      return result;
    };
    (wrapped as Marked)[WRAPPED] = true;
    return wrapped;
  }

  function onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void): void {
    // The status meant for the client: what settles when the client hung up and nothing finishes.
    const state = (request as Held)[STATE];
    if (state !== undefined && state !== ANSWERED) {
      state.meant = reply.statusCode;
      trySettle(state);
    }
    done(null, payload);
  }

  return { preParsing, preValidation, onSend, wrap };
}
