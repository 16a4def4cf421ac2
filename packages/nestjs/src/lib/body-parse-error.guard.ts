import { BadRequestException, PayloadTooLargeException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { getDeferredParseError } from './deferred-parse-error.js';
import { readVerifierName } from './resolve-verifier-name.js';

/**
 * Global guard installed by useWebhookBodyParser: a body that failed to parse goes on to webhook routes
 * (hookguard checks the signature first, then answers MALFORMED_PAYLOAD), and every other route answers
 * the same 400 Nest would have sent.
 */
export class BodyParseErrorGuard implements CanActivate {
  readonly #reflector = new Reflector();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const error = getDeferredParseError(context.switchToHttp().getRequest());
    if (error === undefined) return true;
    if (readVerifierName(this.#reflector, context.getHandler(), context.getClass()).found) return true;
    if ((error as { type?: unknown }).type === 'entity.too.large') throw new PayloadTooLargeException(error instanceof Error ? error.message : 'Payload Too Large', { cause: error });
    throw new BadRequestException(error instanceof Error ? error.message : 'Bad Request', { cause: error });
  }
}
