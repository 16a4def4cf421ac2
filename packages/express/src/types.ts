import type { TenantConfig, VerifiedWebhook, Verifier, VerifierOptions } from '@hookguard/core';

/** Options of the Express adapter itself, beside the verifier's. */
export interface ExpressAdapterOptions {
  /**
   * 'respond' (default): answer a rejection at once with core's rejectionResponse (problem+json;
   * a duplicate of a processed message gets 200). 'next': call `next(error)` with the
   * WebhookVerificationError, for your own error handler.
   */
  onError?: 'respond' | 'next';
  /** Include `detail` in the problem body (default true). Details never hold a secret. */
  problemDetail?: boolean;
}

/** Build the verifier from core options... */
export type VerifyWebhookVerifierOptions<T extends TenantConfig = TenantConfig> = VerifierOptions<T> & ExpressAdapterOptions & { verifier?: never };

/** ...or hand over one you built with createVerifier() (shared by several routes, for instance). */
export type VerifyWebhookPrebuiltOptions<T extends TenantConfig = TenantConfig> = { verifier: Verifier<T> } & ExpressAdapterOptions;

export type VerifyWebhookOptions<T extends TenantConfig = TenantConfig> = VerifyWebhookVerifierOptions<T> | VerifyWebhookPrebuiltOptions<T>;

// `req.webhook` for every Express request type. Both @types/express 4 and 5 build their Request on
// the global Express.Request interface, so one augmentation serves both.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by verifyWebhook() once the delivery verified; `req.body` then holds its parsed payload. */
      webhook?: VerifiedWebhook;
    }
  }
}
