// HTTP/2: req.socket is a proxy of the TLS socket; the peer certificate must still be read from it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { createTestPki, type Issued, type TestPki } from '@hookguard/testkit';
import { all, mtls, sign, standardWebhooks, type VerifiedWebhook } from '@hookguard/core';
import { verifyWebhook } from '@hookguard/koa';

const SECRET = 'whsec_' + Buffer.alloc(24, 41).toString('base64');
let pki: TestPki;
let server: Http2SecureServer;
let port: number;

before(async () => {
  pki = await createTestPki();
  const app = new Koa();
  app.silent = true;
  app.use(
    verifyWebhook({
      scheme: all(mtls({ ca: pki.root.cert }), standardWebhooks()),
      tenants: { resolve: () => 'acme', lookup: () => ({ secrets: [SECRET], certificates: { ca: pki.tenantCa.acme.cert, uris: [pki.uri('acme')] } }) },
    }),
  );
  app.use((ctx) => {
    const w = ctx.state.webhook as VerifiedWebhook;
    ctx.body = { subject: w.peer?.certificate?.subject.split('\n')[0], httpVersion: ctx.req.httpVersion };
  });
  server = createSecureServer({ key: pki.server.key, cert: pki.server.cert, ca: [pki.root.cert], requestCert: true, rejectUnauthorized: false }, app.callback() as never);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function h2post(client: Issued | undefined): Promise<{ status: number; body: any }> {
  const session = connect(`https://localhost:${port}`, { ca: pki.root.cert, host: '127.0.0.1', servername: 'localhost', ...(client ? { key: client.key, cert: client.chainPem } : {}) } as never);
  const body = JSON.stringify({ type: 'h2' });
  const headers = sign.standardWebhooks({ secret: SECRET, body });
  return new Promise((resolve, reject) => {
    session.on('error', reject);
    const req = session.request({ ':method': 'POST', ':path': '/', 'content-type': 'application/json', ...headers });
    let status = 0;
    const chunks: Buffer[] = [];
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      session.close();
      resolve({ status, body: JSON.parse(Buffer.concat(chunks).toString()) });
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('HTTP/2: the client certificate is read through the socket proxy', async () => {
  const ok = await h2post(pki.clients.acme);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(ok.body, { subject: 'CN=acme-sender', httpVersion: '2.0' });
});

test('HTTP/2: a certificate of another tenant is refused', async () => {
  const bad = await h2post(pki.clients.crossTenant);
  assert.deepEqual([bad.status, bad.body.code], [403, 'CERT_IDENTITY_MISMATCH']);
  const none = await h2post(undefined);
  assert.deepEqual([none.status, none.body.code], [401, 'CERT_MISSING']);
});
