import type { PreparedKey, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { isWebhookVerificationError } from '../is-webhook-verification-error.js';

function noKeys(): PreparedKey[] {
  throw new WebhookConfigError('any(): keys belong to the schemes inside it');
}

/**
 * The first scheme that verifies wins (migrations from one format to another). When none does,
 * the error of a scheme whose headers were present is reported before a plain "missing".
 */
export function any(...schemes: Scheme[]): Scheme {
  if (schemes.length === 0) throw new WebhookConfigError('any() needs at least one scheme');
  return {
    name: schemes.map((s) => s.name).join('|'),
    staticKeys: undefined,
    prepareKeys: noKeys,
    children: schemes,
    verify(input: SchemeInput): SchemeVerdict {
      let best: unknown;
      for (const s of schemes) {
        try {
          return s.verify(input);
        } catch (e) {
          if (!isWebhookVerificationError(e)) throw e;
          if (best === undefined || (e.code !== 'MISSING_SIGNATURE' && (best as { code: string }).code === 'MISSING_SIGNATURE')) best = e;
        }
      }
      throw best;
    },
  };
}
