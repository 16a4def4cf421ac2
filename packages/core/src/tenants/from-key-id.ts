import type { TenantResolver } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { signatureKeyIds } from '../lib/http-signature-fields.js';

export interface FromKeyIdOptions {
  /** Only signatures with these labels (as httpSignature({ labels })); default every label. */
  labels?: readonly string[];
  /** The tenant a keyid belongs to (default: the keyid itself), e.g. `(k) => k.split(':')[0]`. */
  tenantOf?: (keyid: string) => string | undefined;
}

/**
 * Tenant id from the `keyid` of the request's RFC 9421 signatures (httpSignature()). Sound because the
 * keyid is signed and selects the key by its `id`: a signature verifies only under a key of the tenant
 * it names. Signatures naming different tenants are TENANT_MISMATCH.
 */
export function fromKeyId(options: FromKeyIdOptions = {}): TenantResolver {
  const labels = options.labels;
  const tenantOf = options.tenantOf ?? ((k: string) => k);
  return (request) => {
    const read = signatureKeyIds(request.headers, labels);
    if ('missing' in read) throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no Signature-Input header to read a keyid from', scheme: 'httpSignature' });
    if ('malformed' in read) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: read.malformed, scheme: 'httpSignature' });
    let tenant: string | undefined;
    for (const keyid of read.keyids) {
      const t = tenantOf(keyid);
      if (t === undefined) continue;
      if (tenant !== undefined && t !== tenant) throw new WebhookVerificationError('TENANT_MISMATCH', { detail: 'the signatures name keys of different tenants' });
      tenant = t;
    }
    return tenant;
  };
}
