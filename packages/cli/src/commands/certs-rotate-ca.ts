import { join } from 'node:path';
import { CliError, EXIT } from '../lib/exit-codes.js';
import type { CommandOutput } from '../lib/command-output.js';
import { activeCa, checkTenantId, loadPki, savePki, writeCaBundle } from '../lib/pki-store.js';
import { createTenantCa } from '../lib/tenant-ca.js';
import { adviceText, bindingAdvice, type BindingAdvice } from '../lib/binding-advice.js';

export interface CertsRotateCaOptions {
  dir: string;
  cwd: string;
  tenant: string;
  /** End the window: drop every CA but the newest from the binding. */
  finish?: boolean;
  days?: number;
}

export interface CertsRotateCaJson {
  tenant: string;
  phase: 'started' | 'finished';
  /** The CA that now issues new certificates. */
  current: { serial: string; subject: string; cert: string };
  /** CAs still trusted during the window (started) or just retired (finished). */
  others: { serial: string; subject: string; cert: string }[];
  /** Certificates of retired CAs that are neither revoked nor expired: they stop working for the tenant. */
  stranded: string[];
  tenantConfig: BindingAdvice;
}

/**
 * Starts a CA rotation (a new CA issues from now on, old and new both trusted) or, with `finish`,
 * ends it (only the newest stays in the binding).
 */
export async function certsRotateCa(o: CertsRotateCaOptions): Promise<CommandOutput<CertsRotateCaJson>> {
  const tenant = checkTenantId(o.tenant);
  const index = await loadPki(o.dir);
  const t = index.tenants[tenant];
  if (!t) throw new CliError(`no tenant ${tenant} in this PKI: run \`hookguard certs tenant ${tenant}\` first`);
  const now = Date.now();
  let phase: CertsRotateCaJson['phase'];
  let others: typeof t.cas;
  if (o.finish) {
    const [newest, ...rest] = t.cas.filter(activeCa);
    if (!newest || rest.length === 0) throw new CliError(`${tenant} has no rotation in progress (one active CA)`, EXIT.problem);
    for (const ca of rest) ca.retiredAt = new Date(now).toISOString();
    phase = 'finished';
    others = rest;
  } else {
    if (t.cas.length >= 16) throw new CliError(`${tenant} has 16 CA generations; remove old ones from index.json first`);
    const ca = await createTenantCa(o.dir, index, tenant, t.cas.length + 1, o.days ?? 1825);
    others = t.cas.filter(activeCa);
    t.cas.unshift(ca);
    phase = 'started';
  }
  await writeCaBundle(o.dir, index, tenant);
  await savePki(o.dir, index);
  const current = t.cas.find(activeCa)!;
  const otherSerials = new Set(others.map((c) => c.serial));
  const stranded = index.certificates
    .filter((c) => otherSerials.has(c.issuer) && !c.revokedAt && Date.parse(c.notAfter) > now)
    .map((c) => c.serial);
  const advice = bindingAdvice(index, o.dir, tenant);
  const brief = (c: { serial: string; subject: string; cert: string }) => ({ serial: c.serial, subject: c.subject, cert: join(o.dir, c.cert) });
  return {
    exitCode: EXIT.ok,
    json: { tenant, phase, current: brief(current), others: others.map(brief), stranded, tenantConfig: advice },
    text: (s) =>
      (phase === 'started'
        ? [
            `${s.ok('rotation started')} for ${tenant}: ${current.subject} (serial ${current.serial}) issues new certificates;`,
            `  still trusted until \`hookguard certs rotate-ca ${tenant} --finish\`: ${others.map((c) => `${c.subject} (${c.serial})`).join(', ')}`,
            `  reissue each sender's certificate (\`hookguard certs issue ${tenant} ...\`), then finish.`,
          ]
        : [
            `${s.ok('rotation finished')} for ${tenant}: only ${current.subject} (serial ${current.serial}) is trusted now`,
            stranded.length > 0
              ? s.warn(`  ${stranded.length} certificate(s) of the retired CA are still valid and stop working: ${stranded.join(', ')}`)
              : '  no valid certificate of the retired CA is left',
          ]
      )
        .concat(adviceText(advice, o.cwd))
        .join('\n'),
  };
}
