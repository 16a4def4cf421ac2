import type { TenantResolver } from '../types.js';

/**
 * Tenant id from the request path by a pattern's first capture group, for middleware mounted
 * where the framework has no route params: `fromPath(/^\/webhooks\/([^/?]+)/)`.
 */
export function fromPath(pattern: RegExp): TenantResolver {
  return (request) => {
    const m = pattern.exec(request.url);
    const v = m?.[1];
    if (!v) return undefined;
    try {
      return decodeURIComponent(v);
    } catch {
      return undefined;
    }
  };
}
