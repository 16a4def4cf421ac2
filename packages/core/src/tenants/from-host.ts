import type { TenantResolver } from '../types.js';
import { readHeader } from '../lib/headers.js';

export interface FromHostOptions {
  /** Only hosts ending in this suffix count; the tenant is the label before it (`acme` in `acme.hooks.example.com`). */
  suffix?: string;
}

/** Tenant id from the Host header: the first label, or the part before `suffix`. */
export function fromHost(options: FromHostOptions = {}): TenantResolver {
  const suffix = options.suffix?.toLowerCase().replace(/^\.?/, '.');
  return (request) => {
    const host = (readHeader(request.headers, 'host') ?? readHeader(request.headers, ':authority'))?.toLowerCase().replace(/:\d+$/, '');
    if (!host) return undefined;
    if (suffix) {
      if (!host.endsWith(suffix)) return undefined;
      const label = host.slice(0, -suffix.length);
      return label && !label.includes('.') ? label : undefined;
    }
    const label = host.split('.')[0];
    return label || undefined;
  };
}
