import { X509Certificate } from 'node:crypto';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';

/** `AB:CD:...` or `abcd...` -> lower-case hex without separators. */
export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
}

export function fingerprintOf(cert: X509Certificate): string {
  return normalizeFingerprint(cert.fingerprint256);
}

/** Every PEM certificate in a string (a bundle), parsed. */
export function parsePemBundle(pem: string | Buffer): X509Certificate[] {
  const text = typeof pem === 'string' ? pem : pem.toString('utf8');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/** SAN entries by type, from Node's `subjectAltName` text (values with commas are JSON-quoted). */
export function subjectAltNames(cert: X509Certificate): { uri: string[]; dns: string[] } {
  const out = { uri: [] as string[], dns: [] as string[] };
  const text = cert.subjectAltName;
  if (!text) return out;
  const re = /(DNS|URI|IP Address|email|othername|DirName|Registered ID):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;
  for (const m of text.matchAll(re)) {
    const raw = m[2] ?? '';
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        continue;
      }
    }
    if (m[1] === 'URI') out.uri.push(value);
    else if (m[1] === 'DNS') out.dns.push(value.toLowerCase());
  }
  return out;
}

export function commonNames(cert: X509Certificate): string[] {
  return cert.subject
    .split('\n')
    .filter((line) => line.startsWith('CN='))
    .map((line) => line.slice(3));
}

/** 'ok', 'missing' (no EKU extension) or 'wrong' (EKU without clientAuth). */
export function clientAuthUsage(cert: X509Certificate): 'ok' | 'missing' | 'wrong' {
  const eku = cert.keyUsage;
  if (!eku || eku.length === 0) return 'missing';
  return eku.includes(CLIENT_AUTH) || eku.includes(ANY_EKU) ? 'ok' : 'wrong';
}

/** True when `issuer` issued `cert` and its key signed it. */
export function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * The certificates above `leaf` up to one of `anchors` (intermediates from `chain`, then the
 * anchor), at most a few steps; undefined when it does not chain. Only signatures and the CA flag
 * of intermediates are checked here; the caller checks the dates and revocation of the whole path.
 */
export function pathTo(leaf: X509Certificate, chain: readonly X509Certificate[], anchors: readonly X509Certificate[]): X509Certificate[] | undefined {
  const path: X509Certificate[] = [];
  let current = leaf;
  for (let depth = 0; depth < 5; depth++) {
    for (const a of anchors) if (issuedBy(current, a)) return [...path, a];
    const next = chain.find((c) => c !== current && c.ca && !path.includes(c) && issuedBy(current, c));
    if (!next) return undefined;
    path.push(next);
    current = next;
  }
  return undefined;
}

/** Node's TLS certificate dates, parsed once. */
export function validity(cert: X509Certificate): { from: number; to: number } {
  return { from: Date.parse(cert.validFrom), to: Date.parse(cert.validTo) };
}
