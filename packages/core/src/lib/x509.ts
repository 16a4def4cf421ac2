import { X509Certificate } from 'node:crypto';
import { derChildren, derOid, readDer } from './der.js';

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

/** What a CA certificate's extensions allow it to issue (RFC 5280 4.2.1.3, 4.2.1.9). */
interface IssuerConstraints {
  /** basicConstraints: cA true, false, or no such extension (a v1 certificate). */
  basic: 'ca' | 'not-ca' | 'absent';
  /** pathLenConstraint: how many CA certificates may follow it below (undefined: no limit). */
  pathLen: number | undefined;
  /** keyUsage's keyCertSign bit; undefined when the certificate has no keyUsage extension. */
  certSign: boolean | undefined;
  selfIssued: boolean;
}

const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
const NOT_ALLOWED: IssuerConstraints = { basic: 'not-ca', pathLen: 0, certSign: false, selfIssued: false };

/**
 * Reads basicConstraints and keyUsage from the DER, which Node's X509Certificate does not expose
 * (its `keyUsage` is the extended key usage). Anything unreadable may issue nothing: fail closed.
 */
function readIssuerConstraints(cert: X509Certificate): IssuerConstraints {
  try {
    const der = cert.raw;
    const tbs = derChildren(der, readDer(der, 0))[0];
    if (!tbs) return NOT_ALLOWED;
    const out: IssuerConstraints = { basic: 'absent', pathLen: undefined, certSign: undefined, selfIssued: cert.subject === cert.issuer };
    const wrapper = derChildren(der, tbs).find((n) => n.tag === 0xa3); // [3] EXPLICIT Extensions
    if (!wrapper) return out;
    const list = derChildren(der, wrapper)[0];
    if (!list) return NOT_ALLOWED;
    const seen = new Set<string>();
    for (const ext of derChildren(der, list)) {
      const parts = derChildren(der, ext);
      const oid = parts[0];
      const value = parts[parts.length - 1];
      if (!oid || !value || value.tag !== 0x04) return NOT_ALLOWED;
      const id = derOid(der, oid);
      // RFC 5280 4.2: an extension appears once; a second one must not override the first.
      if (seen.has(id)) return NOT_ALLOWED;
      seen.add(id);
      if (id === BASIC_CONSTRAINTS) {
        const seq = readDer(der, value.contentStart, value.end);
        if (seq.tag !== 0x30 || seq.end !== value.end) return NOT_ALLOWED;
        const fields = derChildren(der, seq);
        let i = 0;
        const first = fields[0];
        if (first?.tag === 0x01) {
          if (first.end - first.contentStart !== 1) return NOT_ALLOWED;
          i = 1;
        }
        const isCa = first?.tag === 0x01 && der[first.contentStart] !== 0;
        out.basic = isCa ? 'ca' : 'not-ca';
        if (fields.length > i + 1) return NOT_ALLOWED;
        const len = fields[i];
        if (len !== undefined) {
          if (len.tag !== 0x02 || len.end - len.contentStart > 4 || (der[len.contentStart]! & 0x80) !== 0) return NOT_ALLOWED;
          let n = 0;
          for (let k = len.contentStart; k < len.end; k++) n = n * 256 + der[k]!;
          out.pathLen = n;
        }
      } else if (id === KEY_USAGE) {
        const bits = readDer(der, value.contentStart, value.end);
        if (bits.tag !== 0x03 || bits.end !== value.end) return NOT_ALLOWED;
        // Bit 5 (keyCertSign) is the sixth bit of the first byte after the unused-bits count.
        const first = bits.end - bits.contentStart > 1 ? der[bits.contentStart + 1]! : 0;
        out.certSign = (first & 0x04) !== 0;
      }
    }
    return out;
  } catch {
    return NOT_ALLOWED;
  }
}

// Parsed once per certificate (a chain's CAs are the same on every connection); bounded.
const constraintsCache = new Map<string, IssuerConstraints>();
function issuerConstraints(cert: X509Certificate): IssuerConstraints {
  const fp = cert.fingerprint256;
  let c = constraintsCache.get(fp);
  if (!c) {
    c = readIssuerConstraints(cert);
    if (constraintsCache.size >= 10_000) constraintsCache.clear();
    constraintsCache.set(fp, c);
  }
  return c;
}

/**
 * May `issuer` sign a certificate that has `below` CA certificates beneath it in the path? A CA
 * (basicConstraints cA; a v1 self-signed root only as the anchor), with keyCertSign when it has a
 * keyUsage, and a pathLenConstraint that allows that many CAs below: otherwise anyone holding a
 * leaf's key, or an issuing CA limited to leaves, could mint certificates for any identity.
 */
function mayIssue(issuer: X509Certificate, below: number, anchor: boolean): boolean {
  const c = issuerConstraints(issuer);
  if (c.basic === 'not-ca' || (c.basic === 'absent' && !(anchor && c.selfIssued))) return false;
  if (c.certSign === false) return false;
  return c.pathLen === undefined || below <= c.pathLen;
}

/**
 * The certificates above `leaf` up to one of `anchors` (intermediates from `chain`, then the
 * anchor), at most a few steps; undefined when it does not chain. Signatures and what each issuer
 * may issue (CA flag, keyCertSign, pathLenConstraint) are checked here; the caller checks the
 * dates and revocation of the whole path. A self-signed certificate given as its own anchor (a
 * pinned sender certificate) issues nothing but itself and needs no CA flag.
 */
export function pathTo(leaf: X509Certificate, chain: readonly X509Certificate[], anchors: readonly X509Certificate[]): X509Certificate[] | undefined {
  const path: X509Certificate[] = [];
  let current = leaf;
  for (let depth = 0; depth < 5; depth++) {
    for (const a of anchors) {
      if (!issuedBy(current, a)) continue;
      if (depth === 0 && a.fingerprint256 === leaf.fingerprint256) return [a];
      const full = [...path, a];
      // What full[i] has below it: the CAs before it in the path, less the self-issued ones (a key
      // rollover's link certificate), which RFC 5280 6.1.4 (l) does not count; the leaf is not counted.
      let below = 0;
      const allowed = full.every((c, i) => {
        const ok = mayIssue(c, below, i === full.length - 1);
        if (!issuerConstraints(c).selfIssued) below++;
        return ok;
      });
      if (allowed) return full;
    }
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
