import { join } from 'node:path';
import { ensureDir, readPem, writeKey, writePublic, type PkiIndex, type TenantCaRecord } from './pki-store.js';
import { makeCa, makeCrl } from './x509-issue.js';

/** The organisation every subject of this PKI carries (from the root's subject). */
export function orgOf(index: PkiIndex): string {
  return /O=([^,]+)/.exec(index.root.subject)?.[1] ?? 'hookguard test PKI';
}

/** A tenant CA of the given generation under the root, written with its (empty) CRL; not yet in the index. */
export async function createTenantCa(dir: string, index: PkiIndex, tenant: string, generation: number, days: number): Promise<TenantCaRecord> {
  const root = { certPem: await readPem(dir, index.root.cert), keyPem: await readPem(dir, index.root.key) };
  const ca = await makeCa({ subject: `CN=${tenant} webhook CA ${generation}, O=${orgOf(index)}`, days, issuer: root, pathLength: 0 });
  const folder = join('tenants', tenant);
  await ensureDir(join(dir, folder, 'certs'), 0o700);
  // Named by generation (ca-1, ca-2 after a rotation): short, stable paths for the receiver's config.
  const cert = join(folder, `ca-${generation}.pem`);
  const key = join(folder, `ca-${generation}.key`);
  const crlPath = join(folder, `crl-${generation}.pem`);
  await writeKey(join(dir, key), ca.keyPem);
  await writePublic(join(dir, cert), ca.certPem);
  const crl = await makeCrl({ issuer: { certPem: ca.certPem, keyPem: ca.keyPem }, serials: [], number: 1, days: 30 });
  await writePublic(join(dir, crlPath), crl.pem);
  return {
    serial: ca.serial, subject: ca.subject, cert, key, notBefore: ca.notBefore.toISOString(), notAfter: ca.notAfter.toISOString(),
    fingerprint: ca.fingerprint, crl: crlPath, crlNumber: 1, crlNextUpdate: crl.nextUpdate.toISOString(),
  };
}
