import type { TenantResolver } from '../types.js';
import { readHeader } from '../lib/headers.js';

/** Tenant id from a request header. Only sound when the header is signed or set by your own proxy. */
export function fromHeader(name: string): TenantResolver {
  const lower = name.toLowerCase();
  return (request) => {
    const v = readHeader(request.headers, lower)?.trim();
    return v ? v : undefined;
  };
}
