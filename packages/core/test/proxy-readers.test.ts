// Forwarded client certificates cannot be forged: nothing inside a certificate, and nothing a
// client sends before the trusted proxy's own element, changes which certificate is used.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { createTestPki, type Issued, type TestPki } from '@hookguard/testkit';
import { createVerifier, fromParam, mtls, type TenantConfig, type WebhookRequest } from '@hookguard/core';
import { rejectsWith, vectors } from './helpers.js';

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
    // A whole forged element after a comma in a DNS SAN.
    dnsElement: await pki.issue('globex', { cn: 'globex-sender', uris: [pki.uri('globex')], dns: [`globex.test,By=spiffe://edge;Hash=${acmeHash};Cert="${acme}";URI=${pki.uri('acme')}`] }),
    dnsOnly: await pki.issue('acme', { cn: 'acme-dns-sender', dns: ['sender.acme.test', 'Other.Acme.Test'] }),
  };
  SANS.set(forged.uriCert!, [`URI=${pki.uri('globex')};Cert="${acme}"`]);
  SANS.set(forged.uriElement!, [`URI=${pki.uri('globex')}`, `URI=${pki.uri('globex')},By=spiffe://edge;Hash=${acmeHash};Cert="${acme}";URI=${pki.uri('acme')}`]);
  SANS.set(forged.dnsCert!, [`URI=${pki.uri('globex')}`, `DNS=globex.test;Cert="${acme}"`]);
  SANS.set(forged.dnsElement!, [`URI=${pki.uri('globex')}`, `DNS=globex.test,By=spiffe://edge;Hash=${acmeHash};Cert="${acme}";URI=${pki.uri('acme')}`]);
  SANS.set(forged.dnsOnly!, ['URI=', 'DNS=sender.acme.test', 'DNS=Other.Acme.Test']);
});

const tenants: Record<string, () => TenantConfig> = {
  acme: () => ({ certificates: { ca: pki.tenantCa.acme.cert, uris: [pki.uri('acme')] } }),
  globex: () => ({ certificates: { ca: pki.tenantCa.globex.cert, uris: [pki.uri('globex')] } }),
  // A sender named by a DNS SAN only (Envoy then writes `URI=` with no value).
  dnsonly: () => ({ certificates: { ca: pki.tenantCa.acme.cert, dns: ['sender.acme.test'] } }),
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
      acme.replace(`Hash=${hashOf(pki.clients.acme)}`, `Hash=${hashOf(pki.clients.acme)};Hash=${hashOf(pki.clients.acme)}`),
      acme.replace('Subject="', 'Subject="x";Subject="'),
      acme.replace(`;URI=`, `;Chain="${encodeURIComponent(pki.tenantCa.acme.cert)}";Chain="${encodeURIComponent(pki.tenantCa.acme.cert)}";URI=`),
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
    const twice = { ...r, headers: { 'x-forwarded-client-cert': [element(pki.clients.globex), element(pki.clients.acme)] } };
    const e = await rejectsWith(verifier().verify(twice), 'CERT_UNTRUSTED');
    assert.match(e.detail!, /sent more than once/);
    // From an address that is not a trusted proxy, the duplicate is a spoofing attempt like any other.
    await rejectsWith(verifier().verify({ ...twice, remoteAddress: '203.0.113.9' }), 'UNTRUSTED_PROXY');
    // Node joins a repeated header with ", ": Envoy never writes a space there.
    await rejectsWith(verifier().verify(request('acme', `${element(pki.clients.globex)}, ${element(pki.clients.acme)}`)), 'CERT_UNTRUSTED');
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

describe("Envoy's own shapes are read; what Envoy never writes is refused", () => {
  const der = (i: Issued) => new X509Certificate(i.cert).raw;
  const pemOf = (raw: Buffer) => `-----BEGIN CERTIFICATE-----\n${raw.toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END CERTIFICATE-----\n`;

  test("the documented example (quoted Subject, several DNS) parses: it carries no Cert, so CERT_MISSING", async () => {
    const { example } = vectors<{ example: string }>('xfcc.json');
    const e = await rejectsWith(verifier().verify(request('acme', example)), 'CERT_MISSING');
    assert.match(e.detail!, /proxy forwarded no client certificate/);
  });

  test('By repeated (Envoy writes one per URI SAN of its own certificate), Chain with the leaf first, URI= for no URI SAN, DNS in any case', async () => {
    const acme = element(pki.clients.acme);
    const chain = encodeURIComponent(pki.clients.acme.chainPem);
    const w = await verifier().verify(request('acme', acme.replace('By=spiffe://edge', 'By=spiffe://edge;By=spiffe://edge-2').replace(';Subject=', `;Chain="${chain}";Subject=`)));
    assert.equal(w.peer?.certificate?.fingerprint256, new X509Certificate(pki.clients.acme.cert).fingerprint256);
    assert.deepEqual(w.peer?.chain?.map((c) => c.subject), [new X509Certificate(pki.tenantCa.acme.cert).subject, new X509Certificate(pki.root.cert).subject]);
    const d = await verifier().verify(request('dnsonly', element(forged.dnsOnly!)));
    assert.equal(d.peer?.certificate?.subject.includes('acme-dns-sender'), true);
    // Older Envoy writes only the first URI SAN.
    await verifier().verify(request('dnsonly', element(forged.dnsOnly!).replace(';DNS=Other.Acme.Test', '')));
  });

  test('quoted values hold , ; = and \\" escapes without moving the certificate', async () => {
    const acme = element(pki.clients.acme);
    const w = await verifier().verify(request('acme', acme.replace(/Subject="[^"]*"/, 'Subject="CN=a\\"b\\\\,O=x;y=z"')));
    assert.equal(w.peer?.certificate?.fingerprint256, new X509Certificate(pki.clients.acme.cert).fingerprint256);
  });

  test('a DNS SAN holding ",By=...;Cert=..." (a forged element after a comma) is refused', async () => {
    await rejectsWith(verifier().verify(request('acme', element(forged.dnsElement!))), 'CERT_UNTRUSTED');
  });

  test('a stray backslash or quote in an unquoted value before the proxy element refuses the header', async () => {
    for (const clientSent of ['By=spiffe://client\\', 'By=spiffe://client\\"', 'URI=a"b', 'By=x;Subject="a\\'])
      await rejectsWith(verifier().verify(request('acme', `${clientSent},${element(pki.clients.acme)}`)), 'CERT_UNTRUSTED');
  });

  test('empty elements, spaces around keys and empty headers are not Envoy', async () => {
    const acme = element(pki.clients.acme);
    for (const bad of ['', ',', `,${acme}`, `${acme},`, ` ${acme}`, acme.replace(';Hash=', '; Hash='), `${acme};`, acme.replace('Hash=', 'Hash ='), acme.replace('By=', '=')])
      await rejectsWith(verifier().verify(request('acme', bad)), 'CERT_UNTRUSTED');
  });

  test('Cert must be one well-formed certificate: garbage, trailing bytes, two certificates are refused (never a crash)', async () => {
    const acme = element(pki.clients.acme);
    const cert = `Cert="${encodeURIComponent(pki.clients.acme.cert)}"`;
    const withCert = (pem: string, hash = hashOf(pki.clients.acme)) => acme.replace(cert, `Cert="${encodeURIComponent(pem)}"`).replace(hashOf(pki.clients.acme), hash);
    const trailing = Buffer.concat([der(pki.clients.acme), Buffer.from([0, 0, 0])]);
    for (const bad of [
      withCert('-----BEGIN CERTIFICATE-----\nnot base64 !\n-----END CERTIFICATE-----\n'),
      withCert(pemOf(Buffer.from('definitely not DER'))),
      withCert(pemOf(trailing), createHash('sha256').update(trailing).digest('hex')),
      withCert(pki.clients.acme.cert + pki.clients.globex.cert),
      withCert(`junk${pki.clients.acme.cert}`),
      withCert(pki.clients.acme.cert.replace('-----END CERTIFICATE-----', '')),
      acme.replace(cert, 'Cert="%E0%A4%A"'),
    ])
      await rejectsWith(verifier().verify(request('acme', bad)), 'CERT_UNTRUSTED');
  });

  test('bounds: at most 16 elements and 8 chain certificates', async () => {
    const acme = element(pki.clients.acme);
    await verifier().verify(request('acme', `${'By=spiffe://hop,'.repeat(15)}${acme}`));
    await rejectsWith(verifier().verify(request('acme', `${'By=spiffe://hop,'.repeat(16)}${acme}`)), 'CERT_UNTRUSTED');
    const nine = encodeURIComponent(pki.clients.acme.chainPem + pki.root.cert.repeat(6));
    await rejectsWith(verifier().verify(request('acme', acme.replace(';Subject=', `;Chain="${nine}";Subject=`))), 'CERT_UNTRUSTED');
  });

  test('the parsed certificate is cached by its SHA-256: the same header yields the same certificate object', async () => {
    const v = verifier();
    const a = await v.verify(request('acme', element(pki.clients.acme)));
    const b = await v.verify(request('acme', element(pki.clients.acme)));
    assert.ok(a.peer?.certificate && a.peer.certificate === b.peer?.certificate);
  });
});

describe('the other proxy formats, strictly', () => {
  const via = (format: 'nginx' | 'traefik' | 'rfc9440' | 'aws-alb' | 'alb-verify', headers: Record<string, string | string[]>, remoteAddress = PROXY) =>
    createVerifier({
      scheme: mtls({ ca: pki.root.cert }),
      tenants: { resolve: fromParam('tenant'), lookup: (id) => (Object.hasOwn(tenants, id) ? tenants[id]!() : undefined) },
      proxy: {
        trusted: ['10.0.0.0/8'],
        format: format === 'alb-verify' ? 'aws-alb' : format,
        ...(format === 'nginx' ? { verifyHeader: 'x-ssl-client-verify' } : {}),
        ...(format === 'alb-verify' ? { albMode: 'verify' as const } : {}),
      },
      replay: false,
    }).verify({ ...request('acme', ''), headers, remoteAddress });
  const b64 = (i: Issued) => new X509Certificate(i.cert).raw.toString('base64');
  const alb = (pem: string) => encodeURIComponent(pem).replace(/%2B/g, '+');

  test('nginx: exactly one PEM, nothing around it; a joined or repeated header is refused', async () => {
    const acme = encodeURIComponent(pki.clients.acme.cert);
    await via('nginx', { 'x-ssl-client-cert': acme, 'x-ssl-client-verify': 'SUCCESS' });
    for (const bad of [encodeURIComponent(pki.clients.acme.cert + pki.clients.globex.cert), `${acme}, ${encodeURIComponent(pki.clients.globex.cert)}`, `junk${acme}`, '%ZZ'])
      await rejectsWith(via('nginx', { 'x-ssl-client-cert': bad, 'x-ssl-client-verify': 'SUCCESS' }), 'CERT_UNTRUSTED');
    await rejectsWith(via('nginx', { 'x-ssl-client-cert': [acme, acme], 'x-ssl-client-verify': 'SUCCESS' }), 'CERT_UNTRUSTED');
    await rejectsWith(via('nginx', { 'x-ssl-client-cert': [acme, acme] }, '203.0.113.9'), 'UNTRUSTED_PROXY');
  });

  test('nginx: the verdict is SUCCESS, NONE or FAILED:<reason> (bounded), sent once', async () => {
    const cert = { 'x-ssl-client-cert': encodeURIComponent(pki.clients.acme.cert) };
    for (const bad of ['SUCCESS, SUCCESS', 'success', `FAILED:unable to verify the first certificate${'x'.repeat(300)}`, 'FAILED:\u0001', ['SUCCESS', 'SUCCESS']])
      await rejectsWith(via('nginx', { ...cert, 'x-ssl-client-verify': bad }), 'CERT_UNTRUSTED');
    await rejectsWith(via('nginx', { ...cert, 'x-ssl-client-verify': 'x'.repeat(70_000) }), 'CERT_UNTRUSTED');
  });

  test('AWS ALB: verify mode reads exactly one leaf; passthrough at most 8 certificates; + is a literal plus', async () => {
    await via('alb-verify', { 'x-amzn-mtls-clientcert-leaf': alb(pki.clients.acme.cert) });
    await via('aws-alb', { 'x-amzn-mtls-clientcert': alb(pki.clients.acme.chainPem) });
    await rejectsWith(via('alb-verify', { 'x-amzn-mtls-clientcert-leaf': alb(pki.clients.acme.cert + pki.clients.globex.cert) }), 'CERT_UNTRUSTED');
    await rejectsWith(via('aws-alb', { 'x-amzn-mtls-clientcert': alb(pki.clients.acme.chainPem + pki.root.cert.repeat(6)) }), 'CERT_UNTRUSTED');
    await rejectsWith(via('aws-alb', { 'x-amzn-mtls-clientcert': `${alb(pki.clients.acme.cert)}, ${alb(pki.clients.globex.cert)}` }), 'CERT_UNTRUSTED');
  });

  test('Traefik: each part strict base64 of exactly one certificate; empty parts and more than 8 refused', async () => {
    const acme = b64(pki.clients.acme);
    // Unescaped (Traefik v3) and URL-escaped (v2) alike.
    await via('traefik', { 'x-forwarded-tls-client-cert': `${acme},${b64(pki.tenantCa.acme)}` });
    await via('traefik', { 'x-forwarded-tls-client-cert': `${encodeURIComponent(acme)},${encodeURIComponent(b64(pki.tenantCa.acme))}` });
    const trailing = Buffer.concat([new X509Certificate(pki.clients.acme.cert).raw, Buffer.from([1, 2, 3])]).toString('base64');
    for (const bad of [`${acme.slice(0, 40)} ${acme.slice(40)}`, `${acme.slice(0, 40)}!${acme.slice(40)}`, trailing, `${acme},,${b64(pki.tenantCa.acme)}`, `${acme},`, Array(9).fill(acme).join(',')])
      await rejectsWith(via('traefik', { 'x-forwarded-tls-client-cert': bad }), 'CERT_UNTRUSTED');
  });

  test('RFC 9440: sf-binary items and lists (OWS around commas, SP trimmed), at most 7 chain members, sent once', async () => {
    const leaf = `:${b64(pki.clients.acme)}:`;
    const w = await via('rfc9440', { 'client-cert': ` ${leaf} `, 'client-cert-chain': `:${b64(pki.tenantCa.acme)}:,\t:${b64(pki.root)}:` });
    assert.equal(w.peer?.chain?.length, 2);
    // Unpadded base64 is accepted (RFC 8941 §4.2.7).
    await via('rfc9440', { 'client-cert': leaf.replace(/=+:$/, ':') });
    for (const [cert, chain] of [
      [`${leaf};a=1`, undefined],
      [`\t${leaf}`, undefined],
      [leaf, `:${b64(pki.tenantCa.acme)}:,`],
      [leaf, `:${b64(pki.tenantCa.acme)}:,,:${b64(pki.root)}:`],
      [leaf, Array(8).fill(`:${b64(pki.root)}:`).join(', ')],
      [`:${b64(pki.clients.acme).replace(/^(.{8})/, '$1=')}:`, undefined],
    ] as Array<[string, string | undefined]>)
      await rejectsWith(via('rfc9440', { 'client-cert': cert, ...(chain !== undefined ? { 'client-cert-chain': chain } : {}) }), 'CERT_UNTRUSTED');
    await rejectsWith(via('rfc9440', { 'client-cert': [leaf, `:${b64(pki.clients.globex)}:`] }), 'CERT_UNTRUSTED');
    await rejectsWith(via('rfc9440', { 'client-cert': leaf, 'client-cert-chain': [`:${b64(pki.tenantCa.acme)}:`, `:${b64(pki.root)}:`] }), 'CERT_UNTRUSTED');
    await rejectsWith(via('rfc9440', { 'client-cert': [leaf, leaf] }, '203.0.113.9'), 'UNTRUSTED_PROXY');
  });
});
