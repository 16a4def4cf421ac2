// A complete test PKI, generated in-process at test time (never committed): a root, one issuing CA
// per tenant, a server certificate, and client certificates for every case mTLS must tell apart.
import 'reflect-metadata'; // @peculiar/x509 needs it loaded first
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 60 * 60 * 1000;

export interface Issued {
  /** PEM of the certificate. */
  cert: string;
  /** PEM (PKCS#8) of its private key. */
  key: string;
  /** Upper-case hex serial, as Node's X509Certificate.serialNumber gives it. */
  serial: string;
  /** SHA-256 of the DER, lower-case hex without colons. */
  fingerprint: string;
  /** The certificate followed by its issuing CAs (for a client's `cert` option with intermediates). */
  chainPem: string;
}

interface Authority extends Issued {
  name: string;
  keys: CryptoKeyPair;
  subject: string;
}

async function keys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function keyPem(k: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', k));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END PRIVATE KEY-----\n`;
}

let serialCounter = 0x1000;
function nextSerial(): string {
  serialCounter += 1;
  return `7e${serialCounter.toString(16).padStart(6, '0')}`;
}

function issued(cert: x509.X509Certificate, key: string, issuerChain: string): Issued {
  const der = Buffer.from(cert.rawData);
  return {
    cert: cert.toString('pem') + '\n',
    key,
    serial: cert.serialNumber.toUpperCase().replace(/^0+(?=.)/, ''),
    fingerprint: webcryptoHash(der),
    chainPem: cert.toString('pem') + '\n' + issuerChain,
  };
}

import { createHash } from 'node:crypto';
function webcryptoHash(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

/** What an issuing certificate's extensions say (defaults: a CA with keyCertSign; pathLen 1 for a root, 0 below). */
export interface CaOptions {
  name: string;
  /** basicConstraints cA (false: a certificate that is not a CA signs the next one). */
  ca?: boolean;
  /** pathLenConstraint; null leaves it out (no limit). */
  pathLen?: number | null;
  /** keyUsage keyCertSign (false: digitalSignature only). */
  certSign?: boolean;
}

async function authority(name: string, parent?: Authority, dates: { notBefore?: Date; notAfter?: Date } = {}, o: Omit<CaOptions, 'name'> = {}): Promise<Authority> {
  const k = await keys();
  const subject = `CN=${name}, O=hookguard tests`;
  const serialNumber = nextSerial();
  const isCa = o.ca ?? true;
  const pathLen = o.pathLen === null || !isCa ? undefined : (o.pathLen ?? (parent ? 0 : 1));
  const extensions = [
    new x509.BasicConstraintsExtension(isCa, pathLen, true),
    new x509.KeyUsagesExtension((o.certSign ?? isCa) ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature, true),
    await x509.SubjectKeyIdentifierExtension.create(k.publicKey),
  ];
  const notBefore = dates.notBefore ?? new Date(Date.now() - DAY);
  const notAfter = dates.notAfter ?? new Date(Date.now() + 3650 * DAY);
  const cert = parent
    ? await x509.X509CertificateGenerator.create({
        serialNumber, subject, issuer: parent.subject, notBefore, notAfter, signingAlgorithm: ALG,
        publicKey: k.publicKey as never, signingKey: parent.keys.privateKey as never,
        extensions: [...extensions, await x509.AuthorityKeyIdentifierExtension.create(parent.keys.publicKey)],
      })
    : await x509.X509CertificateGenerator.createSelfSigned({ serialNumber, name: subject, notBefore, notAfter, signingAlgorithm: ALG, keys: k, extensions });
  return { ...issued(cert, await keyPem(k.privateKey), parent ? parent.chainPem : ''), name, keys: k, subject };
}

export interface LeafOptions {
  cn: string;
  /** SAN URIs and DNS names. */
  uris?: string[];
  dns?: string[];
  /** EKU OIDs; `null` leaves the extension out. Default clientAuth. */
  eku?: string[] | null;
  notBefore?: Date;
  notAfter?: Date;
}

async function leaf(issuer: Authority | 'self', o: LeafOptions): Promise<Issued> {
  const k = await keys();
  const subject = `CN=${o.cn}, O=hookguard tests`;
  const names: x509.JsonGeneralName[] = [...(o.uris ?? []).map((value) => ({ type: 'url' as const, value })), ...(o.dns ?? []).map((value) => ({ type: 'dns' as const, value }))];
  const eku = o.eku === undefined ? [x509.ExtendedKeyUsage.clientAuth] : o.eku;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
  ];
  if (eku) extensions.push(new x509.ExtendedKeyUsageExtension(eku));
  if (names.length) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const notBefore = o.notBefore ?? new Date(Date.now() - DAY);
  const notAfter = o.notAfter ?? new Date(Date.now() + 365 * DAY);
  const serialNumber = nextSerial();
  if (issuer === 'self') {
    const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber, name: subject, notBefore, notAfter, signingAlgorithm: ALG, keys: k, extensions });
    return issued(cert, await keyPem(k.privateKey), '');
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber, subject, issuer: issuer.subject, notBefore, notAfter, signingAlgorithm: ALG, publicKey: k.publicKey, signingKey: issuer.keys.privateKey,
    extensions: [...extensions, await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey)],
  });
  return issued(cert, await keyPem(k.privateKey), issuer.chainPem);
}

export interface TestPki {
  root: Issued;
  /** One issuing CA per tenant (signed by the root). */
  tenantCa: Record<'acme' | 'globex', Issued>;
  /** A CA nobody trusts. */
  unknownCa: Issued;
  server: Issued;
  clients: {
    acme: Issued;
    globex: Issued;
    /** Valid, under 30 days left. */
    acmeExpiringSoon: Issued;
    expired: Issued;
    notYetValid: Issued;
    selfSigned: Issued;
    serverAuthOnly: Issued;
    noEku: Issued;
    unknownCa: Issued;
    /** Issued by globex's CA, claiming acme's identity in its SAN. */
    crossTenant: Issued;
    /** Issued by acme's CA and listed in acme's CRL. */
    revoked: Issued;
    /** Issued by acme's CA, valid today, not revoked yet: tests revoke it while connected. */
    revokeLater: Issued;
  };
  /** CRL of acme's CA listing `clients.revoked`, PEM labelled `X509 CRL` as Node expects. */
  acmeCrl: string;
  /** Builds another CRL for acme's CA with these serials. */
  makeAcmeCrl(serials: string[]): Promise<string>;
  /** SAN URI of a tenant's sender identity. */
  uri(tenant: string): string;
  /** Issues another client certificate from a tenant's CA (e.g. with crafted SAN values). */
  issue(tenant: 'acme' | 'globex', options: LeafOptions): Promise<Issued>;
  /** A new intermediate CA under the root (with these dates) and a client certificate from it; the leaf's chainPem holds the intermediate. */
  issueUnderNewCa(ca: { name: string; notBefore?: Date; notAfter?: Date }, options: LeafOptions): Promise<{ ca: Issued; leaf: Issued }>;
  /**
   * Issuers below `under` (the root or acme's CA), each signing the next, with the extensions given,
   * then a client certificate from the last; the leaf's chainPem holds them all (nearest first).
   */
  issueUnderCaChain(under: 'root' | 'acme', cas: CaOptions[], options: LeafOptions): Promise<{ cas: Issued[]; leaf: Issued }>;
}

function crlPem(crl: x509.X509Crl): string {
  // @peculiar/x509 labels CRLs "CRL"; OpenSSL (and so Node) reads only "X509 CRL".
  return crl.toString('pem').replace(/-----(BEGIN|END) CRL-----/g, '-----$1 X509 CRL-----') + '\n';
}

/** Generates the whole PKI (~100 ms). */
export async function createTestPki(): Promise<TestPki> {
  const root = await authority('hookguard test root');
  const acmeCa = await authority('acme webhook CA', root);
  const globexCa = await authority('globex webhook CA', root);
  const unknownCa = await authority('unknown CA');
  const uri = (t: string) => `spiffe://webhooks.test/tenant/${t}`;
  const now = Date.now();
  const server = await leaf(root, { cn: 'localhost', dns: ['localhost'], eku: [x509.ExtendedKeyUsage.serverAuth] });
  const c = {
    acme: await leaf(acmeCa, { cn: 'acme-sender', uris: [uri('acme')] }),
    globex: await leaf(globexCa, { cn: 'globex-sender', uris: [uri('globex')] }),
    acmeExpiringSoon: await leaf(acmeCa, { cn: 'acme-sender', uris: [uri('acme')], notAfter: new Date(now + 5 * DAY) }),
    expired: await leaf(acmeCa, { cn: 'acme-sender', uris: [uri('acme')], notBefore: new Date(now - 60 * DAY), notAfter: new Date(now - DAY) }),
    notYetValid: await leaf(acmeCa, { cn: 'acme-sender', uris: [uri('acme')], notBefore: new Date(now + 10 * DAY), notAfter: new Date(now + 60 * DAY) }),
    selfSigned: await leaf('self', { cn: 'acme-sender', uris: [uri('acme')] }),
    serverAuthOnly: await leaf(acmeCa, { cn: 'acme-sender', uris: [uri('acme')], eku: [x509.ExtendedKeyUsage.serverAuth] }),
    noEku: await leaf(acmeCa, { cn: 'acme-sender', uris: [uri('acme')], eku: null }),
    unknownCa: await leaf(unknownCa, { cn: 'acme-sender', uris: [uri('acme')] }),
    crossTenant: await leaf(globexCa, { cn: 'acme-sender', uris: [uri('acme')] }),
    revoked: await leaf(acmeCa, { cn: 'acme-sender', uris: [uri('acme')] }),
    revokeLater: await leaf(acmeCa, { cn: 'acme-sender', uris: [uri('acme')] }),
  };
  const makeAcmeCrl = async (serials: string[]) =>
    crlPem(
      await x509.X509CrlGenerator.create({
        issuer: acmeCa.subject,
        thisUpdate: new Date(now - DAY),
        nextUpdate: new Date(now + 7 * DAY),
        entries: serials.map((serialNumber) => ({ serialNumber, revocationDate: new Date(now - 3600_000) })),
        signingAlgorithm: ALG,
        signingKey: acmeCa.keys.privateKey,
      }),
    );
  const strip = ({ keys: _k, name: _n, subject: _s, ...rest }: Authority): Issued => rest;
  return {
    root: strip(root),
    tenantCa: { acme: strip(acmeCa), globex: strip(globexCa) },
    unknownCa: strip(unknownCa),
    server,
    clients: c,
    acmeCrl: await makeAcmeCrl([c.revoked.serial]),
    makeAcmeCrl,
    uri,
    issue: (tenant, options) => leaf(tenant === 'acme' ? acmeCa : globexCa, options),
    issueUnderNewCa: async ({ name, ...dates }, options) => {
      const ca = await authority(name, root, dates);
      return { ca: strip(ca), leaf: await leaf(ca, options) };
    },
    issueUnderCaChain: async (under, specs, options) => {
      let parent = under === 'root' ? root : acmeCa;
      const cas: Issued[] = [];
      for (const { name, ...o } of specs) {
        parent = await authority(name, parent, {}, o);
        cas.push(strip(parent));
      }
      return { cas, leaf: await leaf(parent, options) };
    },
  };
}
