// Facts about certificates and CRLs that Node's X509Certificate does not give: key usage bits,
// names as DER (to compare with the CA names a server advertises), CRL entries.
import { createPrivateKey, X509Certificate as NodeX509 } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import './x509-issue.js'; // sets @peculiar/x509's crypto provider

export interface InspectedCert {
  node: NodeX509;
  subject: string;
  issuer: string;
  subjectDer: Buffer;
  issuerDer: Buffer;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** Extended key usage OIDs; undefined when the extension is absent. */
  eku: string[] | undefined;
  /** digitalSignature bit, when a KeyUsage extension is present (undefined: absent). */
  digitalSignature: boolean | undefined;
  uris: string[];
  dns: string[];
  isCa: boolean;
}

export const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function pemBlocks(text: string): string[] {
  return (text.match(PEM_CERT) ?? []).slice(0, 10);
}

export function inspect(pem: string): InspectedCert {
  const node = new NodeX509(pem);
  const p = new x509.X509Certificate(pem);
  const eku = p.getExtension(x509.ExtendedKeyUsageExtension);
  const ku = p.getExtension(x509.KeyUsagesExtension);
  const bc = p.getExtension(x509.BasicConstraintsExtension);
  const san = p.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.toJSON() ?? [];
  return {
    node,
    subject: p.subject,
    issuer: p.issuer,
    subjectDer: Buffer.from(p.subjectName.toArrayBuffer()),
    issuerDer: Buffer.from(p.issuerName.toArrayBuffer()),
    serial: node.serialNumber.toUpperCase().replace(/^0+(?=.)/, ''),
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    eku: eku ? eku.usages.map(String) : undefined,
    digitalSignature: ku ? (ku.usages & x509.KeyUsageFlags.digitalSignature) !== 0 : undefined,
    uris: names.filter((n) => n.type === 'url').map((n) => n.value),
    dns: names.filter((n) => n.type === 'dns').map((n) => n.value),
    isCa: bc?.ca === true,
  };
}

/** A DER DistinguishedName as text ("CN=..., O=..."). */
export function dnText(der: Buffer): string {
  try {
    return new x509.Name(der).toString();
  } catch {
    return `(unreadable name, ${der.length} bytes)`;
  }
}

export function keyMatches(cert: NodeX509, keyPem: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

export interface InspectedCrl {
  issuer: string;
  issuerDer: Buffer;
  nextUpdate: Date | undefined;
  serials: Set<string>;
  /** Checked against an issuer certificate we hold: true / false; undefined when we hold none. */
  signatureValid: boolean | undefined;
}

export async function inspectCrl(data: Buffer, issuers: readonly InspectedCert[]): Promise<InspectedCrl> {
  const text = data.toString('latin1');
  const m = /-----BEGIN (?:X509 )?CRL-----([\s\S]+?)-----END (?:X509 )?CRL-----/.exec(text);
  const der = m?.[1] ? Buffer.from(m[1].replace(/\s+/g, ''), 'base64') : data;
  const crl = new x509.X509Crl(der);
  const issuerDer = Buffer.from(crl.issuerName.toArrayBuffer());
  const signer = issuers.find((c) => c.subjectDer.equals(issuerDer));
  let signatureValid: boolean | undefined;
  if (signer) {
    try {
      signatureValid = await crl.verify({ publicKey: new x509.X509Certificate(signer.node.raw) });
    } catch {
      signatureValid = false;
    }
  }
  return {
    issuer: crl.issuer,
    issuerDer,
    nextUpdate: crl.nextUpdate,
    serials: new Set(crl.entries.map((e) => e.serialNumber.toUpperCase().replace(/^0+(?=.)/, ''))),
    signatureValid,
  };
}
