import type { TenantConfig, VerifiedWebhook, Verifier, VerifierOptions } from '@hookguard/core';

/** What the Fastify adapter adds to core's options. */
export interface FastifyWebhookOptions {
  /**
   * 'respond' (default): answer a rejection here with problem+json (core's rejectionResponse).
   * 'throw': hand the WebhookVerificationError (it carries `statusCode`) to Fastify's error
   * handler (`setErrorHandler`). A duplicate of a processed message is acknowledged (200) either way.
   */
  onError?: 'respond' | 'throw';
  /** Put the `detail` sentence in problem bodies (default true; details never hold secrets). */
  problemDetail?: boolean;
}

/** Either core's VerifierOptions (a verifier is built once per route) or a verifier you built. */
export type VerifyWebhookOptions<T extends TenantConfig = TenantConfig> = (
  | (VerifierOptions<T> & { verifier?: undefined })
  | { verifier: Verifier<T>; scheme?: undefined }
) &
  FastifyWebhookOptions;

/** Options of the `hookguard` plugin: defaults for every route that names `config.webhook`. */
export type HookguardPluginOptions = FastifyWebhookOptions;

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified delivery, on routes that verify webhooks (null elsewhere). */
    webhook: VerifiedWebhook | null;
  }
  interface FastifyContextConfig {
    /** Verify this route's deliveries (needs `app.register(hookguard)` before the route). */
    webhook?: VerifyWebhookOptions;
  }
}
