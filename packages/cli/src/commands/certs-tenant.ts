import { join } from 'node:path';
import { CliError, EXIT } from '../lib/exit-codes.js';
import type { CommandOutput } from '../lib/command-output.js';
import { checkTenantId, loadPki, savePki, writeCaBundle } from '../lib/pki-store.js';
import { createTenantCa } from '../lib/tenant-ca.js';
import { adviceText, bindingAdvice, shown, type BindingAdvice } from '../lib/binding-advice.js';

export interface CertsTenantOptions {
  dir: string;
  cwd: string;
  tenant: string;
  /** Validity of the tenant's CA, days (default 1825). */
  days?: number;
}

export interface CertsTenantJson {
  tenant: string;
  ca: { subject: string; serial: string; notAfter: string; cert: string; crl: string };
  tenantConfig: BindingAdvice;
}

/** Creates a tenant's own issuing CA under the root, and its (empty) CRL. */
export async function certsTenant(o: CertsTenantOptions): Promise<CommandOutput<CertsTenantJson>> {
  const tenant = checkTenantId(o.tenant);
  const index = await loadPki(o.dir);
  if (index.tenants[tenant]) throw new CliError(`tenant ${tenant} already has a CA; \`hookguard certs rotate-ca ${tenant}\` makes a new one`);
  const ca = await createTenantCa(o.dir, index, tenant, 1, o.days ?? 1825);
  index.tenants[tenant] = { cas: [ca] };
  await writeCaBundle(o.dir, index, tenant);
  await savePki(o.dir, index);
  const advice = bindingAdvice(index, o.dir, tenant);
  return {
    exitCode: EXIT.ok,
    json: { tenant, ca: { subject: ca.subject, serial: ca.serial, notAfter: ca.notAfter, cert: join(o.dir, ca.cert), crl: join(o.dir, ca.crl) }, tenantConfig: advice },
    text: (s) =>
      [
        `${s.ok('created')} ${tenant}'s CA ${ca.subject} (serial ${ca.serial}), valid until ${ca.notAfter.slice(0, 10)}`,
        `  ${shown(join(o.dir, ca.cert), o.cwd)}, CRL ${shown(join(o.dir, ca.crl), o.cwd)} ${s.dim('(next update in 30 days: refresh with `hookguard certs crl`)')}`,
        adviceText(advice, o.cwd),
        `Next: hookguard certs issue ${tenant} --san spiffe://<your-domain>/${tenant}`,
      ].join('\n'),
  };
}
