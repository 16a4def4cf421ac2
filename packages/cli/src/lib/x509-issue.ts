// Certificate generation with @peculiar/x509 on Node's WebCrypto: ECDSA P-256 keys, SHA-256
// signatures, the extensions a receiver's TLS stack and hookguard's mtls() check.
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 60 * 60 * 1000;

export type Eku = 'clientAuth' | 'serverAuth' | 'none';

export interface Sans {
  uris: string[];
  dns: string[];
  ips: string[];
}

export interface Made {
  certPem: string;
  keyPem: string;
  /** Upper-case hex without leading zeros, as Node's X509Certificate.serialNumber. */
  serial: string;
  subject: string;
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
}

/** A CA that signs: its certificate and its private key, both PEM. */
export interface Signer {
  certPem: string;
  keyPem: string;
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trim();
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function derOf(pemText: string, label: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(pemText);
  if (!m?.[1]) throw new Error(`no ${label} PEM block`);
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

/** Random positive serial with no leading zero nibble, so every tool prints it the same way. */
function newSerial(): string {
  const b = randomBytes(10);
  b[0] = 0x10 + (b[0]! % 0x70);
  return b.toString('hex').toUpperCase();
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privatePem(key: CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', key));
}

async function importSigner(signer: Signer): Promise<{ cert: x509.X509Certificate; key: CryptoKey }> {
  const cert = new x509.X509Certificate(signer.certPem);
  const key = await webcrypto.subtle.importKey('pkcs8', derOf(signer.keyPem, 'PRIVATE KEY'), ALG, false, ['sign']);
  return { cert, key };
}

function made(cert: x509.X509Certificate, keyPem: string): Made {
  return {
    certPem: cert.toString('pem') + '\n',
    keyPem,
    serial: cert.serialNumber.toUpperCase().replace(/^0+(?=.)/, ''),
    subject: cert.subject,
    fingerprint: createHash('sha256').update(Buffer.from(cert.rawData)).digest('hex'),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

async function akiOf(issuer: x509.X509Certificate): Promise<x509.Extension> {
  const ski = issuer.getExtension(x509.SubjectKeyIdentifierExtension);
  // The AKI names the issuer's key, so a TLS stack picks the right CA while two generations coexist.
  return ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId) : x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey);
}

export interface CaInput {
  subject: string;
  days: number;
  /** Omit for a self-signed root. */
  issuer?: Signer;
  /** Path length below this CA (root: 1, tenant CA: 0). */
  pathLength: number;
}

export async function makeCa(input: CaInput): Promise<Made> {
  const keys = await keyPair();
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + input.days * DAY);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, input.pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const serialNumber = newSerial();
  let cert: x509.X509Certificate;
  if (input.issuer) {
    const issuer = await importSigner(input.issuer);
    extensions.push(await akiOf(issuer.cert));
    cert = await x509.X509CertificateGenerator.create({
      serialNumber, subject: input.subject, issuer: issuer.cert.subject, notBefore, notAfter, signingAlgorithm: ALG,
      publicKey: keys.publicKey, signingKey: issuer.key, extensions,
    });
  } else {
    cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber, name: input.subject, notBefore, notAfter, signingAlgorithm: ALG, keys, extensions });
  }
  return made(cert, await privatePem(keys.privateKey));
}

export interface LeafInput {
  subject: string;
  sans: Sans;
  eku: Eku;
  notBefore: Date;
  notAfter: Date;
  issuer: Signer;
}

export async function makeLeaf(input: LeafInput): Promise<Made> {
  const keys = await keyPair();
  const issuer = await importSigner(input.issuer);
  const names: x509.JsonGeneralName[] = [
    ...input.sans.uris.map((value) => ({ type: 'url' as const, value })),
    ...input.sans.dns.map((value) => ({ type: 'dns' as const, value })),
    ...input.sans.ips.map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await akiOf(issuer.cert),
  ];
  if (input.eku !== 'none') extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage[input.eku]]));
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: newSerial(), subject: input.subject, issuer: issuer.cert.subject, notBefore: input.notBefore, notAfter: input.notAfter,
    signingAlgorithm: ALG, publicKey: keys.publicKey, signingKey: issuer.key, extensions,
  });
  return made(cert, await privatePem(keys.privateKey));
}

/** The CRL Number extension (RFC 5280 5.2.3): a DER INTEGER that grows with every CRL of one CA. */
function crlNumber(n: number): x509.Extension {
  let hex = Math.max(1, Math.floor(n)).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  const value = Buffer.concat([Buffer.from([0x02, hex.length / 2]), Buffer.from(hex, 'hex')]);
  return new x509.Extension('2.5.29.20', false, value);
}

export interface CrlInput {
  issuer: Signer;
  serials: readonly { serial: string; revokedAt: Date }[];
  number: number;
  days: number;
}

export async function makeCrl(input: CrlInput): Promise<{ pem: string; thisUpdate: Date; nextUpdate: Date }> {
  const issuer = await importSigner(input.issuer);
  const thisUpdate = new Date(Date.now() - 60_000);
  const nextUpdate = new Date(thisUpdate.getTime() + input.days * DAY);
  const crl = await x509.X509CrlGenerator.create({
    issuer: issuer.cert.subject,
    thisUpdate,
    nextUpdate,
    signingAlgorithm: ALG,
    signingKey: issuer.key,
    extensions: [await akiOf(issuer.cert), crlNumber(input.number)],
    entries: input.serials.map((s) => ({ serialNumber: s.serial, revocationDate: s.revokedAt })),
  });
  // @peculiar/x509 labels it "CRL"; OpenSSL (so Node's crl option) reads only "X509 CRL".
  const text = crl.toString('pem').replace(/-----(BEGIN|END) CRL-----/g, '-----$1 X509 CRL-----') + '\n';
  return { pem: text, thisUpdate, nextUpdate };
}
