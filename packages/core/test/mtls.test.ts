import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createTestPki, type Issued, type TestPki } from '@hookguard/testkit';
import {
  all, createVerifier, fromCertificate, fromParam, mtls, sign, standardWebhooks,
  type CertificateExpiringInfo, type PeerCertificate, type TenantConfig, type VerifierOptions, type WebhookRequest,
} from '@hookguard/core';
import { rejectsWith } from './helpers.js';

let pki: TestPki;
const SECRETS = {
  acme: 'whsec_' + Buffer.alloc(24, 21).toString('base64'),
  globex: 'whsec_' + Buffer.alloc(24, 22).toString('base64'),
};
const body = '{"type":"transfer.created"}';

before(async () => {
  pki = await createTestPki();
});

const x = (i: Issued) => new X509Certificate(i.cert);
/** A peer as the TLS socket reports it: the server trusts the root, so tenant certificates are authorized. */
function peer(i: Issued | undefined, verdict: Partial<PeerCertificate> = {}): PeerCertificate {
  return i ? { tls: true, source: 'socket', authorized: true, certificate: x(i), chain: [], ...verdict } : { tls: true, source: 'socket', authorized: false, authorizationError: 'UNABLE_TO_GET_ISSUER_CERT', ...verdict };
}
function req(tenant: string, p: PeerCertificate | undefined, extra: Partial<WebhookRequest> = {}, signer = tenant): WebhookRequest {
  const headers = sign.standardWebhooks({ secret: SECRETS[signer as 'acme'] ?? SECRETS.acme, body });
  return { method: 'POST', url: `/webhooks/${tenant}`, headers, body: Buffer.from(body), params: { tenant }, ...(p ? { peer: p } : {}), ...extra };
}

function tenantsConfig(revoked: string[] = []): Record<string, TenantConfig> {
  return {
    acme: { secrets: [SECRETS.acme], certificates: { ca: pki.tenantCa.acme.cert, uris: [pki.uri('acme')], crls: [pki.acmeCrl], revokedSerials: revoked } },
    globex: { secrets: [SECRETS.globex], certificates: { ca: pki.tenantCa.globex.cert, uris: [pki.uri('globex')] } },
  };
}
function verifier(extra: Partial<VerifierOptions> = {}, tenants = tenantsConfig(), m = mtls({ ca: pki.root.cert })) {
  return createVerifier({
    scheme: all(m, standardWebhooks()),
    tenants: { resolve: fromParam('tenant'), lookup: (id) => tenants[id] },
    replay: false,
    ...extra,
  });
}

describe('mtls: each certificate case has its code', () => {
  test("a valid certificate of the tenant's CA with its SAN verifies", async () => {
    const w = await verifier().verify(req('acme', peer(pki.clients.acme)));
    assert.equal(w.scheme, 'mtls+standardWebhooks');
    assert.equal(w.peer?.certificate?.subject.includes('acme-sender'), true);
  });
  const cases: Array<[string, () => PeerCertificate | undefined, string]> = [
    ['plain HTTP', () => ({ tls: false, source: 'socket' }), 'CERT_MISSING'],
    ['no client certificate', () => peer(undefined), 'CERT_MISSING'],
    ['expired (our own check)', () => peer(pki.clients.expired), 'CERT_EXPIRED'],
    ["expired (Node's verdict)", () => peer(pki.clients.expired, { authorized: false, authorizationError: 'CERT_HAS_EXPIRED' }), 'CERT_EXPIRED'],
    ['not yet valid', () => peer(pki.clients.notYetValid), 'CERT_NOT_YET_VALID'],
    ['self-signed', () => peer(pki.clients.selfSigned, { authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'CERT_UNTRUSTED'],
    ['unknown CA', () => peer(pki.clients.unknownCa, { authorized: false, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), 'CERT_UNTRUSTED'],
    ['serverAuth-only EKU', () => peer(pki.clients.serverAuthOnly), 'CERT_WRONG_USAGE'],
    ['no EKU', () => peer(pki.clients.noEku), 'CERT_WRONG_USAGE'],
    ['revoked in the tenant CRL', () => peer(pki.clients.revoked), 'CERT_REVOKED'],
    ["cross-tenant: globex's CA with acme's SAN", () => peer(pki.clients.crossTenant), 'CERT_IDENTITY_MISMATCH'],
    ["globex's own certificate on acme's endpoint", () => peer(pki.clients.globex), 'CERT_IDENTITY_MISMATCH'],
  ];
  for (const [name, p, code] of cases) {
    test(`${name} -> ${code}`, async () => {
      const e = await rejectsWith(verifier().verify(req('acme', p())), code as never);
      assert.ok(e.detail && e.detail.length > 20, 'the detail says how to fix it');
      assert.equal(e.status, code === 'CERT_IDENTITY_MISMATCH' ? 403 : 401);
    });
  }
  test('plain HTTP says the connection is not TLS', async () => {
    const e = await rejectsWith(verifier().verify(req('acme', { tls: false })), 'CERT_MISSING');
    assert.match(e.detail!, /not TLS/);
  });
  test('allowNoEku accepts a certificate without EKU', async () => {
    await verifier({}, tenantsConfig(), mtls({ ca: pki.root.cert, allowNoEku: true })).verify(req('acme', peer(pki.clients.noEku)));
  });
  test('revoked serials listed in the tenant config', async () => {
    await rejectsWith(verifier({}, tenantsConfig([pki.clients.acme.serial])).verify(req('acme', peer(pki.clients.acme))), 'CERT_REVOKED');
  });
  test('a tenant CA missing from the server trust store still verifies its own certificates', async () => {
    await verifier().verify(req('acme', peer(pki.clients.acme, { authorized: false, authorizationError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' })));
  });
  test('pinned fingerprints alone', async () => {
    const tenants: Record<string, TenantConfig> = { acme: { secrets: [SECRETS.acme], certificates: { fingerprints: [pki.clients.selfSigned.fingerprint.replace(/(..)/g, '$1:').slice(0, -1)] } } };
    await verifier({}, tenants, mtls()).verify(req('acme', peer(pki.clients.selfSigned, { authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' })));
    await rejectsWith(verifier({}, tenants, mtls()).verify(req('acme', peer(pki.clients.acme))), 'CERT_IDENTITY_MISMATCH');
  });
  test('a tenant without a certificate binding fails closed (503), never open', async () => {
    await rejectsWith(verifier({}, { acme: { secrets: [SECRETS.acme] } }).verify(req('acme', peer(pki.clients.acme))), 'TENANT_LOOKUP_FAILED');
  });
  test('a CRL not signed by the tenant CA is refused', async () => {
    const tenants = tenantsConfig();
    tenants.globex!.certificates = { ...tenants.globex!.certificates, crls: [pki.acmeCrl] };
    await rejectsWith(verifier({}, tenants).verify(req('globex', peer(pki.clients.globex))), 'TENANT_LOOKUP_FAILED');
  });
  test('single tenant: mtls({ identity })', async () => {
    const v = createVerifier({ scheme: mtls({ identity: { ca: pki.tenantCa.acme.cert, cn: ['acme-sender'] } }), replay: false });
    await v.verify(req('acme', peer(pki.clients.acme)));
    await rejectsWith(v.verify(req('acme', peer(pki.clients.globex))), 'CERT_IDENTITY_MISMATCH');
  });
});

describe('mtls: defence in depth', () => {
  test('valid certificate + bad signature -> SIGNATURE_MISMATCH', async () => {
    await rejectsWith(verifier().verify(req('acme', peer(pki.clients.acme), {}, 'globex')), 'SIGNATURE_MISMATCH');
  });
  test('bad certificate + valid signature -> the certificate code', async () => {
    await rejectsWith(verifier().verify(req('acme', peer(pki.clients.crossTenant))), 'CERT_IDENTITY_MISMATCH');
  });
});

describe('mtls: tenants resolved from the certificate', () => {
  const make = (resolve: VerifierOptions['tenants'] extends infer T ? (T extends { resolve: infer R } ? R : never) : never) =>
    createVerifier({ scheme: all(mtls({ ca: pki.root.cert }), standardWebhooks()), tenants: { resolve, lookup: (id) => tenantsConfig()[id] }, replay: false });
  const pattern = /^spiffe:\/\/webhooks\.test\/tenant\/([^/]+)$/;
  test('the SAN names the tenant', async () => {
    const w = await make(fromCertificate({ pattern })).verify({ ...req('globex', peer(pki.clients.globex)), params: {} });
    assert.equal(w.tenant, 'globex');
  });
  test('route and certificate must agree', async () => {
    await make([fromParam('tenant'), fromCertificate({ pattern })]).verify(req('acme', peer(pki.clients.acme)));
    await rejectsWith(make([fromParam('tenant'), fromCertificate({ pattern })]).verify(req('acme', peer(pki.clients.globex))), 'TENANT_MISMATCH');
  });
  test("a cross-tenant certificate naming acme is still refused by acme's CA", async () => {
    await rejectsWith(make(fromCertificate({ pattern })).verify({ ...req('acme', peer(pki.clients.crossTenant)), params: {} }), 'CERT_IDENTITY_MISMATCH');
  });
});

describe('mtls: revocation and expiry warnings', () => {
  test('invalidate(tenant) applies a new revocation at the next request', async () => {
    const revoked: string[] = [];
    const tenants = { get acme() { return tenantsConfig(revoked).acme!; } } as Record<string, TenantConfig>;
    const v = verifier({}, tenants);
    await v.verify(req('acme', peer(pki.clients.revokeLater)));
    revoked.push(pki.clients.revokeLater.serial);
    await v.verify(req('acme', peer(pki.clients.revokeLater))); // still cached
    v.invalidate('acme');
    await rejectsWith(v.verify(req('acme', peer(pki.clients.revokeLater))), 'CERT_REVOKED');
  });
  test('onCertificateExpiring: once under 30 days, once more under 7 days', async () => {
    const seen: CertificateExpiringInfo[] = [];
    const to = Date.parse(x(pki.clients.acme).validTo);
    let now = to - 40 * 86_400_000;
    const tenants = tenantsConfig();
    tenants.acme!.certificates = { ...tenants.acme!.certificates, crls: [] }; // the clock below runs past the CRL's nextUpdate
    const v = verifier({ now: () => now, toleranceSec: 1e9, onCertificateExpiring: (i) => seen.push(i) }, tenants);
    await v.verify(req('acme', peer(pki.clients.acme)));
    now = to - 20 * 86_400_000;
    await v.verify(req('acme', peer(pki.clients.acme)));
    await v.verify(req('acme', peer(pki.clients.acme)));
    now = to - 5 * 86_400_000;
    await v.verify(req('acme', peer(pki.clients.acme)));
    await v.verify(req('acme', peer(pki.clients.acme)));
    assert.deepEqual(seen.map((s) => [s.threshold, s.daysLeft, s.tenant]), [[30, 20, 'acme'], [7, 5, 'acme']]);
    assert.equal(seen[0]!.fingerprint, pki.clients.acme.fingerprint);
  });
});

describe('mtls behind a TLS-terminating proxy', () => {
  const PROXY = '10.1.2.3';
  const pemOf = (i: Issued) => i.cert;
  const der = (i: Issued) => x(i).raw;
  /** The issuing CAs that came with a certificate (chainPem is leaf first). */
  const issuers = (i: Issued) => (i.chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).slice(1);
  const issuersDer = (i: Issued) => issuers(i).map((p) => new X509Certificate(p).raw.toString('base64'));
  type Format = 'envoy' | 'nginx' | 'aws-alb' | 'aws-alb-verify' | 'traefik' | 'rfc9440';
  const via = (format: Format, extra: Partial<VerifierOptions> = {}) =>
    verifier({
      proxy: {
        trusted: ['10.0.0.0/8', '::1'],
        format: format === 'aws-alb-verify' ? 'aws-alb' : format,
        ...(format === 'nginx' ? { verifyHeader: 'X-SSL-Client-Verify' } : {}),
        ...(format === 'aws-alb-verify' ? { albMode: 'verify' as const } : {}),
      },
      ...extra,
    });
  const forwarded = (headers: Record<string, string>, remoteAddress = PROXY) => {
    const r = req('acme', { tls: false, source: 'socket' });
    return { ...r, headers: { ...r.headers, ...headers }, remoteAddress };
  };
  const encodings: Array<[string, Format, (i: Issued) => Record<string, string>]> = [
    ['Envoy XFCC (last element, quoted, URL-encoded PEM)', 'envoy', (i) => ({
      'x-forwarded-client-cert': `By=spiffe://edge;Hash=${pki.clients.unknownCa.fingerprint};Cert="${encodeURIComponent(pki.clients.unknownCa.cert)}";Subject="CN=first,O=hop";URI=${pki.uri('acme')},By=spiffe://edge;Hash=${i.fingerprint};Cert="${encodeURIComponent(pemOf(i))}";Chain="${encodeURIComponent(issuers(i).join('\n'))}";Subject="CN=acme-sender,O=hookguard tests";URI=${pki.uri('acme')}`,
    })],
    ['nginx $ssl_client_escaped_cert + $ssl_client_verify', 'nginx', (i) => ({ 'x-ssl-client-cert': encodeURIComponent(pemOf(i)), 'x-ssl-client-verify': 'SUCCESS' })],
    ['AWS ALB passthrough (+ literal)', 'aws-alb', (i) => ({ 'x-amzn-mtls-clientcert': encodeURIComponent(i.chainPem).replace(/%2B/g, '+') })],
    ['AWS ALB verify mode (leaf header)', 'aws-alb-verify', (i) => ({ 'x-amzn-mtls-clientcert-leaf': encodeURIComponent(pemOf(i)).replace(/%2B/g, '+'), 'x-amzn-mtls-clientcert-serial-number': i.serial })],
    ['Traefik PassTLSClientCert (pem)', 'traefik', (i) => ({ 'x-forwarded-tls-client-cert': encodeURIComponent([der(i).toString('base64'), ...issuersDer(i)].join(',')) })],
    ['RFC 9440 Client-Cert', 'rfc9440', (i) => ({ 'client-cert': `:${der(i).toString('base64')}:`, 'client-cert-chain': issuersDer(i).map((b) => `:${b}:`).join(', ') })],
  ];
  for (const [name, format, encode] of encodings) {
    test(`${name}: honoured from a trusted proxy, re-verified against the tenant CA`, async () => {
      const w = await via(format).verify(forwarded(encode(pki.clients.acme)));
      assert.equal(w.peer?.source, 'proxy');
      assert.equal(w.peer?.certificate?.fingerprint256, x(pki.clients.acme).fingerprint256);
      await rejectsWith(via(format).verify(forwarded(encode(pki.clients.crossTenant))), 'CERT_IDENTITY_MISMATCH');
      await rejectsWith(via(format).verify(forwarded(encode(pki.clients.expired))), 'CERT_EXPIRED');
    });
    test(`${name}: spoofed from an untrusted address -> UNTRUSTED_PROXY`, async () => {
      await rejectsWith(via(format).verify(forwarded(encode(pki.clients.acme), '203.0.113.9')), 'UNTRUSTED_PROXY');
    });
  }
  test('IPv4-mapped IPv6 addresses match IPv4 CIDRs', async () => {
    await via('nginx').verify(forwarded({ 'x-ssl-client-cert': encodeURIComponent(pki.clients.acme.cert), 'x-ssl-client-verify': 'SUCCESS' }, '::ffff:10.9.9.9'));
  });
  test('a trusted proxy that forwarded no certificate -> CERT_MISSING', async () => {
    const e = await rejectsWith(via('envoy').verify(forwarded({})), 'CERT_MISSING');
    assert.match(e.detail!, /not TLS|proxy/);
  });
  test('nginx reporting NONE -> CERT_MISSING; a garbled header -> CERT_UNTRUSTED', async () => {
    await rejectsWith(via('nginx').verify(forwarded({ 'x-ssl-client-verify': 'NONE' })), 'CERT_MISSING');
    await rejectsWith(via('rfc9440').verify(forwarded({ 'client-cert': 'not-a-byte-sequence' })), 'CERT_UNTRUSTED');
  });
  test('nginx: FAILED verdicts are final unless they are chain errors; the verdict header counts only when configured', async () => {
    const cert = { 'x-ssl-client-cert': encodeURIComponent(pki.clients.acme.cert) };
    await rejectsWith(via('nginx').verify(forwarded({ ...cert, 'x-ssl-client-verify': 'FAILED:certificate revoked' })), 'CERT_REVOKED');
    await rejectsWith(via('nginx').verify(forwarded({ ...cert, 'x-ssl-client-verify': 'FAILED:certificate has expired' })), 'CERT_EXPIRED');
    await rejectsWith(via('nginx').verify(forwarded({ ...cert, 'x-ssl-client-verify': 'FAILED:some other reason' })), 'CERT_UNTRUSTED');
    // nginx without the tenant CA (optional_no_ca): the chain is re-checked against the tenant's CA.
    await via('nginx').verify(forwarded({ ...cert, 'x-ssl-client-verify': 'FAILED:unable to get local issuer certificate' }));
    // Without verifyHeader a client-sent SUCCESS is ignored: a self-signed certificate with the tenant's SAN stays untrusted.
    const sanOnly: Record<string, TenantConfig> = { acme: { secrets: [SECRETS.acme], certificates: { uris: [pki.uri('acme')] } } };
    const noVerifyHeader = verifier({ proxy: { trusted: ['10.0.0.0/8'], format: 'nginx' } }, sanOnly, mtls());
    await rejectsWith(noVerifyHeader.verify(forwarded({ 'x-ssl-client-cert': encodeURIComponent(pki.clients.selfSigned.cert), 'x-ssl-client-verify': 'SUCCESS' })), 'CERT_UNTRUSTED');
  });
  test('the verdict cache does not carry one request’s proxy verdict to the next', async () => {
    const sanOnly: Record<string, TenantConfig> = { acme: { secrets: [SECRETS.acme], certificates: { uris: [pki.uri('acme')] } } };
    const v = verifier({ proxy: { trusted: ['10.0.0.0/8'], format: 'nginx', verifyHeader: 'x-ssl-client-verify' } }, sanOnly, mtls());
    const cert = { 'x-ssl-client-cert': encodeURIComponent(pki.clients.acme.cert) };
    await v.verify(forwarded({ ...cert, 'x-ssl-client-verify': 'SUCCESS' }));
    await rejectsWith(v.verify(forwarded(cert)), 'CERT_UNTRUSTED');
    await rejectsWith(v.verify(forwarded({ ...cert, 'x-ssl-client-verify': 'FAILED:certificate revoked' })), 'CERT_REVOKED');
  });
  test('ALB: only the configured mode’s header is read', async () => {
    const leaf = { 'x-amzn-mtls-clientcert-leaf': encodeURIComponent(pki.clients.acme.cert).replace(/%2B/g, '+') };
    await rejectsWith(via('aws-alb').verify(forwarded(leaf)), 'CERT_MISSING');
  });
  test('an expired CRL fails closed', async () => {
    const to = Date.parse(x(pki.clients.acme).validTo);
    await rejectsWith(verifier({ now: () => to - 86_400_000, toleranceSec: 1e9 }).verify(req('acme', peer(pki.clients.acme))), 'CERT_UNTRUSTED');
  });
  test('bad proxy configuration fails at creation', () => {
    assert.throws(() => verifier({ proxy: { trusted: ['10.0.0.0/8'], format: 'aws-alb', albMode: 'both' as never } }), /albMode/);
    assert.throws(() => verifier({ proxy: { trusted: ['not-an-ip'], format: 'envoy' } }), /not an IP/);
    assert.throws(() => verifier({ proxy: { trusted: ['10.0.0.0/8'], format: 'haproxy' as never } }), /format/);
    assert.throws(() => verifier({ proxy: { trusted: [], format: 'envoy' } }), /trusted/);
  });
});

describe('mtls: every CA certificate above the leaf must be valid now and unrevoked', () => {
  const DAY = 86_400_000;
  const rootTenant = (certificates: Partial<NonNullable<TenantConfig['certificates']>> = {}): Record<string, TenantConfig> => ({
    acme: { secrets: [SECRETS.acme], certificates: { ca: pki.root.cert, uris: [pki.uri('acme')], ...certificates } },
  });
  // The server does not know the intermediate (the TLS stack could not check it): only hookguard's own chain check stands.
  const viaIntermediate = (leaf: Issued, ca: Issued) => peer(leaf, { authorized: false, authorizationError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', chain: [x(ca)] });
  const issue = (name: string, dates: { notBefore?: Date; notAfter?: Date }) => pki.issueUnderNewCa({ name, ...dates }, { cn: 'acme-sender', uris: [pki.uri('acme')] });

  test('a valid intermediate: the leaf verifies through it', async () => {
    const { ca, leaf } = await issue('valid intermediate', {});
    const w = await verifier({}, rootTenant(), mtls()).verify(req('acme', viaIntermediate(leaf, ca)));
    assert.equal(w.scheme, 'mtls+standardWebhooks');
  });
  test('an expired intermediate -> CERT_EXPIRED (the leaf itself is valid)', async () => {
    const { ca, leaf } = await issue('expired intermediate', { notBefore: new Date(Date.now() - 60 * DAY), notAfter: new Date(Date.now() - DAY) });
    await rejectsWith(verifier({}, rootTenant(), mtls()).verify(req('acme', viaIntermediate(leaf, ca))), 'CERT_EXPIRED');
    // Also when a proxy (or the TLS stack) said it verified the chain: hookguard checks it itself.
    await rejectsWith(verifier({}, rootTenant(), mtls()).verify(req('acme', peer(leaf, { chain: [x(ca)] }))), 'CERT_EXPIRED');
  });
  test('an intermediate not yet valid -> CERT_NOT_YET_VALID', async () => {
    const { ca, leaf } = await issue('future intermediate', { notBefore: new Date(Date.now() + 10 * DAY), notAfter: new Date(Date.now() + 60 * DAY) });
    await rejectsWith(verifier({}, rootTenant(), mtls()).verify(req('acme', viaIntermediate(leaf, ca))), 'CERT_NOT_YET_VALID');
  });
  test("a revoked intermediate (its serial in the tenant's revocation list) -> CERT_REVOKED", async () => {
    const { ca, leaf } = await issue('revoked intermediate', {});
    await rejectsWith(verifier({}, rootTenant({ revokedSerials: [ca.serial] }), mtls()).verify(req('acme', viaIntermediate(leaf, ca))), 'CERT_REVOKED');
    await verifier({}, rootTenant({ revokedSerials: [pki.clients.revoked.serial] }), mtls()).verify(req('acme', viaIntermediate(leaf, ca)));
  });
  test("the shared anchors' path is checked too: mtls({ ca: root }) with a names-only binding", async () => {
    const { ca, leaf } = await issue('expired intermediate (anchors)', { notBefore: new Date(Date.now() - 60 * DAY), notAfter: new Date(Date.now() - DAY) });
    const tenants: Record<string, TenantConfig> = { acme: { secrets: [SECRETS.acme], certificates: { uris: [pki.uri('acme')] } } };
    await rejectsWith(verifier({}, tenants, mtls({ ca: pki.root.cert })).verify(req('acme', viaIntermediate(leaf, ca))), 'CERT_EXPIRED');
  });
  test('a pinned fingerprint is trusted by itself, whatever issued it', async () => {
    const { ca, leaf } = await issue('expired intermediate (pinned)', { notBefore: new Date(Date.now() - 60 * DAY), notAfter: new Date(Date.now() - DAY) });
    const w = await verifier({}, rootTenant({ fingerprints: [leaf.fingerprint] }), mtls()).verify(req('acme', viaIntermediate(leaf, ca)));
    assert.equal(w.scheme, 'mtls+standardWebhooks');
  });
  test('the verdict cache keeps no date: an intermediate that expires later is refused from then on', async () => {
    const { ca, leaf } = await issue('short-lived intermediate', { notAfter: new Date(Date.now() + DAY) });
    let now = Date.now();
    const v = verifier({ now: () => now, toleranceSec: 10 * 86_400 }, rootTenant(), mtls());
    await v.verify(req('acme', viaIntermediate(leaf, ca)));
    now += 2 * DAY;
    await rejectsWith(v.verify(req('acme', viaIntermediate(leaf, ca))), 'CERT_EXPIRED');
  });
});

describe('mtls: what each issuer may issue (basicConstraints, keyUsage, pathLenConstraint)', () => {
  const named = { cn: 'acme-sender', uris: ['spiffe://webhooks.test/tenant/acme'] };
  // A shared root, identity by SAN (the SPIFFE layout): the chain decides who may mint identities.
  const rootTenant = (): Record<string, TenantConfig> => ({ acme: { secrets: [SECRETS.acme], certificates: { ca: pki.root.cert, uris: [pki.uri('acme')] } } });
  const acmeTenant = (): Record<string, TenantConfig> => ({ acme: { secrets: [SECRETS.acme], certificates: { ca: pki.tenantCa.acme.cert, uris: [pki.uri('acme')] } } });
  // The TLS stack could not build the chain (as with rejectUnauthorized: false and no ca): hookguard's own check decides.
  const through = (leaf: Issued, cas: Issued[]) => peer(leaf, { authorized: false, authorizationError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', chain: cas.map(x) });

  test('a leaf certificate (cA false) that signs another certificate: CERT_UNTRUSTED, under a shared root and under a tenant CA', async () => {
    // A sender holding an ordinary client certificate mints one with any identity it likes.
    const fromRoot = await pki.issueUnderCaChain('root', [{ name: 'valid intermediate' }, { name: 'a client, not a CA', ca: false }], named);
    await rejectsWith(verifier({}, rootTenant(), mtls()).verify(req('acme', through(fromRoot.leaf, [...fromRoot.cas].reverse()))), 'CERT_UNTRUSTED');
    const fromAcme = await pki.issueUnderCaChain('acme', [{ name: 'acme client, not a CA', ca: false }], named);
    await rejectsWith(verifier({}, acmeTenant(), mtls()).verify(req('acme', through(fromAcme.leaf, fromAcme.cas))), 'CERT_UNTRUSTED');
  });

  test("a sub-CA below acme's CA, whose pathLenConstraint is 0: CERT_UNTRUSTED; the same depth under a root that allows it verifies", async () => {
    const sub = await pki.issueUnderCaChain('acme', [{ name: 'acme sub-CA (not allowed)', pathLen: null }], named);
    await rejectsWith(verifier({}, acmeTenant(), mtls()).verify(req('acme', through(sub.leaf, sub.cas))), 'CERT_UNTRUSTED');
    // Through the shared root too: acme's CA (pathLen 0) is then an intermediate with a CA below it.
    await rejectsWith(verifier({}, rootTenant(), mtls()).verify(req('acme', through(sub.leaf, [...sub.cas, pki.tenantCa.acme]))), 'CERT_UNTRUSTED');
    // root (pathLen 1) -> intermediate (pathLen 0) -> leaf: allowed.
    const ok = await pki.issueUnderCaChain('root', [{ name: 'issuing CA', pathLen: 0 }], named);
    const w = await verifier({}, rootTenant(), mtls()).verify(req('acme', through(ok.leaf, ok.cas)));
    assert.equal(w.scheme, 'mtls+standardWebhooks');
  });

  test('three CAs below a root whose pathLenConstraint is 1: CERT_UNTRUSTED; with no limit on the way it verifies', async () => {
    const deep = await pki.issueUnderCaChain('root', [{ name: 'level 1', pathLen: null }, { name: 'level 2', pathLen: null }], named);
    await rejectsWith(verifier({}, rootTenant(), mtls()).verify(req('acme', through(deep.leaf, [...deep.cas].reverse()))), 'CERT_UNTRUSTED');
    // Anchored at level 1 (no pathLen): level 2 below it is fine.
    const tenants: Record<string, TenantConfig> = { acme: { secrets: [SECRETS.acme], certificates: { ca: deep.cas[0]!.cert, uris: [pki.uri('acme')] } } };
    const w = await verifier({}, tenants, mtls()).verify(req('acme', through(deep.leaf, [deep.cas[1]!])));
    assert.equal(w.scheme, 'mtls+standardWebhooks');
  });

  test("a key rollover's self-issued link certificate is not counted against pathLenConstraint (RFC 5280 6.1.4 (l))", async () => {
    // issuing CA (pathlen 0) -> the same name with a new key (self-issued) -> leaf.
    const roll = await pki.issueUnderCaChain('root', [{ name: 'rolling issuing CA', pathLen: 0 }, { name: 'rolling issuing CA', pathLen: 0 }], named);
    const w = await verifier({}, rootTenant(), mtls()).verify(req('acme', through(roll.leaf, [...roll.cas].reverse())));
    assert.equal(w.scheme, 'mtls+standardWebhooks');
    // A differently named CA in the same place is a sub-CA, and counts.
    const sub = await pki.issueUnderCaChain('root', [{ name: 'limited issuing CA', pathLen: 0 }, { name: 'its sub-CA', pathLen: 0 }], named);
    await rejectsWith(verifier({}, rootTenant(), mtls()).verify(req('acme', through(sub.leaf, [...sub.cas].reverse()))), 'CERT_UNTRUSTED');
  });

  test('an intermediate CA without keyCertSign in its keyUsage: CERT_UNTRUSTED', async () => {
    const noSign = await pki.issueUnderCaChain('root', [{ name: 'CA without keyCertSign', certSign: false }], named);
    await rejectsWith(verifier({}, rootTenant(), mtls()).verify(req('acme', through(noSign.leaf, noSign.cas))), 'CERT_UNTRUSTED');
    // Configured as the tenant's own anchor it may not issue either.
    const tenants: Record<string, TenantConfig> = { acme: { secrets: [SECRETS.acme], certificates: { ca: noSign.cas[0]!.cert, uris: [pki.uri('acme')] } } };
    await rejectsWith(verifier({}, tenants, mtls()).verify(req('acme', through(noSign.leaf, []))), 'CERT_UNTRUSTED');
  });

  test('a self-signed sender certificate: as a ca it issues nothing (no keyCertSign): CERT_UNTRUSTED; pinned by fingerprint it verifies', async () => {
    const self = pki.clients.selfSigned;
    const verdict = { authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' } as const;
    const asCa: Record<string, TenantConfig> = { acme: { secrets: [SECRETS.acme], certificates: { ca: self.cert, uris: [pki.uri('acme')] } } };
    await rejectsWith(verifier({}, asCa, mtls()).verify(req('acme', peer(self, verdict))), 'CERT_UNTRUSTED');
    const pinned: Record<string, TenantConfig> = { acme: { secrets: [SECRETS.acme], certificates: { fingerprints: [self.fingerprint] } } };
    const w = await verifier({}, pinned, mtls()).verify(req('acme', peer(self, verdict)));
    assert.equal(w.scheme, 'mtls+standardWebhooks');
  });
});

describe("mtls: the TLS stack's chain failures that are not a missing issuer are final", () => {
  for (const verdict of ['PATH_LENGTH_EXCEEDED', 'INVALID_CA', 'KEYUSAGE_NO_CERTSIGN', 'CERT_SIGNATURE_FAILURE', 'SOMETHING_NEW'])
    test(`${verdict} -> CERT_UNTRUSTED even though the certificate chains to the tenant's CA`, async () => {
      await rejectsWith(verifier().verify(req('acme', peer(pki.clients.acme, { authorized: false, authorizationError: verdict }))), 'CERT_UNTRUSTED');
    });
  for (const verdict of ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN'])
    test(`${verdict} (the server lacks the tenant's CA) is re-checked: the tenant's certificate verifies`, async () => {
      const w = await verifier().verify(req('acme', peer(pki.clients.acme, { authorized: false, authorizationError: verdict })));
      assert.equal(w.scheme, 'mtls+standardWebhooks');
    });
});
