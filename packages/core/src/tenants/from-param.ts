import type { TenantResolver } from '../types.js';

/**
 * Tenant id from a route parameter, e.g. `/webhooks/:tenant`. A wildcard param that the framework
 * gives as segments (Express 5's `/*tenant` → `['a', 'b']`) is read as `a/b`, whichever adapter
 * passed it on.
 */
export function fromParam(name = 'tenant'): TenantResolver {
  return (request) => {
    const raw = request.params?.[name];
    const v = Array.isArray(raw) ? (raw.every((s) => typeof s === 'string') ? raw.join('/') : undefined) : raw;
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  };
}
