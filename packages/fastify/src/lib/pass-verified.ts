import type { FastifyReply, FastifyRequest } from 'fastify';

/*
 * Fastify has no per-route content-type parser, and on a hookguard route the parser's work is
 * thrown away: request.body becomes core's payload of the verified bytes. So the route's context
 * gets a parser that hands a verified request straight on and sends anything else through
 * Fastify's own. The context is Fastify's (request[kRouteContext], Symbol('fastify.context') in
 * Fastify 4 and 5); when it is not found the route keeps Fastify's parser, which is slower, not
 * less safe (request.body is overwritten in preValidation all the same).
 */

type Next = (request: FastifyRequest, reply: FastifyReply) => void;
interface Parser {
  run(contentType: string, next: Next, request: FastifyRequest, reply: FastifyReply): void;
}
interface RouteContext {
  contentTypeParser?: Parser;
  /** The route's preParsing hooks, app-level ones first (bound copies: not comparable with ours). */
  preParsing?: readonly unknown[] | null;
}

const PASSES = Symbol('hookguard.fastify.passes');
type Passing = Parser & { [PASSES]?: true };

// Found once per Fastify copy (Fastify 4 and 5 side by side have different symbols).
let contextKey: symbol | undefined;

function routeContext(request: FastifyRequest): RouteContext | undefined {
  const held = request as unknown as Record<symbol, unknown>;
  if (contextKey === undefined || held[contextKey] === undefined) {
    contextKey = Object.getOwnPropertySymbols(request).find((s) => s.description === 'fastify.context');
    if (contextKey === undefined) return undefined;
  }
  const context = held[contextKey];
  return typeof context === 'object' && context !== null ? (context as RouteContext) : undefined;
}

/**
 * Makes the request's route pass verified requests around Fastify's content-type parser.
 * `take(request)` says whether a request was verified (and sets request.body); only those skip
 * the parser. Returns 'alone' when the parser is skipped and hookguard's is the route's only
 * preParsing hook (nothing after it reads the payload stream), 'skipped' when another preParsing
 * hook may follow it, and false when the route keeps Fastify's parser.
 */
export function passVerified(request: FastifyRequest, take: (request: FastifyRequest) => boolean): 'alone' | 'skipped' | false {
  const context = routeContext(request);
  const own = context?.contentTypeParser as Passing | undefined;
  if (context === undefined || own === undefined || typeof own.run !== 'function') return false;
  if (own[PASSES] !== true) {
    const passing = Object.create(own) as Passing;
    passing.run = function run(contentType, next, req, reply) {
      if (take(req)) next(req, reply);
      else own.run(contentType, next, req, reply);
    };
    passing[PASSES] = true;
    context.contentTypeParser = passing;
  }
  return Array.isArray(context.preParsing) && context.preParsing.length === 1 ? 'alone' : 'skipped';
}
