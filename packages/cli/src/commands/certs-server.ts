import { join } from 'node:path';
import { EXIT, usageError } from '../lib/exit-codes.js';
import type { CommandOutput } from '../lib/command-output.js';
import { ensureDir, loadPki, readPem, savePki, writeKey, writePublic, type CertRecord } from '../lib/pki-store.js';
import { orgOf } from '../lib/tenant-ca.js';
import { makeLeaf } from '../lib/x509-issue.js';
import { shown } from '../lib/binding-advice.js';
import { parseSans } from '../lib/sans.js';

const DAY = 24 * 60 * 60 * 1000;

export interface CertsServerOptions {
  dir: string;
  cwd: string;
  /** DNS names and IPs the receiver is reached at (default dns:localhost, ip:127.0.0.1). */
  san: readonly string[];
  days?: number;
}

export interface CertsServerJson {
  serial: string;
  subject: string;
  dns: string[];
  ips: string[];
  notAfter: string;
  cert: string;
  chain: string;
  key: string;
}

/** Issues the receiver's own TLS certificate from the root (serverAuth), for staging endpoints. */
export async function certsServer(o: CertsServerOptions): Promise<CommandOutput<CertsServerJson>> {
  const sans = parseSans(o.san.length > 0 ? o.san : ['dns:localhost', 'ip:127.0.0.1']);
  if (sans.uris.length > 0) throw usageError('a server certificate carries dns: and ip: names');
  const index = await loadPki(o.dir);
  const root = { certPem: await readPem(o.dir, index.root.cert), keyPem: await readPem(o.dir, index.root.key) };
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + (o.days ?? 90) * DAY);
  const org = orgOf(index);
  const cn = sans.dns[0] ?? sans.ips[0] ?? 'localhost';
  const leaf = await makeLeaf({ subject: `CN=${cn}, O=${org}`, sans, eku: 'serverAuth', notBefore, notAfter, issuer: root });
  await ensureDir(join(o.dir, 'server'), 0o700);
  // Named after the host it serves (server/localhost.pem); a second one for that host gets its serial.
  const base = cn.replace(/[^A-Za-z0-9_.-]/g, '_');
  const name = index.certificates.some((c) => c.cert === join('server', `${base}.pem`)) ? `${base}-${leaf.serial}` : base;
  const record: CertRecord = {
    serial: leaf.serial, kind: 'server', issuer: index.root.serial, subject: leaf.subject, uris: [], dns: sans.dns, ips: sans.ips, eku: 'serverAuth',
    cert: join('server', `${name}.pem`), chain: join('server', `${name}-chain.pem`), key: join('server', `${name}.key`),
    notBefore: leaf.notBefore.toISOString(), notAfter: leaf.notAfter.toISOString(), fingerprint: leaf.fingerprint,
  };
  await writeKey(join(o.dir, record.key), leaf.keyPem);
  await writePublic(join(o.dir, record.cert), leaf.certPem);
  await writePublic(join(o.dir, record.chain), leaf.certPem);
  index.certificates.push(record);
  await savePki(o.dir, index);
  const json: CertsServerJson = {
    serial: leaf.serial, subject: leaf.subject, dns: sans.dns, ips: sans.ips, notAfter: record.notAfter,
    cert: join(o.dir, record.cert), chain: join(o.dir, record.chain), key: join(o.dir, record.key),
  };
  return {
    exitCode: EXIT.ok,
    json,
    text: (s) =>
      [
        `${s.ok('issued')} server certificate ${leaf.subject} (serial ${leaf.serial}) for ${[...sans.dns, ...sans.ips].join(', ')}, valid until ${record.notAfter.slice(0, 10)}`,
        `  server options: { cert: ${shown(json.cert, o.cwd)}, key: ${shown(json.key, o.cwd)} ${s.dim('(mode 0600)')} }`,
        `  senders trust it with ${shown(join(o.dir, index.root.cert), o.cwd)} (hookguard send/doctor --ca)`,
      ].join('\n'),
  };
}
