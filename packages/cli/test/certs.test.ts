// `hookguard certs`: files and modes, what is printed (never a key), days left and warnings,
// the certificates against OpenSSL, and a CA rotation on a real HTTPS receiver.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { all, mtls, standardWebhooks, type TenantConfig } from '@hookguard/core';
import { hookguard } from './lib/cli.js';
import { startReceiver } from './lib/receiver.js';

const DAY = 86_400_000;
let work: string;
let dir: string;

function openssl(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => execFile('openssl', args, { timeout: 60_000 }, (e, stdout, stderr) => resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` })));
}

async function certs(args: string[]) {
  const run = await hookguard(['certs', ...args, '--dir', dir, '--json'], { cwd: work });
  assert.equal(run.code, 0, `certs ${args.join(' ')}: ${run.stderr}`);
  return run.json;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'hookguard-certs-'));
  dir = join(work, 'pki');
});
after(() => rm(work, { recursive: true, force: true }));

describe('certs init, tenant, issue', () => {
  let issued: any;
  let text: string;

  before(async () => {
    const init = await hookguard(['certs', 'init', '--dir', dir], { cwd: work });
    assert.equal(init.code, 0, init.stderr);
    text = init.stdout;
    const tenant = await hookguard(['certs', 'tenant', 'acme', '--dir', dir], { cwd: work });
    text += tenant.stdout;
    const issue = await hookguard(['certs', 'issue', 'acme', '--san', 'spiffe://webhooks.test/tenant/acme', '--san', 'dns:acme.webhooks.test', '--dir', dir], { cwd: work });
    text += issue.stdout;
    issued = (await hookguard(['certs', 'issue', 'acme', '--san', 'uri:spiffe://webhooks.test/tenant/acme', '--dir', dir, '--json'], { cwd: work })).json;
    text += JSON.stringify(issued);
  });

  test('private keys are written mode 0600, certificates 0644', async () => {
    for (const key of [join(dir, 'root', 'ca.key'), issued.key]) assert.equal((await stat(key)).mode & 0o777, 0o600, key);
    assert.equal((await stat(issued.cert)).mode & 0o777, 0o644);
  });

  test('no private key in any output, text or --json', async () => {
    assert.doesNotMatch(text, /PRIVATE KEY/);
    const keyBody = (await readFile(issued.key, 'utf8')).split('\n').slice(1, 3).join('');
    assert.ok(!text.includes(keyBody.slice(0, 40)));
  });

  test('a client certificate with the clientAuth EKU, the SANs asked for, 90 days, and its chain', async () => {
    const c = new X509Certificate(await readFile(issued.cert));
    assert.deepEqual(c.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.equal(c.subjectAltName, 'URI:spiffe://webhooks.test/tenant/acme');
    const days = (Date.parse(c.validTo) - Date.parse(c.validFrom)) / DAY;
    assert.ok(days > 89.9 && days < 90.1, String(days));
    const chain = await readFile(issued.chain, 'utf8');
    assert.equal(chain.match(/BEGIN CERTIFICATE/g)?.length, 2, 'leaf + tenant CA');
    assert.equal(c.serialNumber.toUpperCase(), issued.serial);
  });

  test('the output says what to put in TenantConfig and the server options', () => {
    assert.match(text, /In acme's TenantConfig \(your lookup's answer\):\n {2}certificates: \{\n {4}ca: readFileSync\('pki\/tenants\/acme\/ca\.pem', 'utf8'\), \/\/ the tenant's own CA\n/);
    assert.match(text, /uris: \['spiffe:\/\/webhooks\.test\/tenant\/acme'\]/);
    assert.match(text, /dns: \['acme\.webhooks\.test'\]/);
    assert.match(text, /Server TLS options: \{ ca: readFileSync\('pki\/root\/ca\.pem', 'utf8'\), requestCert: true, rejectUnauthorized: false \}/);
    assert.equal(issued.tenantConfig.certificates.ca, join(dir, 'tenants', 'acme', 'ca.pem'));
    assert.equal(issued.tenantConfig.cas.length, 1);
    assert.equal(issued.tenantConfig.certificates.crls.length, 1);
    assert.deepEqual(issued.tenantConfig.certificates.uris, ['spiffe://webhooks.test/tenant/acme']);
    assert.equal(issued.tenantConfig.server.requestCert, true);
  });

  test('OpenSSL verifies the chain for client authentication, and checks the CRL', async () => {
    const root = join(dir, 'root', 'ca.pem');
    const ca = issued.tenantConfig.certificates.ca;
    const ok = await openssl(['verify', '-purpose', 'sslclient', '-CAfile', root, '-untrusted', ca, issued.cert]);
    assert.equal(ok.code, 0, ok.out);
    const asServer = await openssl(['verify', '-purpose', 'sslserver', '-CAfile', root, '-untrusted', ca, issued.cert]);
    assert.notEqual(asServer.code, 0, 'not usable as a server certificate');
    await certs(['revoke', issued.serial]);
    const crl = issued.tenantConfig.certificates.crls[0];
    const revoked = await openssl(['verify', '-crl_check', '-CAfile', root, '-untrusted', ca, '-CRLfile', crl, issued.cert]);
    assert.notEqual(revoked.code, 0);
    assert.match(revoked.out, /certificate revoked/);
    const crlText = await openssl(['crl', '-in', crl, '-noout', '-text']);
    assert.match(crlText.out, /X509v3 CRL Number: \n\s+2/);
  });

  test('init twice, or a command without a PKI: exit 3 with a sentence', async () => {
    const again = await hookguard(['certs', 'init', '--dir', dir], { cwd: work });
    assert.equal(again.code, 3);
    assert.match(again.stderr, /already holds a PKI/);
    const none = await hookguard(['certs', 'tenant', 'x', '--dir', join(work, 'nothing'), '--json'], { cwd: work });
    assert.equal(none.code, 3);
    assert.match(none.json.error.message, /run `hookguard certs init` first/);
    const bad = await hookguard(['certs', 'tenant', '../escape', '--dir', dir], { cwd: work });
    assert.equal(bad.code, 2);
  });
});

describe('certs list', () => {
  test('days left, a warning under 30 days, exit 1 under 7 days or expired', async () => {
    const d = join(work, 'list-pki');
    const run = (args: string[]) => hookguard(['certs', ...args, '--dir', d, '--json'], { cwd: work });
    await run(['init']);
    await run(['tenant', 'acme']);
    const soon = (await run(['issue', 'acme', '--san', 'spiffe://x/acme', '--days', '20'])).json;
    let list = await run(['list']);
    assert.equal(list.code, 0);
    const entry = () => list.json.entries.find((e: { serial: string }) => e.serial === soon.serial);
    assert.equal(entry().status, 'warn-30');
    assert.ok(entry().daysLeft === 19 || entry().daysLeft === 20);
    assert.equal(list.json.warnings, 1);
    const week = (await run(['issue', 'acme', '--san', 'spiffe://x/acme', '--days', '5'])).json;
    list = await run(['list']);
    assert.equal(list.code, 1);
    assert.equal(list.json.entries.find((e: { serial: string }) => e.serial === week.serial).status, 'warn-7');
    const later = await run(['list', '--at', new Date(Date.now() + 25 * DAY).toISOString().slice(0, 10)]);
    assert.equal(later.json.entries.find((e: { serial: string }) => e.serial === soon.serial).status, 'expired');
    const text = await hookguard(['certs', 'list', '--dir', d], { cwd: work });
    assert.match(text.stdout, /^warn client +acme +\d+d {2}under 7 days/m);
    assert.match(text.stdout, /in use expired or under 7 days: replace them now$/m);
  });
});

describe('certs rotate-ca on a real receiver', () => {
  test('both CAs are trusted during the window; after --finish only certificates of the new one are', async () => {
    const d = join(work, 'rotate-pki');
    const run = async (args: string[]) => {
      const r = await hookguard(['certs', ...args, '--dir', d, '--json'], { cwd: work });
      assert.equal(r.code, 0, r.stderr);
      return r.json;
    };
    await run(['init']);
    await run(['tenant', 'acme']);
    const server = await run(['server']);
    const before = await run(['issue', 'acme', '--san', 'spiffe://x/acme']);
    const started = await run(['rotate-ca', 'acme']);
    assert.equal(started.phase, 'started');
    assert.equal(started.tenantConfig.cas.length, 2);
    const bundle = started.tenantConfig.certificates.ca;
    assert.equal((await readFile(bundle, 'utf8')).match(/BEGIN CERTIFICATE/g)?.length, 2, 'the bundle holds both CAs during the window');
    const afterRotation = await run(['issue', 'acme', '--san', 'spiffe://x/acme']);
    const root = await readFile(join(d, 'root', 'ca.pem'), 'utf8');
    // The receiver reads the same bundle file before and after: only its contents change.
    const binding = async (): Promise<Map<string, TenantConfig>> =>
      new Map([['acme', { secrets: ['whsec_' + Buffer.alloc(24, 7).toString('base64')], certificates: { ca: await readFile(bundle, 'utf8'), uris: ['spiffe://x/acme'] } }]]);
    const tls = { key: await readFile(server.key, 'utf8'), cert: await readFile(server.cert, 'utf8'), ca: [root], requestCert: true, rejectUnauthorized: false };
    const send = (r: { origin: string }, c: { chain: string; key: string }) =>
      hookguard(['send', `${r.origin}/hooks/acme`, '--scheme', 'standard-webhooks', '--secret', 'whsec_' + Buffer.alloc(24, 7).toString('base64'), '--cert', c.chain, '--key', c.key, '--ca', join(d, 'root', 'ca.pem'), '--json'], { cwd: work });

    const during = await startReceiver({ scheme: all(mtls({ ca: root }), standardWebhooks()), tenants: await binding(), tls });
    try {
      assert.equal((await send(during, before)).json.status, 200, 'a certificate of the old CA');
      assert.equal((await send(during, afterRotation)).json.status, 200, 'a certificate of the new CA');
    } finally {
      await during.close();
    }
    const finished = await run(['rotate-ca', 'acme', '--finish']);
    assert.equal(finished.phase, 'finished');
    assert.deepEqual(finished.stranded, [before.serial]);
    assert.equal(finished.tenantConfig.cas.length, 1);
    assert.equal(finished.tenantConfig.certificates.ca, bundle);
    const after = await startReceiver({ scheme: all(mtls({ ca: root }), standardWebhooks()), tenants: await binding(), tls });
    try {
      const old = await send(after, before);
      assert.equal(old.json.code, 'CERT_IDENTITY_MISMATCH');
      assert.equal(old.code, 1);
      assert.equal((await send(after, afterRotation)).json.status, 200);
    } finally {
      await after.close();
    }
  });

  test("revoking a tenant's CA takes it out of that tenant's binding only", async () => {
    const d = join(work, 'revoke-ca-pki');
    const run = async (args: string[]) => (await hookguard(['certs', ...args, '--dir', d, '--json'], { cwd: work })).json;
    await run(['init']);
    const acme = await run(['tenant', 'acme']);
    await run(['tenant', 'globex']);
    const revoked = await run(['revoke', acme.ca.serial]);
    assert.equal(revoked.kind, 'tenant-ca');
    assert.equal(revoked.tenantConfig.ca, join(d, 'tenants', 'acme', 'ca.pem'));
    assert.equal(await readFile(revoked.tenantConfig.ca, 'utf8'), '', "acme's bundle is empty: nothing of acme is trusted");
    assert.match(await readFile(join(d, 'tenants', 'globex', 'ca.pem'), 'utf8'), /BEGIN CERTIFICATE/);
    const list = await run(['list']);
    assert.equal(list.entries.find((e: { serial: string }) => e.serial === acme.ca.serial).status, 'revoked');
    assert.equal(list.entries.filter((e: { kind: string; status: string }) => e.kind === 'tenant-ca' && e.status === 'ok').length, 1, "globex's CA stands");
    const issue = await hookguard(['certs', 'issue', 'acme', '--san', 'spiffe://x/acme', '--dir', d], { cwd: work });
    assert.equal(issue.code, 3);
    assert.match(issue.stderr, /rotate-ca acme/);
  });
});
