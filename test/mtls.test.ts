// Mutual TLS through every adapter, over real TLS handshakes with client certificates generated at
// test time: each certificate case has its code, revocation applies on open connections and
// resumed sessions, forwarded certificates count only from trusted proxies, and curl agrees.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { X509Certificate } from 'node:crypto';
import { createTestPki, type Issued, type TestPki } from '@hookguard/testkit';
import { all, createVerifier, fromParam, mtls, sign, standardWebhooks, type TenantConfig } from '@hookguard/core';
import { startTlsServer, type TlsAdapter, type TlsServer, type TlsVerifiers } from './lib/tls-servers.js';
import { clientAgent, post, type TlsAnswer } from './lib/tls-client.js';
import { recordCode, writeCodes } from './lib/code-coverage.js';

const run = promisify(execFile);
const SECRETS = { acme: 'whsec_' + Buffer.alloc(24, 31).toString('base64'), globex: 'whsec_' + Buffer.alloc(24, 32).toString('base64') };
const body = (tenant: string) => JSON.stringify({ type: 'payment.settled', tenant, n: Math.random() });
const signed = (tenant: string, signer = tenant) => {
  const b = body(tenant);
  return { body: b, headers: { 'content-type': 'application/json', ...sign.standardWebhooks({ secret: SECRETS[signer as 'acme'], body: b }) } };
};

let pki: TestPki;
const revoked: string[] = [];
let verifiers: TlsVerifiers;
let injected: Issued;

function tenants(): Record<string, TenantConfig> {
  return {
    acme: { secrets: [SECRETS.acme], certificates: { ca: pki.tenantCa.acme.cert, uris: [pki.uri('acme')], crls: [pki.acmeCrl], revokedSerials: [...revoked] } },
    globex: { secrets: [SECRETS.globex], certificates: { ca: pki.tenantCa.globex.cert, uris: [pki.uri('globex')] } },
  };
}

before(async () => {
  pki = await createTestPki();
  const base = () => ({ scheme: all(mtls({ ca: pki.root.cert }), standardWebhooks()), tenants: { resolve: fromParam('tenant'), lookup: async (id: string) => tenants()[id] } });
  verifiers = {
    mtls: createVerifier(base()),
    proxied: createVerifier({ ...base(), proxy: { trusted: ['127.0.0.1', '::1'], format: 'nginx', verifyHeader: 'x-ssl-client-verify' } }),
    spoofed: createVerifier({ ...base(), proxy: { trusted: ['192.0.2.1'], format: 'nginx', verifyHeader: 'x-ssl-client-verify' } }),
    envoy: createVerifier({ ...base(), proxy: { trusted: ['127.0.0.1', '::1'], format: 'envoy' } }),
  };
  // A real customer (globex) with a valid certificate whose URI SAN carries acme's certificate, as
  // Envoy would write it unquoted after its own Cert: read loosely, that is acme.
  // Chains that only a check of what each issuer may issue refuses: a CA below acme's CA (whose
  // pathLenConstraint is 0), and an issuing CA without keyCertSign.
  const named = { cn: 'acme-sender', uris: [pki.uri('acme')] };
  subCaLeaf = (await pki.issueUnderCaChain('acme', [{ name: 'acme sub-CA', pathLen: null }], named)).leaf;
  noCertSignLeaf = (await pki.issueUnderCaChain('root', [{ name: 'CA without keyCertSign', certSign: false }], named)).leaf;
  injected = await pki.issue('globex', { cn: 'globex-sender', uris: [`${pki.uri('globex')};Cert="${encodeURIComponent(pki.clients.acme.cert)}"`] });
});

let subCaLeaf: Issued;
let noCertSignLeaf: Issued;

// The adapter whose describe block is running (describe blocks run one after another).
let current: TlsAdapter | undefined;

function expectCode(a: TlsAnswer, status: number, code: string) {
  assert.equal(a.status, status, JSON.stringify(a.body));
  assert.match(a.contentType, /^application\/problem\+json/);
  assert.equal(a.body.code, code);
  if (current) recordCode(current, code);
}

after(() => writeCodes('mtls'));

const CASES: Array<[string, () => Issued | undefined, number, string]> = [
  ['no client certificate', () => undefined, 401, 'CERT_MISSING'],
  ['expired', () => pki.clients.expired, 401, 'CERT_EXPIRED'],
  ['not yet valid', () => pki.clients.notYetValid, 401, 'CERT_NOT_YET_VALID'],
  ['self-signed', () => pki.clients.selfSigned, 401, 'CERT_UNTRUSTED'],
  ['unknown CA', () => pki.clients.unknownCa, 401, 'CERT_UNTRUSTED'],
  ['serverAuth-only EKU', () => pki.clients.serverAuthOnly, 401, 'CERT_WRONG_USAGE'],
  ['no EKU', () => pki.clients.noEku, 401, 'CERT_WRONG_USAGE'],
  ['revoked (tenant CRL)', () => pki.clients.revoked, 401, 'CERT_REVOKED'],
  ["cross-tenant: globex's CA, acme's SAN", () => pki.clients.crossTenant, 403, 'CERT_IDENTITY_MISMATCH'],
  ["globex's certificate on acme's endpoint", () => pki.clients.globex, 403, 'CERT_IDENTITY_MISMATCH'],
  ["a sub-CA below acme's CA (pathLenConstraint 0 exceeded)", () => subCaLeaf, 401, 'CERT_UNTRUSTED'],
  ['an issuing CA without keyCertSign', () => noCertSignLeaf, 401, 'CERT_UNTRUSTED'],
];

for (const adapter of ['express', 'express4', 'koa', 'nestjs', 'nestjs-fastify', 'fastify5', 'fastify4'] as TlsAdapter[]) {
  describe(`mTLS over real TLS: ${adapter}`, () => {
    let https: TlsServer;
    let http: TlsServer;
    before(async () => {
      current = adapter;
      const tls = { key: pki.server.key, cert: pki.server.cert, ca: [pki.root.cert], requestCert: true, rejectUnauthorized: false };
      https = await startTlsServer(adapter, verifiers, tls);
      http = await startTlsServer(adapter, verifiers, undefined);
    });
    after(async () => {
      await https?.close();
      await http?.close();
    });
    const send = (path: string, client: Issued | undefined, d = signed('acme')) =>
      post(`${https.url}${path}`, { ...d, ca: pki.root.cert, ...(client ? { key: client.key, cert: client.chainPem } : {}) });

    test("a valid certificate of the tenant's CA and a valid signature -> 200", async () => {
      const a = await send('/mtls/acme', pki.clients.acme);
      assert.equal(a.status, 200, JSON.stringify(a.body));
      assert.deepEqual(a.body, { tenant: 'acme', subject: 'CN=acme-sender', source: 'socket' });
    });
    for (const [name, client, status, code] of CASES) {
      test(`${name} -> ${status} ${code}`, async () => {
        expectCode(await send('/mtls/acme', client()), status, code);
      });
    }
    test('defence in depth: valid certificate + bad signature -> SIGNATURE_MISMATCH', async () => {
      expectCode(await send('/mtls/acme', pki.clients.acme, signed('acme', 'globex')), 401, 'SIGNATURE_MISMATCH');
    });
    test('defence in depth: bad certificate + valid signature -> the certificate code', async () => {
      expectCode(await send('/mtls/acme', pki.clients.crossTenant, signed('acme')), 403, 'CERT_IDENTITY_MISMATCH');
    });
    test('plain HTTP to an mTLS route -> CERT_MISSING, detail says not TLS', async () => {
      const a = await post(`${http.url}/mtls/acme`, signed('acme'));
      expectCode(a, 401, 'CERT_MISSING');
      assert.match(a.body.detail, /not TLS/);
    });
    test('forwarded certificate from an untrusted address -> UNTRUSTED_PROXY', async () => {
      const d = signed('acme');
      const a = await post(`${http.url}/spoofed/acme`, { ...d, headers: { ...d.headers, 'x-ssl-client-cert': encodeURIComponent(pki.clients.acme.cert), 'x-ssl-client-verify': 'SUCCESS' } });
      expectCode(a, 401, 'UNTRUSTED_PROXY');
    });
    test('forwarded certificate from a trusted proxy -> verified against the tenant CA', async () => {
      const d = signed('acme');
      const fwd = (c: Issued) => ({ ...d, headers: { ...d.headers, 'x-ssl-client-cert': encodeURIComponent(c.cert), 'x-ssl-client-verify': 'SUCCESS' } });
      const ok = await post(`${http.url}/proxied/acme`, fwd(pki.clients.acme));
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.source, 'proxy');
      expectCode(await post(`${http.url}/proxied/acme`, fwd(pki.clients.crossTenant)), 403, 'CERT_IDENTITY_MISMATCH');
    });
    test('Envoy XFCC: a SAN that carries another tenant\'s certificate is refused; the honest element verifies', async () => {
      const d = signed('acme');
      const xfcc = (c: Issued, uri: string) => {
        const hash = new X509Certificate(c.cert).fingerprint256.replace(/:/g, '').toLowerCase();
        return `By=spiffe://edge;Hash=${hash};Cert="${encodeURIComponent(c.cert)}";Subject="CN=x";URI=${uri}`;
      };
      const ok = await post(`${http.url}/envoy/acme`, { ...d, headers: { ...d.headers, 'x-forwarded-client-cert': xfcc(pki.clients.acme, pki.uri('acme')) } });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const forged = xfcc(injected, `${pki.uri('globex')};Cert="${encodeURIComponent(pki.clients.acme.cert)}"`);
      expectCode(await post(`${http.url}/envoy/acme`, { ...d, headers: { ...d.headers, 'x-forwarded-client-cert': forged } }), 401, 'CERT_UNTRUSTED');
    });
    test('revocation applies on an open keep-alive connection', async () => {
      const c = pki.clients.revokeLater;
      const agent = clientAgent({ keepAlive: true, maxSockets: 1, key: c.key, cert: c.chainPem, ca: pki.root.cert });
      try {
        const first = await post(`${https.url}/mtls/acme`, { ...signed('acme'), agent });
        assert.equal(first.status, 200);
        revoked.push(c.serial);
        for (const v of Object.values(verifiers)) v.invalidate('acme');
        const second = await post(`${https.url}/mtls/acme`, { ...signed('acme'), agent });
        assert.equal(second.reusedSocket, true, 'the same TLS connection');
        expectCode(second, 401, 'CERT_REVOKED');
      } finally {
        revoked.length = 0;
        for (const v of Object.values(verifiers)) v.invalidate('acme');
        agent.destroy();
      }
    });
    test('revocation applies on a resumed TLS session', async () => {
      const c = pki.clients.revokeLater;
      const agent = clientAgent({ keepAlive: false, key: c.key, cert: c.chainPem, ca: pki.root.cert, maxCachedSessions: 10 });
      try {
        assert.equal((await post(`${https.url}/mtls/acme`, { ...signed('acme'), agent })).status, 200);
        const resumed = await post(`${https.url}/mtls/acme`, { ...signed('acme'), agent });
        assert.equal(resumed.sessionReused, true, 'the second connection resumed the TLS session');
        assert.equal(resumed.status, 200);
        revoked.push(c.serial);
        for (const v of Object.values(verifiers)) v.invalidate('acme');
        const after = await post(`${https.url}/mtls/acme`, { ...signed('acme'), agent });
        assert.equal(after.sessionReused, true);
        expectCode(after, 401, 'CERT_REVOKED');
      } finally {
        revoked.length = 0;
        for (const v of Object.values(verifiers)) v.invalidate('acme');
        agent.destroy();
      }
    });
    test('the curl binary with --cert/--key: valid, expired, none', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hookguard-curl-'));
      try {
        const write = (name: string, text: string) => {
          const p = join(dir, name);
          writeFileSync(p, text, { mode: 0o600 });
          return p;
        };
        const ca = write('root.pem', pki.root.cert);
        const curl = async (client: Issued | undefined) => {
          const d = signed('acme');
          const args = ['-sS', '--max-time', '10', '--cacert', ca, '--resolve', `localhost:${https.port}:127.0.0.1`, '-X', 'POST', '--data-binary', d.body, '-w', '\n%{http_code}'];
          for (const [k, v] of Object.entries(d.headers)) args.push('-H', `${k}: ${v}`);
          if (client) args.push('--cert', write('client.pem', client.chainPem), '--key', write('client.key', client.key));
          const { stdout } = await run('curl', [...args, `${https.url}/mtls/acme`], { timeout: 15_000 });
          const lines = stdout.trimEnd().split('\n');
          return { status: Number(lines.pop()), body: JSON.parse(lines.join('\n')) };
        };
        const ok = await curl(pki.clients.acme);
        assert.equal(ok.status, 200);
        assert.equal(ok.body.tenant, 'acme');
        const expired = await curl(pki.clients.expired);
        assert.deepEqual([expired.status, expired.body.code], [401, 'CERT_EXPIRED']);
        const none = await curl(undefined);
        assert.deepEqual([none.status, none.body.code], [401, 'CERT_MISSING']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
