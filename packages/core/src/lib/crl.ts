import { verify as cryptoVerify, type X509Certificate } from 'node:crypto';
import { derChildren, derOid, readDer, type DerNode } from './der.js';

export interface ParsedCrl {
  /** Revoked serial numbers, upper-case hex without leading zeros (as X509Certificate.serialNumber). */
  serials: Set<string>;
  nextUpdate: number | undefined;
}

// Signature algorithms a CA signs CRLs with -> node:crypto digest (and the RSA-PSS / EdDSA cases).
const SIG_ALGS: Record<string, string | null> = {
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null, // Ed25519
};

export function normalizeSerial(serial: string): string {
  return serial.replace(/[^0-9a-fA-F]/g, '').toUpperCase().replace(/^0+(?=.)/, '');
}

function pemOrDer(input: string | Uint8Array): Buffer {
  if (typeof input !== 'string') return Buffer.from(input);
  const m = /-----BEGIN (?:X509 )?CRL-----([\s\S]+?)-----END (?:X509 )?CRL-----/.exec(input);
  if (!m || !m[1]) throw new Error('not a PEM CRL');
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

function time(buf: Buffer, node: DerNode): number {
  const s = buf.subarray(node.contentStart, node.end).toString('latin1');
  // UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ
  const full = node.tag === 0x17 ? `${Number(s.slice(0, 2)) >= 50 ? '19' : '20'}${s}` : s;
  const iso = `${full.slice(0, 4)}-${full.slice(4, 6)}-${full.slice(6, 8)}T${full.slice(8, 10)}:${full.slice(10, 12)}:${full.slice(12, 14)}Z`;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new Error('bad CRL time');
  return ms;
}

/**
 * Parses a CRL (PEM or DER) and checks that `issuer` signed it: a CRL signed by anyone else would
 * let them un-revoke nothing but also claim nothing, so it is refused outright.
 */
export function parseCrl(input: string | Uint8Array, issuer: X509Certificate): ParsedCrl {
  const der = pemOrDer(input);
  const top = readDer(der, 0);
  const [tbs, algId, sig] = derChildren(der, top);
  if (!tbs || !algId || !sig || sig.tag !== 0x03) throw new Error('malformed CRL');
  const algOid = derChildren(der, algId)[0];
  const oid = algOid ? derOid(der, algOid) : '';
  if (!(oid in SIG_ALGS)) throw new Error(`unsupported CRL signature algorithm ${oid}`);
  const signature = der.subarray(sig.contentStart + 1, sig.end); // skip the unused-bits byte
  const ok = cryptoVerify(SIG_ALGS[oid] ?? null, der.subarray(tbs.start, tbs.end), issuer.publicKey, signature);
  if (!ok) throw new Error('CRL signature does not verify with the CA certificate');

  const fields = derChildren(der, tbs);
  let i = 0;
  if (fields[i]?.tag === 0x02) i++; // version
  i++; // signature algorithm
  const issuerName = fields[i++];
  if (!issuerName || !issuer.subject) throw new Error('malformed CRL');
  i++; // thisUpdate
  let nextUpdate: number | undefined;
  const maybeNext = fields[i];
  if (maybeNext && (maybeNext.tag === 0x17 || maybeNext.tag === 0x18)) {
    nextUpdate = time(der, maybeNext);
    i++;
  }
  const serials = new Set<string>();
  const revoked = fields[i];
  if (revoked && revoked.tag === 0x30) {
    for (const entry of derChildren(der, revoked)) {
      const serial = derChildren(der, entry)[0];
      if (serial?.tag === 0x02) serials.add(normalizeSerial(der.subarray(serial.contentStart, serial.end).toString('hex')));
    }
  }
  return { serials, nextUpdate };
}
