// `hookguard sign` checked by core's own verifier for every scheme, and `hookguard send` against a
// real mTLS receiver: status, code and detail, exit codes, --json shapes, no colour off a TTY.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { all, createVerifier, github, mtls, shopify, slack, standardWebhooks, stripe, type Scheme, type TenantConfig } from '@hookguard/core';
import { hookguard } from './lib/cli.js';
import { stagePki, type StagedPki } from './lib/staged-pki.js';
import { startReceiver, type Receiver } from './lib/receiver.js';

let pki: StagedPki;
let mtlsReceiver: Receiver;
let strictTls: Receiver;
let body: string;
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

before(async () => {
  pki = await stagePki();
  body = join(pki.work, 'body.json');
  await writeFile(body, '{"type":"ping","id":"evt_send"}');
  const tenants = new Map<string, TenantConfig>([['acme', { secrets: [SECRET], certificates: { ca: pki.caPem.acme, uris: [pki.uri('acme')] } }]]);
  const tls = { key: pki.server.key, cert: pki.server.cert, ca: [pki.rootPem], requestCert: true };
  mtlsReceiver = await startReceiver({ scheme: all(mtls({ ca: pki.rootPem }), standardWebhooks()), tenants, tls: { ...tls, rejectUnauthorized: false } });
  strictTls = await startReceiver({ scheme: all(mtls({ ca: pki.rootPem }), standardWebhooks()), tenants, tls: { ...tls, rejectUnauthorized: true } });
});
after(async () => {
  await mtlsReceiver.close();
  await strictTls.close();
  await pki.cleanup();
});

describe('sign', () => {
  const schemes: [string, (secret: string) => Scheme][] = [
    ['standard-webhooks', (secret) => standardWebhooks({ secret })],
    ['stripe', (secret) => stripe({ secret })],
    ['github', (secret) => github({ secret })],
    ['slack', (secret) => slack({ secret })],
    ['shopify', (secret) => shopify({ secret })],
  ];
  for (const [name, scheme] of schemes) {
    test(`${name}: the printed headers verify with core`, async () => {
      const run = await hookguard(['sign', name, '--secret-env', 'HG_SECRET', '--body', body, '--id', 'msg_1', '--json'], { cwd: pki.work, env: { HG_SECRET: SECRET } });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.json.scheme, name);
      const verifier = createVerifier({ scheme: scheme(SECRET), replay: false });
      const w = await verifier.verify({ method: 'POST', url: '/', headers: run.json.headers, body: Buffer.from('{"type":"ping","id":"evt_send"}') });
      assert.equal(w.scheme, scheme(SECRET).name);
      assert.ok(!run.stdout.includes(SECRET.slice(6)), 'the secret is not printed');
    });
  }

  test('text output is one "name: value" per line; --timestamp now-60 and --secret-file', async () => {
    const file = join(pki.work, 'secret.txt');
    await writeFile(file, `${SECRET}\n`);
    const run = await hookguard(['sign', 'standard-webhooks', '--secret-file', file, '--body', body, '--id', 'msg_2', '--timestamp', 'now-60'], { cwd: pki.work });
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.deepEqual(lines.map((l) => l.split(':')[0]), ['webhook-id', 'webhook-timestamp', 'webhook-signature']);
    const ts = Number(lines[1]!.split(': ')[1]);
    assert.ok(Math.abs(ts - (Math.floor(Date.now() / 1000) - 60)) < 30);
  });

  test('a secret core refuses is a usage error (exit 2) that does not echo it', async () => {
    const run = await hookguard(['sign', 'standard-webhooks', '--secret', 'whsec_***not base64***', '--body', body, '--json'], { cwd: pki.work });
    assert.equal(run.code, 2);
    assert.match(run.json.error.message, /cannot sign/);
    assert.ok(!run.stdout.includes('not base64'));
  });
});

describe('send', () => {
  const args = (url: string, extra: string[]) => ['send', url, '--scheme', 'standard-webhooks', '--secret-env', 'HG_SECRET', '--ca', pki.rootFile, ...extra];
  const env = { HG_SECRET: SECRET };

  test('over mTLS with a good certificate: 200, exit 0', async () => {
    const run = await hookguard([...args(`${mtlsReceiver.origin}/hooks/acme`, ['--cert', pki.clients.acme.chain, '--key', pki.clients.acme.key]), '--json'], { cwd: pki.work, env });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.json.status, 200);
    assert.equal(run.json.ok, true);
    assert.equal(run.json.clientCertificate, true);
    assert.equal(run.json.tlsProtocol, 'TLSv1.3');
  });

  test('rejected: status, code and problem detail printed, exit 1', async () => {
    const run = await hookguard(args(`${mtlsReceiver.origin}/hooks/acme`, ['--cert', pki.clients.expired.chain, '--key', pki.clients.expired.key]), { cwd: pki.work, env: { ...env, NO_COLOR: undefined } });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^FAIL 401 CERT_EXPIRED/);
    assert.match(run.stdout, /^  Client certificate expired: TLS verdict CERT_HAS_EXPIRED: the sender must renew its client certificate$/m);
    assert.match(run.stdout, /cause: the client certificate \(or a CA above it\) has expired \(client-cert-expired\)/);
    assert.doesNotMatch(run.stdout, /\u001b\[/, 'no colour on a pipe, even without NO_COLOR');
  });

  test('without a certificate: CERT_MISSING from hookguard, or the TLS alert from a strict TLS server', async () => {
    const lenient = await hookguard([...args(`${mtlsReceiver.origin}/hooks/acme`, []), '--json'], { cwd: pki.work, env });
    assert.equal(lenient.json.code, 'CERT_MISSING');
    assert.match(lenient.json.hint, /UNABLE_TO_GET_ISSUER_CERT here means the client sent no certificate/);
    const strict = await hookguard([...args(`${strictTls.origin}/hooks/acme`, []), '--json'], { cwd: pki.work, env });
    assert.equal(strict.code, 1);
    assert.equal(strict.json.status, null);
    assert.equal(strict.json.error.code, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    assert.equal(strict.json.cause, 'cert-missing');
  });

  test("the server's certificate is checked: without --ca the test root is unknown", async () => {
    const run = await hookguard(['send', `${mtlsReceiver.origin}/hooks/acme`, '--scheme', 'standard-webhooks', '--secret-env', 'HG_SECRET', '--json'], { cwd: pki.work, env });
    assert.equal(run.json.cause, 'server-cert-untrusted');
    assert.equal(run.code, 1);
  });

  test('usage errors exit 2 (--cert without --key, unknown flag); nothing listening exits 3', async () => {
    assert.equal((await hookguard(args(`${mtlsReceiver.origin}/hooks/acme`, ['--cert', pki.clients.acme.chain]), { cwd: pki.work, env })).code, 2);
    const unknown = await hookguard(['send', 'https://localhost:1/', '--bogus'], { cwd: pki.work, env });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--bogus'/);
    const down = await hookguard([...args('https://127.0.0.1:1/hooks/acme', []), '--json'], { cwd: pki.work, env });
    assert.equal(down.code, 3);
    assert.equal(down.json.cause, 'server-unreachable');
  });
});
