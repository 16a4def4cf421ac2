import { join } from 'node:path';
import { readPem, writePublic, type PkiIndex, type TenantCaRecord } from './pki-store.js';
import { makeCrl } from './x509-issue.js';

/** Re-signs one tenant CA's CRL: every revoked certificate it issued, a higher CRL number, a fresh nextUpdate. */
export async function refreshCrl(dir: string, index: PkiIndex, ca: TenantCaRecord, days: number): Promise<void> {
  const serials = index.certificates
    .filter((c) => c.issuer === ca.serial && c.revokedAt !== undefined)
    .map((c) => ({ serial: c.serial, revokedAt: new Date(c.revokedAt!) }));
  const issuer = { certPem: await readPem(dir, ca.cert), keyPem: await readPem(dir, ca.key) };
  const crl = await makeCrl({ issuer, serials, number: ca.crlNumber + 1, days });
  await writePublic(join(dir, ca.crl), crl.pem);
  ca.crlNumber += 1;
  ca.crlNextUpdate = crl.nextUpdate.toISOString();
}
