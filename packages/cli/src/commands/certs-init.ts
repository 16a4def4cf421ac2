import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError, EXIT } from '../lib/exit-codes.js';
import type { CommandOutput } from '../lib/command-output.js';
import { ensureDir, INDEX_FILE, savePki, writeKey, writePublic, type PkiIndex } from '../lib/pki-store.js';
import { makeCa } from '../lib/x509-issue.js';
import { shown } from '../lib/binding-advice.js';

export interface CertsInitOptions {
  dir: string;
  cwd: string;
  /** Validity of the root, days (default 3650). */
  days?: number;
  /** Organisation in every subject (default "hookguard test PKI"). */
  org?: string;
}

export interface CertsInitJson {
  dir: string;
  root: { subject: string; serial: string; notAfter: string; cert: string; key: string };
}

/** Creates the PKI folder and its root: the one CA a receiver's TLS server trusts for every tenant. */
export async function certsInit(o: CertsInitOptions): Promise<CommandOutput<CertsInitJson>> {
  const exists = await access(join(o.dir, INDEX_FILE)).then(
    () => true,
    () => false,
  );
  if (exists) throw new CliError(`${o.dir} already holds a PKI (index.json); use another --dir or remove it`);
  await ensureDir(join(o.dir, 'root'), 0o700);
  const org = o.org ?? 'hookguard test PKI';
  const root = await makeCa({ subject: `CN=hookguard webhook root, O=${org}`, days: o.days ?? 3650, pathLength: 1 });
  await writeKey(join(o.dir, 'root', 'ca.key'), root.keyPem);
  await writePublic(join(o.dir, 'root', 'ca.pem'), root.certPem);
  const index: PkiIndex = {
    version: 1,
    root: {
      serial: root.serial, subject: root.subject, cert: 'root/ca.pem', key: 'root/ca.key',
      notBefore: root.notBefore.toISOString(), notAfter: root.notAfter.toISOString(), fingerprint: root.fingerprint,
    },
    tenants: {},
    certificates: [],
  };
  await savePki(o.dir, index);
  const json: CertsInitJson = {
    dir: o.dir,
    root: { subject: root.subject, serial: root.serial, notAfter: index.root.notAfter, cert: join(o.dir, 'root/ca.pem'), key: join(o.dir, 'root/ca.key') },
  };
  return {
    exitCode: EXIT.ok,
    json,
    text: (s) =>
      [
        `${s.ok('created')} a test PKI in ${shown(o.dir, o.cwd)}`,
        `  root ${root.subject} (serial ${root.serial}), valid until ${index.root.notAfter.slice(0, 10)}`,
        `  ${shown(json.root.cert, o.cwd)}  ${s.dim(`(key ${shown(json.root.key, o.cwd)}, mode 0600)`)}`,
        `Next: hookguard certs tenant <id>   (one CA per tenant)`,
      ].join('\n'),
  };
}
