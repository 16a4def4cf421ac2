import type { TenantResolver } from '../types.js';

/** Tenant id from a route parameter, e.g. `/webhooks/:tenant`. */
export function fromParam(name = 'tenant'): TenantResolver {
  return (request) => {
    const v = request.params?.[name];
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  };
}
