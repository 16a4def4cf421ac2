import { applyDecorators, SetMetadata, UseFilters, UseGuards, UseInterceptors, type CanActivate, type Type } from '@nestjs/common';
import { VERIFIED_WEBHOOK_METADATA } from './webhook.constants.js';
import { WebhookGuard } from './webhook.guard.js';
import { WebhookInterceptor } from './webhook.interceptor.js';
import { WebhookExceptionFilter } from './webhook-exception.filter.js';
import type { VerifiedWebhookMetadata } from './lib/resolve-verifier-name.js';

export interface VerifiedWebhookOptions {
  /** A named verifier from `forRoot({ verifiers })`; default: the module's default verifier. */
  verifier?: string;
  /** A subclass of WebhookGuard to use instead of it. */
  guard?: Type<WebhookGuard & CanActivate>;
}

/**
 * Marks a route (or every route of a controller) as a webhook endpoint: verifies the request with
 * WebhookGuard, settles the replay reservation with WebhookInterceptor after the handler, and answers
 * rejections as application/problem+json with WebhookExceptionFilter.
 *
 *   @VerifiedWebhook()          the default verifier
 *   @VerifiedWebhook('github')  a named verifier
 *   @VerifiedWebhook({ verifier: 'github', guard: MyWebhookGuard })
 */
export function VerifiedWebhook(nameOrOptions?: string | VerifiedWebhookOptions): MethodDecorator & ClassDecorator {
  const options: VerifiedWebhookOptions = typeof nameOrOptions === 'string' ? { verifier: nameOrOptions } : (nameOrOptions ?? {});
  const metadata: VerifiedWebhookMetadata = options.verifier === undefined ? {} : { verifier: options.verifier };
  return applyDecorators(
    SetMetadata(VERIFIED_WEBHOOK_METADATA, metadata),
    UseFilters(WebhookExceptionFilter),
    UseGuards(options.guard ?? WebhookGuard),
    UseInterceptors(WebhookInterceptor),
  );
}
