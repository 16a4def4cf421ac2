import type { TenantResolver } from '../types.js';
import { commonNames, subjectAltNames } from '../lib/x509.js';

export interface FromCertificateOptions {
  /** Which name to read: a SAN URI (default), a SAN DNS name, or the subject CN. */
  field?: 'uri' | 'dns' | 'cn';
  /** Pattern whose first capture group is the tenant id, e.g. /^spiffe:\/\/hooks\/tenant\/([^/]+)$/; default: the whole name. */
  pattern?: RegExp;
}

/**
 * Tenant id from the client certificate. Resolving from an unverified certificate is safe:
 * `mtls()` then checks that very certificate against the tenant it named. With `fromParam` as
 * well, both must agree (TENANT_MISMATCH).
 */
export function fromCertificate(options: FromCertificateOptions = {}): TenantResolver {
  const field = options.field ?? 'uri';
  const pattern = options.pattern;
  return (request) => {
    const cert = request.peer?.certificate;
    if (!cert) return undefined;
    const names = field === 'cn' ? commonNames(cert) : subjectAltNames(cert)[field];
    for (const name of names) {
      if (!pattern) return name;
      const m = pattern.exec(name);
      if (m?.[1]) return m[1];
    }
    return undefined;
  };
}
