import type { FactoryProvider, ModuleMetadata, Type } from '@nestjs/common';
import type { Verifier, VerifierOptions } from '@hookguard/core';

/** One verifier: core options (built by the module), or a verifier you built with createVerifier. */
// `any` tenant config so options typed with a narrower TenantConfig are accepted.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WebhookVerifierConfig = VerifierOptions<any> | { verifier: Verifier<any> };

export interface WebhookModuleCommonOptions {
  /** Include the `detail` member in problem responses (default true). Details never hold secrets. */
  problemDetail?: boolean;
}

/** Several verifiers by name; `@VerifiedWebhook('github')` picks one. */
export interface NamedWebhookVerifiers extends WebhookModuleCommonOptions {
  verifiers: Readonly<Record<string, WebhookVerifierConfig>>;
  /** Used by `@VerifiedWebhook()` without a name. Optional when there is only one verifier. */
  default?: string;
}

/** What forRoot takes and forRootAsync's factory returns. */
export type WebhookModuleOptions = (WebhookVerifierConfig & WebhookModuleCommonOptions) | NamedWebhookVerifiers;

/** A class for forRootAsync's `useClass` / `useExisting`. */
export interface WebhookOptionsFactory {
  createWebhookOptions(): WebhookModuleOptions | Promise<WebhookModuleOptions>;
}

export interface WebhookModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory?: (...args: any[]) => WebhookModuleOptions | Promise<WebhookModuleOptions>;
  /** Tokens passed to useFactory, in order (from `imports` or global modules). */
  inject?: FactoryProvider['inject'];
  useClass?: Type<WebhookOptionsFactory>;
  useExisting?: Type<WebhookOptionsFactory>;
}
