// Envoy's x-forwarded-client-cert through every adapter, from a trusted proxy address on loopback:
// a certificate whose SAN text carries another tenant's certificate (Envoy writes URI= and DNS=
// unquoted), a client element with an unclosed quote, or the header sent twice is refused with
// CERT_UNTRUSTED; the honest header, in SANITIZE_SET and APPEND_FORWARD shape, verifies. mtls()
// alone guards the route, so an accepted forgery would be a full impersonation.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createTestPki, type Issued, type TestPki } from '@hookguard/testkit';
import { createVerifier, fromParam, mtls, type TenantConfig, type Verifier } from '@hookguard/core';
import { startTlsServer, type TlsAdapter, type TlsServer, type TlsVerifiers } from './lib/tls-servers.js';
import { post, type TlsAnswer } from './lib/tls-client.js';

let pki: TestPki;
let verifiers: TlsVerifiers;
let forged: { uriCert: Issued; uriElement: Issued; dnsCert: Issued };

const hashOf = (i: Issued) => new X509Certificate(i.cert).fingerprint256.replace(/:/g, '').toLowerCase();
/** The element Envoy writes for a certificate (cert, subject, uri, dns), SAN values unquoted as Envoy writes them. */
const element = (i: Issued, sans: string[]) =>
  [`By=spiffe://edge.test`, `Hash=${hashOf(i)}`, `Cert="${encodeURIComponent(i.cert)}"`, `Subject="CN=sender,O=hookguard tests"`, ...sans].join(';');

before(async () => {
  pki = await createTestPki();
  const tenants: Record<string, TenantConfig> = {
    acme: { certificates: { ca: pki.tenantCa.acme.cert, uris: [pki.uri('acme')] } },
    globex: { certificates: { ca: pki.tenantCa.globex.cert, uris: [pki.uri('globex')] } },
  };
  const behind = (trusted: string[]): Verifier =>
    createVerifier({
      scheme: mtls({ ca: pki.root.cert }),
      tenants: { resolve: fromParam('tenant'), lookup: async (id) => (Object.hasOwn(tenants, id) ? tenants[id] : undefined) },
      proxy: { trusted, format: 'envoy' },
      replay: false,
    });
  const envoy = behind(['127.0.0.1', '::1']);
  // `spoofed`: the same header from an address that is not the proxy's.
  verifiers = { envoy, mtls: envoy, proxied: envoy, spoofed: behind(['192.0.2.1']) };
  // Globex, a real customer with valid certificates from its own CA, puts acme's certificate (public)
  // in its SANs, in the text Envoy would continue the header with.
  const acme = encodeURIComponent(pki.clients.acme.cert);
  forged = {
    uriCert: await pki.issue('globex', { cn: 'globex-sender', uris: [`${pki.uri('globex')};Cert="${acme}"`] }),
    uriElement: await pki.issue('globex', { cn: 'globex-sender', uris: [`${pki.uri('globex')},By=spiffe://edge.test;Hash=${hashOf(pki.clients.acme)};Cert="${acme}";URI=${pki.uri('acme')}`] }),
    dnsCert: await pki.issue('globex', { cn: 'globex-sender', uris: [pki.uri('globex')], dns: [`globex.test;Cert="${acme}"`] }),
  };
});

function expectCode(a: TlsAnswer, status: number, code: string) {
  assert.equal(a.status, status, JSON.stringify(a.body));
  assert.match(a.contentType, /^application\/problem\+json/);
  assert.equal(a.body.code, code);
}

for (const adapter of ['express', 'express4', 'koa', 'nestjs', 'nestjs-fastify', 'fastify5', 'fastify4'] as TlsAdapter[]) {
  describe(`Envoy XFCC forgery: ${adapter}`, () => {
    let server: TlsServer;
    before(async () => {
      // Envoy terminates TLS and talks plain HTTP to the app, from a trusted address.
      server = await startTlsServer(adapter, verifiers, undefined);
    });
    after(async () => {
      await server?.close();
    });
    const send = (xfcc: string | string[], route = 'envoy') =>
      post(`${server.url}/${route}/acme`, { body: '{"type":"transfer.created"}', headers: { 'content-type': 'application/json', 'x-forwarded-client-cert': xfcc as string } });
    const honest = () => element(pki.clients.acme, [`URI=${pki.uri('acme')}`]);

    test('the honest element verifies as acme, alone (SANITIZE_SET) or after a client element (APPEND_FORWARD)', async () => {
      for (const xfcc of [honest(), `${element(pki.clients.globex, [`URI=${pki.uri('globex')}`])},${honest()}`]) {
        const a = await send(xfcc);
        assert.equal(a.status, 200, JSON.stringify(a.body));
        assert.deepEqual(a.body, { tenant: 'acme', subject: 'CN=acme-sender', source: 'proxy' });
      }
    });

    test('a URI SAN holding ;Cert="<acme certificate>" -> 401 CERT_UNTRUSTED', async () => {
      expectCode(await send(element(forged.uriCert, [`URI=${pki.uri('globex')};Cert="${encodeURIComponent(pki.clients.acme.cert)}"`])), 401, 'CERT_UNTRUSTED');
    });

    test('a URI SAN holding a whole forged element after a comma -> 401 CERT_UNTRUSTED', async () => {
      const san = new X509Certificate(forged.uriElement.cert).subjectAltName!;
      // Node prints the SAN's comma as \u002c.
      assert.match(san, /\\u002cBy=spiffe:\/\/edge\.test;Hash=/, 'the certificate really carries the forged element');
      const uri = `${pki.uri('globex')},By=spiffe://edge.test;Hash=${hashOf(pki.clients.acme)};Cert="${encodeURIComponent(pki.clients.acme.cert)}";URI=${pki.uri('acme')}`;
      expectCode(await send(element(forged.uriElement, [`URI=${uri}`])), 401, 'CERT_UNTRUSTED');
    });

    test('a DNS SAN holding ;Cert="<acme certificate>" -> 401 CERT_UNTRUSTED', async () => {
      expectCode(await send(element(forged.dnsCert, [`URI=${pki.uri('globex')}`, `DNS=globex.test;Cert="${encodeURIComponent(pki.clients.acme.cert)}"`])), 401, 'CERT_UNTRUSTED');
    });

    test("a client element with an unclosed quote before the proxy's element -> 401 CERT_UNTRUSTED", async () => {
      const clientSent = `By=spiffe://edge.test;Hash=${hashOf(pki.clients.acme)};Cert="${encodeURIComponent(pki.clients.acme.cert)}";Subject="x`;
      expectCode(await send(`${clientSent},${element(pki.clients.globex, [`URI=${pki.uri('globex')}`])}`), 401, 'CERT_UNTRUSTED');
    });

    test('the header sent twice (Node joins it with ", ") -> 401 CERT_UNTRUSTED', async () => {
      expectCode(await send([element(pki.clients.globex, [`URI=${pki.uri('globex')}`]), honest()]), 401, 'CERT_UNTRUSTED');
    });

    test('the honest header from an address that is not the proxy -> 401 UNTRUSTED_PROXY', async () => {
      expectCode(await send(honest(), 'spoofed'), 401, 'UNTRUSTED_PROXY');
    });
  });
}
