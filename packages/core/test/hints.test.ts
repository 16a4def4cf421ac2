// WebhookVerificationError.hint: a fix sentence for the mistakes that otherwise read as a bare 401
// — over real TLS for the certificate verdicts Node words misleadingly.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createTestPki, type TestPki } from '@hookguard/testkit';
import { all, createVerifier, mtls, peerFromSocket, sign, standardWebhooks, stripe, toProblem, type WebhookVerificationError } from '@hookguard/core';
import { rejectsWith, request, SECRET } from './helpers.js';

describe('hints', () => {
  test('a timestamp in milliseconds (Standard Webhooks and Stripe)', async () => {
    const now = Date.now();
    const sw = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: false });
    const e1 = await rejectsWith(sw.verify(request(sign.standardWebhooks({ secret: SECRET, body: '{}', timestamp: now }), '{}')), 'TIMESTAMP_OUT_OF_TOLERANCE');
    assert.match(e1.hint ?? '', /milliseconds/);
    const st = createVerifier({ scheme: stripe({ secret: 'whsec_stripe_test_secret' }), replay: false });
    const e2 = await rejectsWith(st.verify(request(sign.stripe({ secret: 'whsec_stripe_test_secret', body: '{}', timestamp: now }), '{}')), 'TIMESTAMP_OUT_OF_TOLERANCE');
    assert.match(e2.hint ?? '', /Math\.floor\(Date\.now\(\) \/ 1000\)/);
    const stale = await rejectsWith(sw.verify(request(sign.standardWebhooks({ secret: SECRET, body: '{}', timestamp: Math.floor(now / 1000) - 900 }), '{}')), 'TIMESTAMP_OUT_OF_TOLERANCE');
    assert.equal(stale.hint, undefined, 'plain clock skew has no milliseconds hint');
  });

  test('a body that was parsed before verification, and the hint in the problem only with its detail', async () => {
    const seen: WebhookVerificationError[] = [];
    const v = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: false, onRejected: (e) => seen.push(e) });
    const headers = sign.standardWebhooks({ secret: SECRET, body: '{"type":"x"}' });
    const e = await rejectsWith(v.verify(request(headers, '[object Object]')), 'SIGNATURE_MISMATCH');
    assert.match(e.hint ?? '', /body parser ran before verification/);
    assert.equal(seen[0]?.hint, e.hint, 'onRejected sees the hint');
    assert.equal(toProblem(e).hint, e.hint);
    assert.equal(toProblem(e, { detail: false }).hint, undefined);
    const other = await rejectsWith(v.verify(request(headers, '{"type":"y"}')), 'SIGNATURE_MISMATCH');
    assert.equal(other.hint, undefined);
  });
});

describe('hints over real TLS', () => {
  let pki: TestPki;
  let server: Server;
  let port: number;
  const got: WebhookVerificationError[] = [];

  before(async () => {
    pki = await createTestPki();
    const verifier = createVerifier({
      scheme: all(mtls({ identity: { ca: pki.tenantCa.acme.cert } }), standardWebhooks({ secret: SECRET })),
      replay: false,
    });
    server = createServer({ key: pki.server.key, cert: pki.server.cert, ca: [pki.root.cert], requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        verifier
          .verify({ method: 'POST', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks), peer: peerFromSocket(req.socket) })
          .then(
            () => res.writeHead(204).end(),
            (e: WebhookVerificationError) => {
              got.push(e);
              res.writeHead(e.status, { 'content-type': 'application/problem+json' }).end(JSON.stringify(toProblem(e)));
            },
          );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function post(client: { cert?: string; key?: string }): Promise<{ status: number; problem: Record<string, unknown> }> {
    const body = '{"type":"x"}';
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port, servername: 'localhost', ca: pki.root.cert, method: 'POST', agent: false, headers: sign.standardWebhooks({ secret: SECRET, body }), ...client, timeout: 30_000 },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, problem: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  test("no certificate sent: Node says UNABLE_TO_GET_ISSUER_CERT, the hint says what it means", async () => {
    const a = await post({});
    assert.equal(a.status, 401);
    assert.equal(a.problem.code, 'CERT_MISSING');
    assert.match(String(a.problem.hint), /sent no certificate at all, not an issuer problem/);
    assert.equal(got.at(-1)?.hint, a.problem.hint);
  });

  test("the certificate without its issuing CA: UNABLE_TO_VERIFY_LEAF_SIGNATURE, the hint says to send the chain", async () => {
    const a = await post({ cert: pki.clients.acme.cert, key: pki.clients.acme.key });
    assert.equal(a.status, 204, 'the tenant CA is the binding: hookguard accepts the leaf alone');
    const foreign = await post({ cert: pki.clients.unknownCa.cert, key: pki.clients.unknownCa.key });
    assert.equal(foreign.problem.code, 'CERT_UNTRUSTED');
    assert.match(String(foreign.problem.hint), /present the chain/);
  });
});
