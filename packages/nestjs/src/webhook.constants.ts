// String tokens (not symbols or classes) so two copies of this package, e.g. its ESM and CJS
// builds loaded side by side, still find each other's providers and metadata.

/** Injection token of the options given to WebhookModule.forRoot / forRootAsync. */
export const WEBHOOK_MODULE_OPTIONS = 'HOOKGUARD:WEBHOOK_MODULE_OPTIONS';

/**
 * Injection token of a core `ReplayStore` (e.g. a Redis store). Provide it in a global module, or
 * in a module listed in forRootAsync's `imports`; verifiers whose options name no
 * `replay.store` then share it.
 */
export const WEBHOOK_REPLAY_STORE = 'HOOKGUARD:WEBHOOK_REPLAY_STORE';

/** Metadata key written by @VerifiedWebhook(): `{ verifier?: string }`. */
export const VERIFIED_WEBHOOK_METADATA = 'hookguard:verified-webhook';

/** Name of the verifier built from single-verifier options (`forRoot({ scheme, ... })`). */
export const DEFAULT_VERIFIER_NAME = 'default';
