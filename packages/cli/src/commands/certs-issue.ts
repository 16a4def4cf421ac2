import { join } from 'node:path';
import { CliError, EXIT, usageError } from '../lib/exit-codes.js';
import type { CommandOutput } from '../lib/command-output.js';
import { checkTenantId, currentCa, loadPki, readPem, savePki, writeKey, writePublic, type CertRecord } from '../lib/pki-store.js';
import { orgOf } from '../lib/tenant-ca.js';
import { makeLeaf, type Eku } from '../lib/x509-issue.js';
import { adviceText, bindingAdvice, shown, type BindingAdvice } from '../lib/binding-advice.js';
import { parseSans } from '../lib/sans.js';

const DAY = 24 * 60 * 60 * 1000;

export interface CertsIssueOptions {
  dir: string;
  cwd: string;
  tenant: string;
  /** `uri:...`, `dns:...` or bare values. */
  san: readonly string[];
  /** Validity, days (default 90). */
  days?: number;
  /** Start of validity (default: a minute ago); with a past date, rehearses an expired certificate. */
  notBefore?: Date;
  /** Subject CN (default `<tenant> sender`). */
  cn?: string;
  /** Extended key usage (default clientAuth; serverAuth and none rehearse CERT_WRONG_USAGE). */
  eku?: Eku;
  /** File name (default the serial): certs/<name>.pem, <name>-chain.pem, <name>.key. */
  name?: string;
}

export interface CertsIssueJson {
  tenant: string;
  serial: string;
  subject: string;
  uris: string[];
  dns: string[];
  fingerprint: string;
  notBefore: string;
  notAfter: string;
  eku: Eku;
  cert: string;
  chain: string;
  key: string;
  tenantConfig: BindingAdvice;
}

/** Issues a client certificate from the tenant's current CA: clientAuth EKU, SAN URI / DNS. */
export async function certsIssue(o: CertsIssueOptions): Promise<CommandOutput<CertsIssueJson>> {
  const tenant = checkTenantId(o.tenant);
  const sans = parseSans(o.san);
  if (sans.ips.length > 0) throw usageError('client certificates carry uri: or dns: names; ip: is for `certs server`');
  const index = await loadPki(o.dir);
  const ca = currentCa(index, tenant);
  const issuer = { certPem: await readPem(o.dir, ca.cert), keyPem: await readPem(o.dir, ca.key) };
  const notBefore = o.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + (o.days ?? 90) * DAY);
  const org = orgOf(index);
  const cn = o.cn ?? `${tenant} sender`;
  if (/[,=+<>#;\\"]/.test(cn)) throw usageError('--cn may not hold , = + < > # ; \\ or "');
  const eku = o.eku ?? 'clientAuth';
  const leaf = await makeLeaf({ subject: `CN=${cn}, O=${org}`, sans, eku, notBefore, notAfter, issuer });
  const folder = join('tenants', tenant, 'certs');
  const name = o.name ?? leaf.serial;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(name)) throw usageError('--name must be 1-63 letters, digits, - or _');
  if (index.certificates.some((c) => c.cert === join(folder, `${name}.pem`))) throw new CliError(`${tenant} already has a certificate named ${name}`, EXIT.usage);
  const record: CertRecord = {
    serial: leaf.serial, kind: 'client', tenant, issuer: ca.serial, subject: leaf.subject, uris: sans.uris, dns: sans.dns, ips: [], eku,
    cert: join(folder, `${name}.pem`), chain: join(folder, `${name}-chain.pem`), key: join(folder, `${name}.key`),
    notBefore: leaf.notBefore.toISOString(), notAfter: leaf.notAfter.toISOString(), fingerprint: leaf.fingerprint,
  };
  await writeKey(join(o.dir, record.key), leaf.keyPem);
  await writePublic(join(o.dir, record.cert), leaf.certPem);
  await writePublic(join(o.dir, record.chain), leaf.certPem + issuer.certPem);
  index.certificates.push(record);
  await savePki(o.dir, index);
  const advice = bindingAdvice(index, o.dir, tenant);
  const json: CertsIssueJson = {
    tenant, serial: leaf.serial, subject: leaf.subject, uris: sans.uris, dns: sans.dns, fingerprint: leaf.fingerprint,
    notBefore: record.notBefore, notAfter: record.notAfter, eku,
    cert: join(o.dir, record.cert), chain: join(o.dir, record.chain), key: join(o.dir, record.key), tenantConfig: advice,
  };
  const names = [...sans.uris, ...sans.dns];
  return {
    exitCode: EXIT.ok,
    json,
    text: (s) =>
      [
        `${s.ok('issued')} ${leaf.subject} for ${tenant} (serial ${leaf.serial}, ${eku === 'clientAuth' ? 'clientAuth' : s.warn(`EKU ${eku}: not usable for client authentication`)})`,
        `  ${names.length > 0 ? `SAN ${names.join(', ')}` : s.warn('no SAN: the binding can only rely on the CA')}; valid ${record.notBefore.slice(0, 10)} to ${record.notAfter.slice(0, 10)}`,
        `  sender presents ${shown(json.chain, o.cwd)} (certificate + ${tenant}'s CA) with key ${shown(json.key, o.cwd)} ${s.dim('(mode 0600)')}`,
        `  SHA-256 fingerprint ${leaf.fingerprint} ${s.dim('(for certificates.fingerprints, if you pin)')}`,
        adviceText(advice, o.cwd),
      ].join('\n'),
  };
}
