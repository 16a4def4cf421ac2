import { parse as parseQuery } from 'node:querystring';
import { Readable } from 'node:stream';
import { DRAIN_MAX_BYTES, isWebhookVerificationError, readRawBody, type WebhookVerificationError } from '@hookguard/core';
import { deferParseError, getDeferredParseError } from './deferred-parse-error.js';

/** The parts of Fastify's instance used here (Nest's FastifyAdapter.getInstance()). */
export interface FastifyLike {
  addHook(name: 'preParsing', hook: (request: FastifyRequestLike, reply: unknown, payload: Readable) => Promise<Readable | undefined>): unknown;
}
interface FastifyRequestLike {
  headers: Record<string, string | string[] | undefined>;
  rawBody?: Buffer;
  body?: unknown;
}
/** The parts of a NestFastifyApplication used here. */
export interface NestFastifyLike {
  useBodyParser(type: string | string[], options: { bodyLimit: number }, parser: (req: FastifyRequestLike, body: Buffer, done: (error: Error | null, body?: unknown) => void) => void): unknown;
}

const PARSED = ['application/json', 'application/x-www-form-urlencoded'];
// The preParsing hook is the bound; Fastify's own (checked on Content-Length first) would answer
// an oversized webhook with its 413 before any guard could, so it is raised past the hook's bound
// by core's drain allowance — and no further: whatever reaches these parsers without meeting the
// hook (a content type the hook's match misses) is still held to a fixed number of bytes.
const fastifyLimit = (limit: number): number => limit + DRAIN_MAX_BYTES;

function mediaType(request: FastifyRequestLike): string {
  const type = request.headers['content-type'];
  return typeof type === 'string' ? type.split(';', 1)[0]!.trim().toLowerCase() : '';
}

/**
 * Could Fastify hand this body to one of these parsers? Fastify 4 (Nest 10 and 11) matches a
 * parser by substring (`application/jsonl` reaches the JSON parser), Fastify 5 by media type: the
 * bound applies to every content type that contains one of them, so none reaches the unlimited parser.
 */
function mayReachParser(request: FastifyRequestLike): boolean {
  const type = request.headers['content-type'];
  if (typeof type !== 'string') return false;
  const lower = type.toLowerCase();
  return PARSED.some((t) => lower.includes(t));
}

/** A stream of `body`, reporting `encodedLength` read off the wire (Fastify checks it against Content-Length). */
function replay(body: Buffer, encodedLength: number): Readable {
  const stream = new Readable({ read() {} });
  if (body.length > 0) stream.push(body);
  stream.push(null);
  return Object.assign(stream, { receivedEncodedLength: encodedLength });
}

/**
 * NestJS on Fastify: the JSON and urlencoded bodies are read here, bounded by `limit` (over it the
 * upload is read off and dropped, within core's drain bound), and the exact bytes kept in
 * `req.rawBody`. A body too large or not parseable is deferred, not answered: @VerifiedWebhook()
 * routes check the signature first (401 when it is wrong, else 413 BODY_TOO_LARGE or 400
 * MALFORMED_PAYLOAD), and every other route gets Nest's 413 / 400 from BodyParseErrorGuard.
 */
export function useFastifyWebhookBodyParser(app: NestFastifyLike, fastify: FastifyLike, limit: number): void {
  fastify.addHook('preParsing', async (request, _reply, payload) => {
    if (!mayReachParser(request)) return payload;
    try {
      const body = await readRawBody(payload, { limit, consumedHint: 'register useWebhookBodyParser before other preParsing hooks that read the body' });
      request.rawBody = body;
      return replay(body, body.length);
    } catch (e) {
      if (!isWebhookVerificationError(e) || (e as WebhookVerificationError).code !== 'BODY_TOO_LARGE') throw e;
      deferParseError(request, Object.assign(new Error((e as WebhookVerificationError).message), { type: 'entity.too.large' }));
      // Nothing is handed on; Fastify's length check is satisfied with the declared length.
      const declared = Number(request.headers['content-length']);
      return replay(Buffer.alloc(0), Number.isFinite(declared) ? declared : 0);
    }
  });
  // With `done` declared: Nest 10 and 11 wait for it, Nest 12 completes through it.
  // (Nest adds the app's rawBody flag itself, and then keeps `body` in req.rawBody.)
  app.useBodyParser(PARSED, { bodyLimit: fastifyLimit(limit) }, (req, body, done) => {
    if (getDeferredParseError(req) !== undefined) {
      // Too large, deferred above: there are no bytes to keep or parse.
      delete req.rawBody;
      return done(null, undefined);
    }
    req.rawBody = body;
    const text = body.toString('utf8');
    let parsed: unknown;
    try {
      // As Nest's own Fastify parsers read them: JSON, and querystring for forms.
      parsed = mediaType(req).includes('application/json') ? (body.length === 0 ? undefined : JSON.parse(text)) : parseQuery(text);
    } catch (error) {
      deferParseError(req, Object.assign(new Error('the body is not valid JSON'), { type: 'entity.parse.failed', cause: error }));
    }
    done(null, parsed);
  });
}
