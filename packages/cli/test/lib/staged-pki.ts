// The test PKI, made by the CLI under test (`hookguard certs ...` as child processes): real
// certificates generated at test time, for every misconfiguration the suites stage.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { hookguard } from './cli.js';

export interface IssuedFiles {
  serial: string;
  cert: string;
  chain: string;
  key: string;
  /** PEM text of cert / chain / key. */
  certPem: string;
  chainPem: string;
  keyPem: string;
  uris: string[];
}

export interface StagedPki {
  /** The temp folder holding everything (removed by cleanup). */
  work: string;
  dir: string;
  rootPem: string;
  rootFile: string;
  server: { cert: string; key: string };
  caPem: Record<'acme' | 'globex', string>;
  crlFile: Record<'acme' | 'globex', string>;
  /** PEM of each tenant CA's CRL (acme's lists clients.revoked). */
  crl: Record<'acme' | 'globex', string>;
  clients: {
    acme: IssuedFiles;
    globex: IssuedFiles;
    expired: IssuedFiles;
    /** acme's CA, globex's SAN: a name not bound to acme. */
    misnamed: IssuedFiles;
    revoked: IssuedFiles;
    serverAuthOnly: IssuedFiles;
    /** From another PKI altogether. */
    foreign: IssuedFiles;
  };
  uri(tenant: string): string;
  cleanup(): Promise<void>;
}

async function cli(args: string[], cwd: string) {
  const r = await hookguard([...args, '--json'], { cwd });
  assert.equal(r.code, 0, `hookguard ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.json;
}

async function issue(cwd: string, dir: string, tenant: string, extra: string[]): Promise<IssuedFiles> {
  const j = await cli(['certs', 'issue', tenant, '--dir', dir, ...extra], cwd);
  return {
    serial: j.serial, cert: j.cert, chain: j.chain, key: j.key, uris: j.uris,
    certPem: await readFile(j.cert, 'utf8'), chainPem: await readFile(j.chain, 'utf8'), keyPem: await readFile(j.key, 'utf8'),
  };
}

export async function stagePki(): Promise<StagedPki> {
  const work = await mkdtemp(join(tmpdir(), 'hookguard-cli-'));
  const dir = join(work, 'pki');
  const other = join(work, 'other-pki');
  const uri = (t: string) => `spiffe://webhooks.test/tenant/${t}`;
  await cli(['certs', 'init', '--dir', dir], work);
  await cli(['certs', 'init', '--dir', other, '--org', 'Someone Else'], work);
  const acme = await cli(['certs', 'tenant', 'acme', '--dir', dir], work);
  const globex = await cli(['certs', 'tenant', 'globex', '--dir', dir], work);
  await cli(['certs', 'tenant', 'acme', '--dir', other], work);
  const server = await cli(['certs', 'server', '--dir', dir], work);
  const clients = {
    acme: await issue(work, dir, 'acme', ['--san', uri('acme')]),
    globex: await issue(work, dir, 'globex', ['--san', uri('globex')]),
    expired: await issue(work, dir, 'acme', ['--san', uri('acme'), '--not-before', '2020-01-01', '--days', '30']),
    misnamed: await issue(work, dir, 'acme', ['--san', uri('globex')]),
    revoked: await issue(work, dir, 'acme', ['--san', uri('acme')]),
    serverAuthOnly: await issue(work, dir, 'acme', ['--san', uri('acme'), '--eku', 'serverAuth']),
    foreign: await issue(work, other, 'acme', ['--san', uri('acme')]),
  };
  await cli(['certs', 'revoke', clients.revoked.serial, '--dir', dir], work);
  return {
    work,
    dir,
    rootFile: join(dir, 'root', 'ca.pem'),
    rootPem: await readFile(join(dir, 'root', 'ca.pem'), 'utf8'),
    server: { cert: await readFile(server.cert, 'utf8'), key: await readFile(server.key, 'utf8') },
    caPem: { acme: await readFile(acme.ca.cert, 'utf8'), globex: await readFile(globex.ca.cert, 'utf8') },
    crlFile: { acme: acme.ca.crl, globex: globex.ca.crl },
    crl: { acme: await readFile(acme.ca.crl, 'utf8'), globex: await readFile(globex.ca.crl, 'utf8') },
    clients,
    uri,
    cleanup: () => rm(work, { recursive: true, force: true }),
  };
}
