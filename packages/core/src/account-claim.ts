import type { ClaimCheck, TenantConfig } from './types.js';

/**
 * Checks that the payload's account (a dotted path, e.g. `account` or `data.account_id`) equals
 * the tenant's `account`. Stops the confused deputy: a valid sender delivering another
 * customer's events to this tenant's endpoint.
 */
export function accountClaim<T extends TenantConfig = TenantConfig>(path: string, expected?: (tenant: T) => string | undefined): ClaimCheck<T> {
  const parts = path.split('.');
  return ({ payload, tenantConfig }) => {
    const want = tenantConfig ? (expected ? expected(tenantConfig) : tenantConfig.account) : undefined;
    if (want === undefined) return false;
    let v: unknown = payload;
    for (const p of parts) {
      if (v === null || typeof v !== 'object') return false;
      v = (v as Record<string, unknown>)[p];
    }
    return typeof v === 'string' && v === want;
  };
}
