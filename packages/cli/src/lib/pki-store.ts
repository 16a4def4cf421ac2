// The on-disk test PKI: one folder, an index.json that says what each file is, keys mode 0600.
import { mkdir, open, readFile, rename, writeFile, chmod } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { CliError, usageError } from './exit-codes.js';
import type { Eku } from './x509-issue.js';

export interface CaRecord {
  serial: string;
  subject: string;
  /** Paths relative to the PKI folder. */
  cert: string;
  key: string;
  notBefore: string;
  notAfter: string;
  fingerprint: string;
}

export interface TenantCaRecord extends CaRecord {
  crl: string;
  crlNumber: number;
  crlNextUpdate: string;
  /** Set by `rotate-ca --finish`: no longer in the tenant's binding, kept for the record. */
  retiredAt?: string;
  /** Set by `revoke <ca serial>`: cut off, out of the binding. */
  revokedAt?: string;
}

/** Still in the tenant's binding: neither retired after a rotation nor revoked. */
export function activeCa(ca: TenantCaRecord): boolean {
  return ca.retiredAt === undefined && ca.revokedAt === undefined;
}

export interface CertRecord {
  serial: string;
  kind: 'client' | 'server';
  tenant?: string;
  /** Serial of the CA that issued it. */
  issuer: string;
  subject: string;
  uris: string[];
  dns: string[];
  ips: string[];
  eku: Eku;
  cert: string;
  chain: string;
  key: string;
  notBefore: string;
  notAfter: string;
  fingerprint: string;
  revokedAt?: string;
}

export interface PkiIndex {
  version: 1;
  root: CaRecord;
  /** Newest CA first; the first one not retired issues new certificates. */
  tenants: Record<string, { cas: TenantCaRecord[] }>;
  certificates: CertRecord[];
}

export const INDEX_FILE = 'index.json';

/** `--dir`, else $HOOKGUARD_PKI_DIR, else ./hookguard-pki. */
export function pkiDir(option: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  return resolve(cwd, option || env.HOOKGUARD_PKI_DIR || 'hookguard-pki');
}

// Tenant ids become folder names: no separators, no dot-dot, bounded.
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
export function checkTenantId(id: string | undefined): string {
  if (id === undefined || !TENANT_ID.test(id)) throw usageError(`tenant id must be 1-63 letters, digits, - or _ (got ${JSON.stringify(id ?? '')})`);
  return id;
}

export async function loadPki(dir: string): Promise<PkiIndex> {
  let text: string;
  try {
    text = await readFile(join(dir, INDEX_FILE), 'utf8');
  } catch {
    throw new CliError(`no PKI in ${dir}: run \`hookguard certs init\` first (or pass --dir)`);
  }
  const index = JSON.parse(text) as PkiIndex;
  if (index.version !== 1) throw new CliError(`${join(dir, INDEX_FILE)}: unknown version ${String(index.version)}`);
  return index;
}

/** Written beside and renamed over, so an interrupted command never leaves half an index. */
export async function savePki(dir: string, index: PkiIndex): Promise<void> {
  const path = join(dir, INDEX_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(index, null, 2) + '\n', { mode: 0o644 });
  await rename(tmp, path);
}

export async function ensureDir(path: string, mode = 0o755): Promise<void> {
  await mkdir(path, { recursive: true, mode });
}

/** A private key: created 0600 (never overwritten), chmod'ed again in case the file system ignored the mode. */
export async function writeKey(path: string, pem: string): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(pem);
    await handle.chmod(0o600);
  } finally {
    await handle.close();
  }
}

export async function writePublic(path: string, pem: string): Promise<void> {
  await writeFile(path, pem, { mode: 0o644 });
  await chmod(path, 0o644);
}

export function rel(dir: string, path: string): string {
  return relative(dir, path);
}

export async function readPem(dir: string, path: string): Promise<string> {
  return readFile(join(dir, path), 'utf8');
}

/** The CA that issues a tenant's new certificates: the newest one not retired. */
export function currentCa(index: PkiIndex, tenant: string): TenantCaRecord {
  const t = index.tenants[tenant];
  if (!t) throw new CliError(`no tenant ${tenant} in this PKI: run \`hookguard certs tenant ${tenant}\` first`);
  const ca = t.cas.find(activeCa);
  if (!ca) throw new CliError(`tenant ${tenant} has no active CA: run \`hookguard certs rotate-ca ${tenant}\``);
  return ca;
}

/** The tenant's bundle of active CA certificates, rewritten whenever the set changes. */
export function caBundlePath(tenant: string): string {
  return join('tenants', tenant, 'ca.pem');
}

export async function writeCaBundle(dir: string, index: PkiIndex, tenant: string): Promise<void> {
  const cas = (index.tenants[tenant]?.cas ?? []).filter(activeCa);
  const pems = await Promise.all(cas.map((c) => readPem(dir, c.cert)));
  await writePublic(join(dir, caBundlePath(tenant)), pems.join(''));
}
