// `hookguard doctor` against real HTTPS receivers (Express + @hookguard/express), each staging one
// misconfiguration, with client certificates the CLI itself issued; the cause named is asserted.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { all, mtls, standardWebhooks, type TenantConfig } from '@hookguard/core';
import { hookguard, type Run } from './lib/cli.js';
import { stagePki, type IssuedFiles, type StagedPki } from './lib/staged-pki.js';
import { startReceiver, type Receiver, type ReceiverOptions } from './lib/receiver.js';

let pki: StagedPki;
const SECRET = { acme: `whsec_${randomBytes(24).toString('base64')}`, globex: `whsec_${randomBytes(24).toString('base64')}` };
const receivers: Receiver[] = [];

function tenants(): Map<string, TenantConfig> {
  return new Map<string, TenantConfig>([
    ['acme', { secrets: [SECRET.acme], certificates: { ca: pki.caPem.acme, uris: [pki.uri('acme')], crls: [pki.crl.acme] } }],
    ['globex', { secrets: [SECRET.globex], certificates: { ca: pki.caPem.globex, uris: [pki.uri('globex')] } }],
  ]);
}

async function receiver(o: Partial<ReceiverOptions> & { tls?: ReceiverOptions['tls'] }): Promise<Receiver> {
  const r = await startReceiver({
    scheme: all(mtls({ ca: pki.rootPem }), standardWebhooks()),
    tenants: tenants(),
    tls: { key: pki.server.key, cert: pki.server.cert, ca: [pki.rootPem], requestCert: true, rejectUnauthorized: false },
    ...o,
  });
  receivers.push(r);
  return r;
}

async function doctor(r: Receiver, tenant: string, client: IssuedFiles | undefined, extra: string[] = []): Promise<Run> {
  const args = ['doctor', `${r.origin}/hooks/${tenant}`, '--ca', pki.rootFile, '--scheme', 'standard-webhooks', '--secret-env', 'HG_SECRET', '--json', ...extra];
  if (client) args.push('--cert', client.chain, '--key', client.key);
  return hookguard(args, { cwd: pki.work, env: { HG_SECRET: tenant === 'globex' ? SECRET.globex : SECRET.acme } });
}

function check(run: Run, id: string) {
  const c = run.json.checks.find((x: { id: string }) => x.id === id);
  assert.ok(c, `no check ${id} in ${JSON.stringify(run.json.checks.map((x: { id: string }) => x.id))}`);
  return c as { status: string; cause: string | null; detail: string };
}

before(async () => {
  pki = await stagePki();
});
after(async () => {
  for (const r of receivers) await r.close();
  await pki.cleanup();
});

describe('doctor on a correctly configured mTLS + Standard Webhooks endpoint', () => {
  test('every check passes, the signed probe is accepted, and the acceptable CA names are read from the handshake', async () => {
    const r = await receiver({});
    const run = await doctor(r, 'acme', pki.clients.acme);
    assert.equal(run.code, 0, run.stdout);
    assert.deepEqual(run.json.causes, []);
    assert.equal(run.json.certificateRequested, true);
    assert.deepEqual(run.json.acceptableCaNames, ['CN=hookguard webhook root, O=hookguard test PKI']);
    assert.equal(check(run, 'client-certificate-issuer').status, 'ok');
    assert.equal(check(run, 'mtls-enforced').status, 'ok');
    assert.equal(run.json.probes.withoutCertificate.code, 'CERT_MISSING');
    assert.equal(run.json.probes.withCertificate.status, 200);
    assert.equal(check(run, 'server-certificate-name').status, 'ok');
    assert.equal(r.handled, 1, 'only the probe with the certificate reached the handler');
  });

  test('the text report names each check and ends with "no problem found"', async () => {
    const r = await receiver({});
    const run = await hookguard(['doctor', `${r.origin}/hooks/acme`, '--ca', pki.rootFile, '--cert', pki.clients.acme.chain, '--key', pki.clients.acme.key], { cwd: pki.work });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /^ok {3}server requests a client certificate/m);
    assert.match(run.stdout, /acceptable CA names: the server names 1 acceptable CA\(s\): CN=hookguard webhook root/);
    assert.match(run.stdout, /no problem found$/m);
    assert.doesNotMatch(run.stdout, /\u001b\[/, 'no colour when stdout is not a TTY');
  });
});

describe('reading the CertificateRequest in every TLS version and TLS 1.3 cipher suite', () => {
  const variants: [string, Record<string, unknown>][] = [
    ['TLS 1.2 (in the clear)', { maxVersion: 'TLSv1.2' }],
    ['TLS 1.3 TLS_AES_128_GCM_SHA256', { minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256' }],
    ['TLS 1.3 TLS_CHACHA20_POLY1305_SHA256', { minVersion: 'TLSv1.3', ciphers: 'TLS_CHACHA20_POLY1305_SHA256' }],
  ];
  for (const [name, extra] of variants) {
    test(`${name}: requested, and the advertised CA names`, async () => {
      const r = await receiver({ tls: { key: pki.server.key, cert: pki.server.cert, ca: [pki.rootPem, pki.caPem.globex], requestCert: true, rejectUnauthorized: false, ...extra } });
      const run = await doctor(r, 'acme', pki.clients.acme);
      assert.equal(run.code, 0, run.stdout);
      assert.equal(run.json.server.protocol, 'maxVersion' in extra ? 'TLSv1.2' : 'TLSv1.3');
      assert.equal(run.json.certificateRequested, true);
      assert.deepEqual(run.json.acceptableCaNames, ['CN=hookguard webhook root, O=hookguard test PKI', 'CN=globex webhook CA 1, O=hookguard test PKI']);
      const without = await receiver({ scheme: standardWebhooks(), tls: { key: pki.server.key, cert: pki.server.cert, ...extra } });
      const plain = await doctor(without, 'acme', undefined);
      assert.equal(plain.json.certificateRequested, false, 'no CertificateRequest without requestCert');
    });
  }
});

describe('staged misconfigurations, each named', () => {
  test('expired client certificate: found locally and confirmed by the probe (CERT_EXPIRED)', async () => {
    const r = await receiver({});
    const run = await doctor(r, 'acme', pki.clients.expired);
    assert.equal(run.code, 1);
    const v = check(run, 'client-certificate-validity');
    assert.equal(v.status, 'fail');
    assert.equal(v.cause, 'client-cert-expired');
    assert.equal(run.json.probes.withCertificate.code, 'CERT_EXPIRED');
    assert.equal(check(run, 'probe').cause, 'client-cert-expired');
  });

  test('expired client certificate on a server that refuses it in TLS (rejectUnauthorized: true closes without an alert): named from the local check', async () => {
    const r = await receiver({ tls: { key: pki.server.key, cert: pki.server.cert, ca: [pki.rootPem], requestCert: true, rejectUnauthorized: true } });
    const run = await doctor(r, 'acme', pki.clients.expired);
    assert.equal(run.code, 1);
    const t = check(run, 'tls-with-certificate');
    assert.equal(t.status, 'fail');
    assert.equal(t.cause, 'client-cert-expired');
    assert.equal(check(run, 'mtls-enforced').status, 'ok', 'a connection without a certificate is refused by TLS');
  });

  test('unknown CA: the issuer is not among the CA names the server advertises, and the probe says CERT_UNTRUSTED', async () => {
    const r = await receiver({});
    const run = await doctor(r, 'acme', pki.clients.foreign);
    assert.equal(run.code, 1);
    const i = check(run, 'client-certificate-issuer');
    assert.equal(i.status, 'fail');
    assert.equal(i.cause, 'unknown-ca');
    assert.match(i.detail, /issued by CN=acme webhook CA 1, O=Someone Else/);
    assert.equal(run.json.probes.withCertificate.code, 'CERT_UNTRUSTED');
    assert.ok(run.json.causes.includes('unknown-ca'));
  });

  test('mTLS not enforced: the server never requests a certificate (no requestCert) and accepts a signed delivery without one', async () => {
    const r = await receiver({ scheme: standardWebhooks(), tls: { key: pki.server.key, cert: pki.server.cert } });
    const run = await doctor(r, 'acme', pki.clients.acme);
    assert.equal(run.code, 1);
    assert.equal(run.json.certificateRequested, false);
    assert.equal(check(run, 'client-certificate-requested').cause, 'mtls-not-requested');
    assert.equal(check(run, 'mtls-enforced').cause, 'mtls-not-enforced');
    assert.deepEqual(run.json.causes.slice(0, 2), ['mtls-not-requested', 'mtls-not-enforced']);
  });

  test('mTLS not enforced at the route: requestCert is on but the scheme has no mtls()', async () => {
    const r = await receiver({ scheme: standardWebhooks() });
    const run = await doctor(r, 'acme', pki.clients.acme);
    assert.equal(run.code, 1);
    assert.equal(run.json.certificateRequested, true);
    const e = check(run, 'mtls-enforced');
    assert.equal(e.cause, 'mtls-not-enforced');
    assert.equal(run.json.probes.withoutCertificate.status, 200);
    assert.deepEqual(run.json.causes, ['mtls-not-enforced']);
  });

  test("certificate name not bound to the tenant: acme's CA but globex's SAN (CERT_IDENTITY_MISMATCH)", async () => {
    const r = await receiver({});
    const run = await doctor(r, 'acme', pki.clients.misnamed);
    assert.equal(run.code, 1);
    assert.equal(run.json.probes.withCertificate.code, 'CERT_IDENTITY_MISMATCH');
    const p = check(run, 'probe');
    assert.equal(p.cause, 'cert-not-bound-to-tenant');
    assert.match(p.detail, /URI spiffe:\/\/webhooks\.test\/tenant\/globex/);
    assert.deepEqual(run.json.causes, ['cert-not-bound-to-tenant']);
  });

  test("another tenant's certificate: globex's certificate at acme's endpoint", async () => {
    const r = await receiver({});
    const run = await doctor(r, 'acme', pki.clients.globex);
    assert.equal(run.json.probes.withCertificate.code, 'CERT_IDENTITY_MISMATCH');
    assert.deepEqual(run.json.causes, ['cert-not-bound-to-tenant']);
  });

  test('revoked: the serial is in the CRL given with --crl, and the receiver refuses it (CERT_REVOKED)', async () => {
    const r = await receiver({});
    const run = await doctor(r, 'acme', pki.clients.revoked, ['--crl', pki.crlFile.acme]);
    assert.equal(run.code, 1);
    const c = check(run, 'client-certificate-revocation');
    assert.equal(c.status, 'fail');
    assert.equal(c.cause, 'client-cert-revoked');
    assert.match(c.detail, new RegExp(`serial ${pki.clients.revoked.serial}`));
    assert.equal(run.json.probes.withCertificate.code, 'CERT_REVOKED');
    const good = await doctor(r, 'acme', pki.clients.acme, ['--crl', pki.crlFile.acme]);
    assert.equal(check(good, 'client-certificate-revocation').status, 'ok');
    assert.doesNotMatch(check(good, 'client-certificate-revocation').detail, /not checked/, 'the CRL signature was checked against the chain');
  });

  test('wrong key usage: a serverAuth-only certificate (CERT_WRONG_USAGE)', async () => {
    const r = await receiver({});
    const run = await doctor(r, 'acme', pki.clients.serverAuthOnly);
    assert.equal(check(run, 'client-certificate-usage').cause, 'client-cert-wrong-usage');
    assert.equal(run.json.probes.withCertificate.code, 'CERT_WRONG_USAGE');
  });

  test('body parsed before the middleware: express.json() first (RAW_BODY_UNAVAILABLE)', async () => {
    const r = await receiver({ parseFirst: true });
    const run = await doctor(r, 'acme', pki.clients.acme);
    assert.equal(run.code, 1);
    assert.equal(run.json.probes.withCertificate.code, 'RAW_BODY_UNAVAILABLE');
    assert.equal(check(run, 'probe').cause, 'body-parsed-before-middleware');
    assert.equal(r.handled, 0);
  });

  test("clock skew: the receiver's verifier runs 10 minutes ahead (TIMESTAMP_OUT_OF_TOLERANCE on a probe signed now)", async () => {
    const r = await receiver({ now: () => Date.now() + 600_000 });
    const run = await doctor(r, 'acme', pki.clients.acme);
    assert.equal(run.json.probes.withCertificate.code, 'TIMESTAMP_OUT_OF_TOLERANCE');
    const p = check(run, 'probe');
    assert.equal(p.cause, 'clock-skew');
    assert.match(p.detail, /signed just now/);
  });

  test("a secret with trailing whitespace in the tenant's record: TENANT_LOOKUP_FAILED, named as a misconfigured tenant", async () => {
    const t = tenants();
    t.set('acme', { ...t.get('acme')!, secrets: [`${SECRET.acme}\n`] });
    const r = await receiver({ tenants: t });
    const run = await doctor(r, 'acme', pki.clients.acme);
    assert.equal(run.json.probes.withCertificate.code, 'TENANT_LOOKUP_FAILED');
    assert.equal(check(run, 'probe').cause, 'tenant-misconfigured');
    assert.match(check(run, 'probe').detail, /whitespace/);
  });

  test("the wrong tenant's secret: SIGNATURE_MISMATCH names the secret", async () => {
    const r = await receiver({});
    const run = await hookguard(
      ['doctor', `${r.origin}/hooks/acme`, '--ca', pki.rootFile, '--cert', pki.clients.acme.chain, '--key', pki.clients.acme.key, '--scheme', 'standard-webhooks', '--secret-env', 'HG_SECRET', '--json'],
      { cwd: pki.work, env: { HG_SECRET: SECRET.globex } },
    );
    assert.equal(run.json.probes.withCertificate.code, 'SIGNATURE_MISMATCH');
    assert.equal(check(run, 'probe').cause, 'signature-mismatch');
    assert.ok(!run.stdout.includes(SECRET.globex.slice(6)), 'the secret is never printed');
  });

  test("the server's certificate: valid for 127.0.0.1 (its IP SAN); untrusted without --ca", async () => {
    const r = await receiver({});
    const ok = await hookguard(['doctor', `https://127.0.0.1:${r.port}/hooks/acme`, '--ca', pki.rootFile, '--json'], { cwd: pki.work });
    assert.equal(check(ok, 'server-certificate-name').status, 'ok');
    const untrusted = await hookguard(['doctor', `${r.origin}/hooks/acme`, '--json'], { cwd: pki.work });
    assert.equal(check(untrusted, 'server-certificate-trust').cause, 'server-cert-untrusted', 'without --ca the test root is unknown');
  });

  test('nothing listening: exit 3 and server-unreachable', async () => {
    const r = await receiver({});
    const port = r.port;
    await r.close();
    receivers.splice(receivers.indexOf(r), 1);
    const run = await hookguard(['doctor', `https://127.0.0.1:${port}/hooks/acme`, '--json'], { cwd: pki.work });
    assert.equal(run.code, 3);
    assert.deepEqual(run.json.causes, ['server-unreachable']);
  });
});
