import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  isWebhookVerificationError,
  peerFromSocket,
  readRawBody,
  WebhookConfigError,
  WebhookVerificationError,
  type Verifier,
  type WebhookRequest,
} from '@hookguard/core';
import { WebhookVerifiers } from './webhook-verifiers.js';
import { WebhookRejectedException } from './webhook-rejected.exception.js';
import { WebhookAnswerException } from './lib/webhook-answer.exception.js';
import { getDeferredParseError } from './lib/deferred-parse-error.js';
import { getWebhookState, setWebhookState } from './lib/webhook-state.js';
import { nodeResponse } from './lib/http.js';
import type { WebhookHttpRequest } from './webhook-http-request.interface.js';
import { readVerifierName } from './lib/resolve-verifier-name.js';

const RAW_BODY_HINT =
  'create the app with NestFactory.create(AppModule, { rawBody: true }) so Nest keeps the exact bytes in req.rawBody';

/**
 * Verifies the webhook of a route marked with @VerifiedWebhook(). On success the request carries the
 * VerifiedWebhook (`req.webhook`, `@Webhook()`) and `req.body` holds the parsed payload; on failure it
 * throws WebhookRejectedException. Extend it and override the protected hooks to adapt it; pass the
 * subclass as `@VerifiedWebhook({ guard: MyGuard })`.
 */
@Injectable()
export class WebhookGuard implements CanActivate {
  constructor(
    @Optional() @Inject(WebhookVerifiers) protected readonly verifiers: WebhookVerifiers | undefined,
    @Inject(Reflector) protected readonly reflector: Reflector,
  ) {
    // Fails at bootstrap rather than on the first delivery.
    if (!verifiers) throw new WebhookConfigError('@VerifiedWebhook() needs WebhookModule.forRoot() or WebhookModule.forRootAsync() in your AppModule');
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') throw new WebhookConfigError('@VerifiedWebhook() works on HTTP routes only');
    const req = this.getRequest(context);
    // Applied on both the controller and the route: verify once (a second verify would see a replay).
    if (getWebhookState(req)) return true;
    const verifier = this.getVerifier(context);
    let request: WebhookRequest;
    try {
      request = await this.toWebhookRequest(req, verifier);
    } catch (e) {
      if (!isWebhookVerificationError(e)) throw e;
      // Raised before verify() (body too large, raw body unavailable): reported to the verifier's
      // onRejected hook too, which otherwise only sees what reaches verify().
      return this.reject(verifier.reject(e, { ...this.describeRequest(req), body: Buffer.alloc(0) }), context);
    }
    let webhook;
    try {
      webhook = await verifier.verify(request, { parse: true });
    } catch (e) {
      if (!isWebhookVerificationError(e)) throw e;
      return this.reject(e, context);
    }

    const res = nodeResponse(context.switchToHttp().getResponse());
    // The client went away while we verified: nobody can get an answer, and 'close' has already
    // fired, so free the key for the sender's retry instead of running the handler.
    if (res?.closed === true || res?.destroyed === true || req.socket?.destroyed === true) {
      await webhook.release().catch(() => undefined);
      return false;
    }
    // A sender's handshake (Adobe's verification of intent): core's answer, sent by
    // WebhookExceptionFilter; the handler never runs.
    if (webhook.answer) throw new WebhookAnswerException(webhook.answer);
    // What the sender requires on any answer (Adobe's client-id echo), set before the handler answers.
    if (webhook.responseHeaders) for (const [name, value] of Object.entries(webhook.responseHeaders)) res?.setHeader?.(name, value);
    const state = setWebhookState(req, webhook);
    req['webhook'] = webhook;
    req.body = webhook.payload;
    // Whatever ends the exchange before the interceptor takes over (another guard refused, the client
    // hung up before the handler) releases the key, and the handler is then never run. Once the
    // interceptor has taken over, only the handler's outcome settles: a hang-up mid-handler changes
    // nothing (the key stays reserved until the handler ends).
    res?.once?.('close', () => {
      if (state.intercepted) return;
      state.abandoned = true;
      void state.settle({ error: new Error(res.writableFinished ? 'the response ended before the handler ran' : 'the client disconnected before the handler ran') });
    });
    return true;
  }

  /** The framework request (Express by default). */
  protected getRequest(context: ExecutionContext): WebhookHttpRequest {
    return context.switchToHttp().getRequest<WebhookHttpRequest>();
  }

  /** Which verifier checks this route: @VerifiedWebhook(name), else the module's default. */
  protected getVerifier(context: ExecutionContext): Verifier {
    return this.verifiers!.get(readVerifierName(this.reflector, context.getHandler(), context.getClass()).name);
  }

  /** Framework request -> core's WebhookRequest. The body is Nest's `req.rawBody`, else read from the stream. */
  protected async toWebhookRequest(req: WebhookHttpRequest, verifier: Verifier): Promise<WebhookRequest> {
    return { ...this.describeRequest(req), body: await this.getRawBody(req, verifier) };
  }

  /** Everything of the WebhookRequest but the body. */
  protected describeRequest(req: WebhookHttpRequest): Omit<WebhookRequest, 'body'> {
    return {
      method: req.method ?? 'POST',
      url: req.originalUrl ?? req.url ?? '/',
      headers: req.headers,
      params: req.params ?? {},
      remoteAddress: req.socket?.remoteAddress,
      peer: peerFromSocket(req.socket),
    };
  }

  /**
   * The exact bytes: `req.rawBody` (NestFactory.create(..., { rawBody: true })), or the unread stream
   * for content types Nest's parsers skip. A body parsed without rawBody: RAW_BODY_UNAVAILABLE.
   */
  protected async getRawBody(req: WebhookHttpRequest, verifier: Verifier): Promise<Buffer> {
    if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
    // Nest's parser (useWebhookBodyParser) stopped at its own limit, after reading the upload off:
    // the sender gets hookguard's 413, in problem+json like every other rejection.
    if ((getDeferredParseError(req) as { type?: unknown } | undefined)?.type === 'entity.too.large')
      throw new WebhookVerificationError('BODY_TOO_LARGE', { detail: "the body exceeds the app's body parser limit" });
    const stream = (req.raw && typeof req.raw === 'object' ? req.raw : req) as Parameters<typeof readRawBody>[0];
    if (typeof stream.on !== 'function')
      throw new WebhookVerificationError('RAW_BODY_UNAVAILABLE', { detail: `req.rawBody is missing; ${RAW_BODY_HINT}` });
    return readRawBody(stream, { limit: verifier.maxBodyBytes, consumedHint: RAW_BODY_HINT });
  }

  /**
   * Called with every rejection (including the DUPLICATE acknowledgement) before the response.
   * Override to log or count, then call `super.onRejected`, or throw an exception of your own.
   */
  protected async onRejected(error: WebhookVerificationError, _context: ExecutionContext): Promise<void> {
    throw new WebhookRejectedException(error, { detail: this.verifiers!.problemDetail });
  }

  private async reject(error: WebhookVerificationError, context: ExecutionContext): Promise<never> {
    await this.onRejected(error, context);
    // An override that returns instead of throwing must not let the request through.
    throw new WebhookRejectedException(error, { detail: this.verifiers!.problemDetail });
  }
}
