import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError, EXIT } from '../lib/exit-codes.js';
import type { CommandOutput } from '../lib/command-output.js';
import { activeCa, caBundlePath, loadPki, savePki, writeCaBundle } from '../lib/pki-store.js';
import { refreshCrl } from '../lib/crl-refresh.js';
import { shown } from '../lib/binding-advice.js';

export interface CertsRevokeOptions {
  dir: string;
  cwd: string;
  /** A serial (hex, any case, colons allowed) or the path of the certificate's PEM. */
  target: string;
  /** Validity of the re-signed CRL, days (default 30). */
  crlDays?: number;
}

export interface CertsRevokeJson {
  serial: string;
  kind: 'client' | 'server' | 'tenant-ca';
  tenant: string | null;
  revokedAt: string;
  crl: string | null;
  /** What the receiver changes: the CRL to reload, or the CA to drop from the tenant's binding. */
  tenantConfig: { crls?: string[]; revokedSerials: string[]; ca?: string };
}

function normalize(serial: string): string {
  return serial.replace(/[^0-9a-fA-F]/g, '').toUpperCase().replace(/^0+(?=.)/, '');
}

/** Revokes a client certificate (re-signs its CA's CRL) or a whole tenant CA (cuts off that tenant only). */
export async function certsRevoke(o: CertsRevokeOptions): Promise<CommandOutput<CertsRevokeJson>> {
  const index = await loadPki(o.dir);
  let serial = normalize(o.target);
  if (/[/\\.]/.test(o.target)) {
    let pem: string;
    try {
      pem = await readFile(o.target, 'utf8');
    } catch {
      throw new CliError(`cannot read ${o.target}`);
    }
    serial = normalize(new X509Certificate(pem).serialNumber);
  }
  const now = new Date().toISOString();
  const leaf = index.certificates.find((c) => c.serial === serial);
  if (leaf) {
    if (leaf.revokedAt) throw new CliError(`certificate ${serial} was already revoked on ${leaf.revokedAt}`, EXIT.problem);
    leaf.revokedAt = now;
    const ca = leaf.tenant ? index.tenants[leaf.tenant]?.cas.find((c) => c.serial === leaf.issuer) : undefined;
    if (ca) await refreshCrl(o.dir, index, ca, o.crlDays ?? 30);
    await savePki(o.dir, index);
    const revokedSerials = index.certificates.filter((c) => c.issuer === leaf.issuer && c.revokedAt).map((c) => c.serial);
    const crl = ca ? join(o.dir, ca.crl) : null;
    const json: CertsRevokeJson = {
      serial, kind: leaf.kind, tenant: leaf.tenant ?? null, revokedAt: now, crl,
      tenantConfig: { ...(crl ? { crls: [crl] } : {}), revokedSerials },
    };
    return {
      exitCode: EXIT.ok,
      json,
      text: (s) =>
        [
          `${s.ok('revoked')} ${leaf.subject} (serial ${serial}${leaf.tenant ? `, tenant ${leaf.tenant}` : ''})`,
          crl ? `  CRL re-signed: ${shown(crl, o.cwd)} (number ${ca!.crlNumber}, next update ${ca!.crlNextUpdate.slice(0, 10)})` : '  server certificates have no CRL here: replace the certificate on the server',
          leaf.tenant
            ? `Reload ${leaf.tenant}'s certificates.crls (or set revokedSerials: [${revokedSerials.map((x) => `'${x}'`).join(', ')}]), then call verifier.invalidate('${leaf.tenant}'): the next request on an open connection is refused too.`
            : '',
        ].filter(Boolean).join('\n'),
    };
  }
  for (const [tenant, t] of Object.entries(index.tenants)) {
    const ca = t.cas.find((c) => c.serial === serial);
    if (!ca) continue;
    if (ca.revokedAt) throw new CliError(`CA ${serial} of ${tenant} was already revoked on ${ca.revokedAt}`, EXIT.problem);
    ca.revokedAt = now;
    await writeCaBundle(o.dir, index, tenant);
    await savePki(o.dir, index);
    const json: CertsRevokeJson = { serial, kind: 'tenant-ca', tenant, revokedAt: now, crl: null, tenantConfig: { revokedSerials: [serial], ca: join(o.dir, caBundlePath(tenant)) } };
    return {
      exitCode: EXIT.ok,
      json,
      text: (s) =>
        [
          `${s.ok('revoked')} ${tenant}'s CA ${ca.subject} (serial ${serial}): every certificate it issued stops working for ${tenant}, and only for ${tenant}`,
          `${shown(json.tenantConfig.ca!, o.cwd)} no longer holds it: reload ${tenant}'s certificates.ca from it (or add '${serial}' to its revokedSerials), then verifier.invalidate('${tenant}').`,
          t.cas.some(activeCa) ? '' : `${tenant} has no CA left: \`hookguard certs rotate-ca ${tenant}\` makes a new one.`,
        ].filter(Boolean).join('\n'),
    };
  }
  throw new CliError(`no certificate with serial ${serial} in ${o.dir}`);
}
