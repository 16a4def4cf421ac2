import type { TenantConfig, Verifier, VerifierOptions } from './types.js';
import { createVerifier } from './create-verifier.js';
import { WebhookConfigError } from './webhook-config-error.js';

/** Options an adapter accepts: the verifier's own, or a verifier built with createVerifier(). */
export type VerifierSource<T extends TenantConfig = TenantConfig> = (VerifierOptions<T> & { verifier?: undefined }) | { verifier: Verifier<T>; scheme?: undefined };

/**
 * For adapters: the verifier to use, built once. Refuses a mix of both forms, which would
 * silently ignore one of them. With `where` (e.g. `verifier "github"`), createVerifier's own
 * configuration errors are prefixed with it too, so an app with several verifiers is told which.
 */
export function verifierFrom<T extends TenantConfig>(options: VerifierSource<T>, where?: string): Verifier<T> {
  const at = where ?? 'verifyWebhook';
  if (!options || typeof options !== 'object') throw new WebhookConfigError(`${at} needs an options object`);
  const { verifier } = options;
  if (verifier === undefined) {
    if (where === undefined) return createVerifier(options as VerifierOptions<T>);
    try {
      return createVerifier(options as VerifierOptions<T>);
    } catch (e) {
      throw e instanceof WebhookConfigError ? new WebhookConfigError(`${where}: ${e.message}`) : e;
    }
  }
  if ((options as { scheme?: unknown }).scheme !== undefined) throw new WebhookConfigError(`${at}: give either { verifier } or verifier options such as { scheme }, not both`);
  if (typeof verifier !== 'object' || typeof verifier.verify !== 'function' || typeof verifier.reject !== 'function' || typeof verifier.maxBodyBytes !== 'number')
    throw new WebhookConfigError(`${at}: \`verifier\` must come from createVerifier()`);
  return verifier;
}
