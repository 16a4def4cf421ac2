import type { TenantConfig, VerifiedWebhook, Verifier, VerifierOptions } from '@hookguard/core';

/** What the Koa adapter adds to core's options. */
export interface KoaWebhookOptions {
  /**
   * 'respond' (default): answer a rejection here with problem+json (core's rejectionResponse).
   * 'throw': throw the WebhookVerificationError (with `status`, `expose` and `headers`) to your
   * own error middleware. A duplicate of a processed message is acknowledged (200) either way.
   */
  onError?: 'respond' | 'throw';
  /** Put the `detail` sentence in problem bodies (default true; details never hold secrets). */
  problemDetail?: boolean;
}

/** Either core's VerifierOptions (a verifier is built once, here) or a verifier you built. */
export type VerifyWebhookOptions<T extends TenantConfig = TenantConfig> = (
  | (VerifierOptions<T> & { verifier?: undefined })
  | { verifier: Verifier<T>; scheme?: undefined }
) &
  KoaWebhookOptions;

/** `ctx.state` after verifyWebhook let a request through. */
export interface WebhookState<P = unknown, T extends TenantConfig = TenantConfig> {
  webhook: VerifiedWebhook<P, T>;
}

// The same declaration as @koa/bodyparser's, so the two merge. `rawBody` is not declared here:
// @koa/bodyparser declares it as a string, and a second, different declaration would not compile
// in apps that use both. The typed raw bytes are `ctx.state.webhook.rawBody` (a Buffer).
declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}
