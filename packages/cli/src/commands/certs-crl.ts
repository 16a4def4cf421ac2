import { join } from 'node:path';
import { CliError, EXIT } from '../lib/exit-codes.js';
import type { CommandOutput } from '../lib/command-output.js';
import { activeCa, checkTenantId, loadPki, savePki } from '../lib/pki-store.js';
import { refreshCrl } from '../lib/crl-refresh.js';
import { shown } from '../lib/binding-advice.js';

export interface CertsCrlOptions {
  dir: string;
  cwd: string;
  /** One tenant; omit for every tenant. */
  tenant?: string;
  /** Days until nextUpdate (default 30). Past it, hookguard refuses every certificate of the tenant. */
  days?: number;
}

export interface CertsCrlJson {
  crls: { tenant: string; ca: string; crl: string; number: number; nextUpdate: string; revoked: string[] }[];
}

/** Re-signs the CRLs of a tenant's CAs (or every tenant's) with a fresh nextUpdate. */
export async function certsCrl(o: CertsCrlOptions): Promise<CommandOutput<CertsCrlJson>> {
  const index = await loadPki(o.dir);
  const tenants = o.tenant !== undefined ? [checkTenantId(o.tenant)] : Object.keys(index.tenants);
  const out: CertsCrlJson['crls'] = [];
  for (const tenant of tenants) {
    const t = index.tenants[tenant];
    if (!t) throw new CliError(`no tenant ${tenant} in this PKI`);
    for (const ca of t.cas.filter(activeCa)) {
      await refreshCrl(o.dir, index, ca, o.days ?? 30);
      const revoked = index.certificates.filter((c) => c.issuer === ca.serial && c.revokedAt).map((c) => c.serial);
      out.push({ tenant, ca: ca.serial, crl: join(o.dir, ca.crl), number: ca.crlNumber, nextUpdate: ca.crlNextUpdate, revoked });
    }
  }
  await savePki(o.dir, index);
  return {
    exitCode: EXIT.ok,
    json: { crls: out },
    text: (s) =>
      out.length === 0
        ? 'no tenant CAs yet: `hookguard certs tenant <id>`'
        : [
            ...out.map(
              (c) => `${s.ok('signed')} ${shown(c.crl, o.cwd)}  ${c.tenant}, CA ${c.ca}, number ${c.number}, ${c.revoked.length} revoked, next update ${c.nextUpdate.slice(0, 10)}`,
            ),
            "Reload each tenant's certificates.crls before the next update (past it, hookguard refuses every certificate of that tenant: CERT_UNTRUSTED).",
          ].join('\n'),
  };
}
