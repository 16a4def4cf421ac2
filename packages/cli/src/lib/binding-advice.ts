// What a receiver puts in TenantConfig.certificates (core's CertificateBinding) and its TLS server
// options for a tenant of this PKI: the words every certs command ends with.
import { join, relative, isAbsolute } from 'node:path';
import { activeCa, caBundlePath, type PkiIndex } from './pki-store.js';

export interface BindingAdvice {
  tenant: string;
  /**
   * CertificateBinding fields, as absolute file paths (ca, crls) and values (uris, dns). `ca` is the
   * tenant's bundle of active CAs (both during a rotation): the same file before and after.
   */
  certificates: { ca: string; crls: string[]; uris: string[]; dns: string[] };
  /** The CA certificates in that bundle, newest first. */
  cas: { serial: string; subject: string; cert: string }[];
  /** node:https server options for the receiver. */
  server: { ca: string; requestCert: true; rejectUnauthorized: false };
}

export function bindingAdvice(index: PkiIndex, dir: string, tenant: string): BindingAdvice {
  const cas = (index.tenants[tenant]?.cas ?? []).filter(activeCa);
  const live = index.certificates.filter((c) => c.tenant === tenant && c.kind === 'client' && c.revokedAt === undefined);
  const uris = [...new Set(live.flatMap((c) => c.uris))];
  const dns = [...new Set(live.flatMap((c) => c.dns))];
  return {
    tenant,
    certificates: { ca: join(dir, caBundlePath(tenant)), crls: cas.map((c) => join(dir, c.crl)), uris, dns },
    cas: cas.map((c) => ({ serial: c.serial, subject: c.subject, cert: join(dir, c.cert) })),
    server: { ca: join(dir, index.root.cert), requestCert: true, rejectUnauthorized: false },
  };
}

/** A path as short as it can be for the reader: relative to the working folder when inside it. */
export function shown(path: string, cwd: string): string {
  const r = relative(cwd, path);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : path;
}

export function adviceText(a: BindingAdvice, cwd: string): string {
  const file = (p: string) => `readFileSync('${shown(p, cwd)}', 'utf8')`;
  const lines = [
    `In ${a.tenant}'s TenantConfig (your lookup's answer):`,
    '  certificates: {',
    `    ca: ${file(a.certificates.ca)}, ${a.cas.length > 1 ? `// ${a.cas.length} CAs while the rotation lasts` : '// the tenant\'s own CA'}`,
  ];
  if (a.certificates.uris.length > 0) lines.push(`    uris: [${a.certificates.uris.map((u) => `'${u}'`).join(', ')}],`);
  if (a.certificates.dns.length > 0) lines.push(`    dns: [${a.certificates.dns.map((d) => `'${d}'`).join(', ')}],`);
  lines.push(`    crls: [${a.certificates.crls.map(file).join(', ')}],`, '  }');
  lines.push(
    `Server TLS options: { ca: ${file(a.server.ca)}, requestCert: true, rejectUnauthorized: false }`,
    `  with all(mtls({ ca: <the same root> }), <your signature scheme>) on the route.`,
  );
  return lines.join('\n');
}
