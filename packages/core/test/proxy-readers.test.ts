// Forwarded client certificates cannot be forged: nothing inside a certificate, and nothing a
// client sends before the trusted proxy's own element, changes which certificate is used.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { createTestPki, type Issued, type TestPki } from '@hookguard/testkit';
import { createVerifier, fromParam, mtls, type TenantConfig, type WebhookRequest } from '@hookguard/core';
import { rejectsWith } from './helpers.js';

let pki: TestPki;
let forged: Record<string, Issued>;
const PROXY = '10.0.0.7';

before(async () => {
  pki = await createTestPki();
  const acme = encodeURIComponent(pki.clients.acme.cert);
  const acmeHash = pki.clients.acme.fingerprint;
  // Certificates of tenant globex (a real customer with a valid certificate) whose SAN text carries
  // acme's certificate, written as Envoy would continue the header.
  forged = {
    uriCert: await pki.issue('globex', { cn: 'globex-sender', uris: [`${pki.uri('globex')};Cert="${acme}"`] }),
    uriElement: await pki.issue('globex', {
      cn: 'globex-sender',
      uris: [pki.uri('globex'), `${pki.uri('globex')},By=spiffe://edge;Hash=${acmeHash};Cert="${acme}";URI=${pki.uri('acme')}`],
    }),
    dnsCert: await pki.issue('globex', { cn: 'globex-sender', uris: [pki.uri('globex')], dns: [`globex.test;Cert="${acme}"`] }),
  };
  SANS.set(forged.uriCert!, [`URI=${pki.uri('globex')};Cert="${acme}"`]);
  SANS.set(forged.uriElement!, [`URI=${pki.uri('globex')}`, `URI=${pki.uri('globex')},By=spiffe://edge;Hash=${acmeHash};Cert="${acme}";URI=${pki.uri('acme')}`]);
  SANS.set(forged.dnsCert!, [`URI=${pki.uri('globex')}`, `DNS=globex.test;Cert="${acme}"`]);
});

const tenants: Record<string, () => TenantConfig> = {
  acme: () => ({ certificates: { ca: pki.tenantCa.acme.cert, uris: [pki.uri('acme')] } }),
  globex: () => ({ certificates: { ca: pki.tenantCa.globex.cert, uris: [pki.uri('globex')] } }),
};
const verifier = () =>
  createVerifier({
    scheme: mtls({ ca: pki.root.cert }),
    tenants: { resolve: fromParam('tenant'), lookup: (id) => (Object.hasOwn(tenants, id) ? tenants[id]!() : undefined) },
    proxy: { trusted: ['10.0.0.0/8'], format: 'envoy' },
    replay: false,
  });
const request = (tenant: string, xfcc: string): WebhookRequest => ({
  method: 'POST',
  url: `/webhooks/${tenant}`,
  headers: { 'x-forwarded-client-cert': xfcc },
  body: Buffer.from('{}'),
  params: { tenant },
  remoteAddress: PROXY,
});
const hashOf = (i: Issued) => createHash('sha256').update(new X509Certificate(i.cert).raw).digest('hex');
/** SAN values as the certificate holds them, unquoted, as Envoy writes them. */
const SANS = new Map<Issued, string[]>();
const sans = (i: Issued) => SANS.get(i) ?? [`URI=${i === pki.clients.globex ? pki.uri('globex') : pki.uri('acme')}`];
/** The element Envoy writes for a certificate (SANITIZE_SET with cert, subject, uri, dns). */
const element = (i: Issued) =>
  [`By=spiffe://edge`, `Hash=${hashOf(i)}`, `Cert="${encodeURIComponent(i.cert)}"`, `Subject="${new X509Certificate(i.cert).subject.split('\n').reverse().join(',')}"`, ...sans(i)].join(';');

describe('Envoy x-forwarded-client-cert', () => {
  test("an honest element verifies as its own tenant, and another tenant's certificate is refused", async () => {
    const w = await verifier().verify(request('acme', element(pki.clients.acme)));
    assert.equal(w.peer?.certificate?.fingerprint256, new X509Certificate(pki.clients.acme.cert).fingerprint256);
    // Globex's CA is not acme's: refused before the identity check.
    await rejectsWith(verifier().verify(request('acme', element(pki.clients.globex))), 'CERT_UNTRUSTED');
    // Several hops (APPEND_FORWARD): the last element, Envoy's own, is used.
    await verifier().verify(request('acme', `${element(pki.clients.globex)},${element(pki.clients.acme)}`));
  });

  test('a URI SAN holding ;Cert="<another tenant\'s certificate>" is refused, never read as that tenant', async () => {
    // Sanity: the forged text would name acme's certificate if read the naive way.
    const xfcc = element(forged.uriCert!);
    assert.match(xfcc, /URI=spiffe:\/\/webhooks\.test\/tenant\/globex;Cert="/);
    const e = await rejectsWith(verifier().verify(request('acme', xfcc)), 'CERT_UNTRUSTED');
    assert.match(e.detail!, /repeated|order|punctuation/);
  });

  test('a URI SAN holding ",By=...;Hash=...;Cert=..." (a whole forged element after a comma) is refused', async () => {
    await rejectsWith(verifier().verify(request('acme', element(forged.uriElement!))), 'CERT_UNTRUSTED');
  });

  test('a DNS SAN holding ;Cert= is refused', async () => {
    await rejectsWith(verifier().verify(request('acme', element(forged.dnsCert!))), 'CERT_UNTRUSTED');
  });

  test('Hash must match Cert; Cert needs Hash', async () => {
    const acme = element(pki.clients.acme);
    await rejectsWith(verifier().verify(request('acme', acme.replace(hashOf(pki.clients.acme), hashOf(pki.clients.globex)))), 'CERT_UNTRUSTED');
    await rejectsWith(verifier().verify(request('acme', acme.replace(`Hash=${hashOf(pki.clients.acme)};`, ''))), 'CERT_UNTRUSTED');
  });

  test('repeated keys, unknown keys and keys out of order refuse the element', async () => {
    const acme = element(pki.clients.acme);
    const cert = `Cert="${encodeURIComponent(pki.clients.acme.cert)}"`;
    for (const bad of [
      `${acme};${cert}`, // Cert again at the end
      acme.replace('By=spiffe://edge', 'By=spiffe://edge;By=spiffe://other'),
      acme.replace('By=spiffe://edge', 'Foo=bar;By=spiffe://edge'),
      `Hash=${hashOf(pki.clients.acme)};By=spiffe://edge;${cert}`,
    ])
      await rejectsWith(verifier().verify(request('acme', bad)), 'CERT_UNTRUSTED');
  });

  test("with APPEND_FORWARD, a client element with an unclosed quote cannot swallow the proxy's element", async () => {
    // The client sent `Subject="x` (no closing quote); Envoy appended its own element for globex.
    // Read loosely, the quote would swallow the real element and leave the client's certificate.
    const clientSent = `By=spiffe://edge;Hash=${hashOf(pki.clients.acme)};Cert="${encodeURIComponent(pki.clients.acme.cert)}";Subject="x`;
    await rejectsWith(verifier().verify(request('acme', `${clientSent},${element(pki.clients.globex)}`)), 'CERT_UNTRUSTED');
    await rejectsWith(verifier().verify(request('acme', `Subject="a\\`)), 'CERT_UNTRUSTED');
  });

  test('a header sent twice is refused, not joined; an oversized header is refused', async () => {
    const r = request('acme', element(pki.clients.acme));
    await rejectsWith(verifier().verify({ ...r, headers: { 'x-forwarded-client-cert': [element(pki.clients.acme), element(pki.clients.acme)] } }), 'MALFORMED_SIGNATURE');
    await rejectsWith(verifier().verify(request('acme', `${element(pki.clients.acme)};URI=${'a'.repeat(70_000)}`)), 'CERT_UNTRUSTED');
  });

  test('garbage never crashes: every mutation of an honest header is an accept of acme or a precise code', async () => {
    const honest = element(pki.clients.acme);
    const v = verifier();
    for (let i = 0; i < honest.length; i += 7) {
      for (const insert of ['"', ',', ';', '=', '\\', '%', '']) {
        const mutated = honest.slice(0, i) + insert + honest.slice(i + 1);
        try {
          const w = await v.verify(request('acme', mutated));
          assert.equal(w.peer?.certificate?.fingerprint256, new X509Certificate(pki.clients.acme.cert).fingerprint256);
        } catch (e) {
          assert.ok((e as { code?: string }).code?.startsWith('CERT_') || (e as { code?: string }).code === 'UNTRUSTED_PROXY', String(e));
        }
      }
    }
  });
});

describe('the other proxy formats', () => {
  const via = (format: 'nginx' | 'traefik' | 'rfc9440', headers: Record<string, string>) =>
    createVerifier({
      scheme: mtls({ ca: pki.root.cert }),
      tenants: { resolve: fromParam('tenant'), lookup: (id) => (Object.hasOwn(tenants, id) ? tenants[id]!() : undefined) },
      proxy: { trusted: ['10.0.0.0/8'], format, ...(format === 'nginx' ? { verifyHeader: 'x-ssl-client-verify' } : {}) },
      replay: false,
    }).verify({ ...request('acme', ''), headers });
  const der = (i: Issued) => new X509Certificate(i.cert).raw.toString('base64');

  test('RFC 9440: only strict byte sequences; a repeated Client-Cert is refused', async () => {
    await via('rfc9440', { 'client-cert': `:${der(pki.clients.acme)}:` });
    for (const bad of [`${der(pki.clients.acme)}`, `:${der(pki.clients.acme)}`, `::`, `:${der(pki.clients.acme)}:, :${der(pki.clients.globex)}:`])
      await rejectsWith(via('rfc9440', { 'client-cert': bad }), 'CERT_UNTRUSTED');
  });

  test('Traefik: a comma list of base64 DER; the first is the leaf whatever the others hold', async () => {
    const w = await via('traefik', { 'x-forwarded-tls-client-cert': encodeURIComponent(`${der(pki.clients.acme)},${der(pki.tenantCa.acme)}`) });
    assert.equal(w.peer?.certificate?.fingerprint256, new X509Certificate(pki.clients.acme.cert).fingerprint256);
    await rejectsWith(via('traefik', { 'x-forwarded-tls-client-cert': encodeURIComponent(`${der(pki.clients.globex)},${der(pki.clients.acme)}`) }), 'CERT_UNTRUSTED');
  });

  test("nginx: the verdict header is the proxy's; a FAILED verdict is final", async () => {
    await via('nginx', { 'x-ssl-client-cert': encodeURIComponent(pki.clients.acme.cert), 'x-ssl-client-verify': 'SUCCESS' });
    await rejectsWith(via('nginx', { 'x-ssl-client-cert': encodeURIComponent(pki.clients.acme.cert), 'x-ssl-client-verify': 'FAILED:certificate revoked' }), 'CERT_REVOKED');
  });
});
