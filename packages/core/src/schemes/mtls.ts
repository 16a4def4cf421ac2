import type { X509Certificate } from 'node:crypto';
import type { CertificateBinding, PeerCertificate, PreparedKey, Scheme, SchemeInput, SchemeVerdict, TenantConfig } from '../types.js';
import { WebhookVerificationError, type WebhookErrorCode } from '../webhook-verification-error.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { pathTo, clientAuthUsage, commonNames, fingerprintOf, normalizeFingerprint, parsePemBundle, subjectAltNames, validity } from '../lib/x509.js';
import { normalizeSerial, parseCrl } from '../lib/crl.js';

export interface MtlsOptions {
  /**
   * Trust anchors shared by all tenants (PEM). A certificate that chains here but not to the
   * tenant's own CA is someone else's: CERT_IDENTITY_MISMATCH rather than CERT_UNTRUSTED.
   */
  ca?: string | Buffer | readonly (string | Buffer)[];
  /** The binding for a single-tenant app; with tenants, each tenant's `certificates` is used. */
  identity?: CertificateBinding;
  /** Accept certificates that carry no Extended Key Usage at all (default false: clientAuth required). */
  allowNoEku?: boolean;
}

interface PreparedBinding {
  cas: X509Certificate[];
  fingerprints: Set<string>;
  uris: Set<string>;
  dns: Set<string>;
  cn: Set<string>;
  revoked: Set<string>;
  /** Earliest nextUpdate of the tenant's CRLs: past it, revocation status is unknown (fail closed). */
  crlNextUpdate: number | undefined;
  /** What depends only on the certificate and this binding, per fingerprint; dropped with the binding when the tenant reloads. */
  verdicts: Map<string, CertificateMatch>;
}

interface CertificateMatch {
  pinned: boolean;
  chainsToTenant: boolean;
  chainsToAnchors: boolean;
  named: boolean;
  /** The CA certificates that vouch for the leaf (tenant CA path first, else the shared anchors'), for per-request checks. */
  path: PathFacts | undefined;
}

/**
 * What the CA certificates above a leaf must still satisfy at request time: an expired, not yet
 * valid or revoked intermediate (or anchor) voids the chain, as it does in a TLS stack.
 */
interface PathFacts {
  from: number;
  to: number;
  serials: string[];
}

function pathFacts(path: readonly X509Certificate[] | undefined): PathFacts | undefined {
  if (path === undefined) return undefined;
  const f: PathFacts = { from: -Infinity, to: Infinity, serials: [] };
  for (const c of path) {
    const { from, to } = validity(c);
    // An unparsable date is treated as already expired / not yet valid: fail closed.
    const cFrom = Number.isFinite(from) ? from : Infinity;
    const cTo = Number.isFinite(to) ? to : -Infinity;
    f.from = Math.max(f.from, cFrom);
    f.to = Math.min(f.to, cTo);
    f.serials.push(normalizeSerial(c.serialNumber));
  }
  return f;
}

const MAX_VERDICTS = 1000;
const MAX_FACTS = 10_000;

interface CertificateFacts {
  from: number;
  to: number;
  usage: 'ok' | 'missing' | 'wrong';
  serial: string;
}
// What a certificate says about itself never changes: parsed once per fingerprint, not once per
// connection (Node hands every connection a fresh X509Certificate, whose getters parse again).
const facts = new Map<string, CertificateFacts>();
function factsOf(cert: X509Certificate, fp: string): CertificateFacts {
  let f = facts.get(fp);
  if (!f) {
    const { from, to } = validity(cert);
    f = { from, to, usage: clientAuthUsage(cert), serial: normalizeSerial(cert.serialNumber) };
    if (facts.size >= MAX_FACTS) facts.clear();
    facts.set(fp, f);
  }
  return f;
}
const DAY = 24 * 60 * 60 * 1000;

// Node's verdicts that name a precise cause; chain errors are decided against the tenant's CA below.
const NODE_CODES: Record<string, { code: WebhookErrorCode; fix: string }> = {
  CERT_HAS_EXPIRED: { code: 'CERT_EXPIRED', fix: 'the sender must renew its client certificate' },
  CERT_NOT_YET_VALID: { code: 'CERT_NOT_YET_VALID', fix: "check the sender's clock and the certificate's notBefore" },
  CERT_REVOKED: { code: 'CERT_REVOKED', fix: 'the sender must use a certificate that is not revoked' },
  INVALID_PURPOSE: { code: 'CERT_WRONG_USAGE', fix: 'issue the client certificate with the clientAuth extended key usage' },
  UNABLE_TO_GET_CRL: { code: 'CERT_UNTRUSTED', fix: "the server's crl option needs a CRL for every CA in the chain" },
  CRL_HAS_EXPIRED: { code: 'CERT_UNTRUSTED', fix: "refresh the CRL given to the server's crl option" },
};

/**
 * A proxy's own failure (nginx `FAILED:<OpenSSL reason>`): causes we cannot re-check are final.
 * Chain errors (the proxy lacks the tenant's CA, as with optional_no_ca) are re-checked against the
 * tenant's CA instead.
 */
function proxyReason(peer: PeerCertificate): { code: WebhookErrorCode; fix: string } | undefined {
  if (peer.source !== 'proxy') return undefined;
  const reason = (peer.authorizationError ?? '').toLowerCase();
  if (reason.includes('revoked')) return { code: 'CERT_REVOKED', fix: 'the sender must use a certificate that is not revoked' };
  if (reason.includes('expired') && !reason.includes('crl')) return { code: 'CERT_EXPIRED', fix: 'the sender must renew its client certificate' };
  if (reason.includes('not yet valid')) return { code: 'CERT_NOT_YET_VALID', fix: "check the sender's clock and the certificate's notBefore" };
  if (reason.includes('purpose')) return { code: 'CERT_WRONG_USAGE', fix: 'issue the client certificate with the clientAuth extended key usage' };
  if (/issuer|self.signed|verify the first certificate|unable to verify/.test(reason)) return undefined;
  return { code: 'CERT_UNTRUSTED', fix: 'the proxy refused the certificate; see its logs' };
}

// The TLS stack's verdicts that only say it lacks an issuer (the tenants' CAs are not the server's
// `ca`): re-checked against the tenant's CA. Any other failure (PATH_LENGTH_EXCEEDED, INVALID_CA,
// KEYUSAGE_NO_CERTSIGN, CERT_SIGNATURE_FAILURE, ...) found the chain itself wrong, and is final.
const RECHECKED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);
function socketReason(peer: PeerCertificate): { code: WebhookErrorCode; fix: string } | undefined {
  if (peer.source === 'proxy' || RECHECKED.has(peer.authorizationError ?? '')) return undefined;
  return { code: 'CERT_UNTRUSTED', fix: 'the TLS stack found the client certificate chain invalid' };
}

function pems(input: string | Buffer | readonly (string | Buffer)[] | undefined, where: string): X509Certificate[] {
  if (input === undefined) return [];
  const list = Array.isArray(input) ? (input as readonly (string | Buffer)[]) : [input as string | Buffer];
  const out: X509Certificate[] = [];
  for (const item of list) {
    let certs: X509Certificate[];
    try {
      certs = parsePemBundle(item);
    } catch {
      throw new WebhookConfigError(`${where}: a CA certificate could not be parsed`);
    }
    if (certs.length === 0) throw new WebhookConfigError(`${where}: no PEM certificate found in ca`);
    out.push(...certs);
  }
  return out;
}

function strings(list: readonly string[] | undefined, where: string, field: string): string[] {
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string' || v.length === 0)) throw new WebhookConfigError(`${where}: ${field} must be a list of non-empty strings`);
  return [...list];
}

function prepareBinding(b: CertificateBinding | undefined, where: string): PreparedBinding {
  if (!b || typeof b !== 'object') throw new WebhookConfigError(`${where}: no certificate binding; set certificates: { ca, fingerprints, uris, dns or cn }`);
  const cas = pems(b.ca, where);
  const fingerprints = new Set(strings(b.fingerprints, where, 'fingerprints').map(normalizeFingerprint));
  for (const fp of fingerprints) if (fp.length !== 64) throw new WebhookConfigError(`${where}: fingerprints must be SHA-256 (64 hex digits)`);
  const uris = new Set(strings(b.uris, where, 'uris'));
  const dns = new Set(strings(b.dns, where, 'dns').map((d) => d.toLowerCase()));
  const cn = new Set(strings(b.cn, where, 'cn'));
  if (cas.length === 0 && fingerprints.size === 0 && uris.size + dns.size + cn.size === 0)
    throw new WebhookConfigError(`${where}: the certificate binding names no ca, fingerprint, uri, dns or cn`);
  const revoked = new Set(strings(b.revokedSerials, where, 'revokedSerials').map(normalizeSerial));
  let crlNextUpdate: number | undefined;
  for (const crl of b.crls ?? []) {
    let parsed;
    let lastError = 'no CA given to check its signature';
    for (const ca of cas) {
      try {
        parsed = parseCrl(crl, ca);
        break;
      } catch (e) {
        lastError = (e as Error).message;
      }
    }
    if (!parsed) throw new WebhookConfigError(`${where}: a CRL is not usable: ${lastError}`);
    for (const s of parsed.serials) revoked.add(s);
    if (parsed.nextUpdate !== undefined) crlNextUpdate = Math.min(crlNextUpdate ?? Infinity, parsed.nextUpdate);
  }
  return { cas, fingerprints, uris, dns, cn, revoked, crlNextUpdate, verdicts: new Map() };
}

function reject(code: WebhookErrorCode, detail: string, tenant: string | undefined): never {
  throw new WebhookVerificationError(code, { detail, scheme: 'mtls', ...(tenant ? { tenant } : {}) });
}

/**
 * Mutual TLS as a scheme: the client certificate (from the TLS socket, or from a trusted proxy)
 * must be valid for client authentication, not revoked, and belong to the tenant whose endpoint
 * was called. Compose it with a signature scheme: `all(mtls(), stripe())`.
 */
export function mtls(options: MtlsOptions = {}): Scheme {
  const anchors = pems(options.ca, 'mtls');
  const staticBinding = options.identity ? prepareBinding(options.identity, 'mtls identity') : undefined;
  const allowNoEku = options.allowNoEku === true;
  // Warn once per certificate and threshold; bounded so a flood of certificates cannot grow it.
  const warned = new Map<string, 30 | 7>();

  function matchOf(cert: X509Certificate, peer: PeerCertificate, b: PreparedBinding, fp: string): CertificateMatch {
    const cached = b.verdicts.get(fp);
    if (cached !== undefined) return cached;
    const chain = peer.chain ?? chainOf(cert);
    let named = true;
    if (b.uris.size + b.dns.size + b.cn.size > 0) {
      const san = subjectAltNames(cert);
      named = san.uri.some((u) => b.uris.has(u)) || san.dns.some((d) => b.dns.has(d)) || commonNames(cert).some((c) => b.cn.has(c));
    }
    const tenantPath = b.cas.length > 0 ? pathTo(cert, chain, b.cas) : undefined;
    const anchorPath = anchors.length > 0 ? pathTo(cert, chain, anchors) : undefined;
    const m: CertificateMatch = {
      pinned: b.fingerprints.has(fp),
      chainsToTenant: tenantPath !== undefined,
      chainsToAnchors: anchorPath !== undefined,
      named,
      path: pathFacts(tenantPath ?? anchorPath),
    };
    if (b.verdicts.size >= MAX_VERDICTS) b.verdicts.clear();
    b.verdicts.set(fp, m);
    return m;
  }

  /** Decided per request: the cached facts about the certificate, and this connection's TLS or proxy verdict. */
  function identityVerdict(cert: X509Certificate, peer: PeerCertificate, b: PreparedBinding, fp: string): WebhookErrorCode | 'ok' {
    const m = matchOf(cert, peer, b, fp);
    // Trusted by the server's TLS stack, or by a proxy that reported its own verification.
    const trustedElsewhere = m.chainsToAnchors || peer.authorized === true;
    if (b.fingerprints.size > 0 && !m.pinned) return 'CERT_IDENTITY_MISMATCH';
    if (b.cas.length > 0 && !m.pinned && !m.chainsToTenant) return trustedElsewhere ? 'CERT_IDENTITY_MISMATCH' : 'CERT_UNTRUSTED';
    if (b.cas.length === 0 && b.fingerprints.size === 0 && !trustedElsewhere) return 'CERT_UNTRUSTED';
    return m.named ? 'ok' : 'CERT_IDENTITY_MISMATCH';
  }

  function warnExpiry(input: SchemeInput, cert: X509Certificate, fp: string, to: number) {
    const left = to - input.now;
    const threshold = left < 7 * DAY ? 7 : left < 30 * DAY ? 30 : undefined;
    if (threshold === undefined || warned.get(fp) === threshold || (warned.get(fp) === 7 && threshold === 30)) return;
    if (warned.size >= 10_000) warned.clear();
    warned.set(fp, threshold);
    input.certificateExpiring({
      tenant: input.tenant,
      fingerprint: fp,
      subject: cert.subject,
      serialNumber: cert.serialNumber,
      validTo: new Date(to),
      daysLeft: Math.floor(left / DAY),
      threshold,
    });
  }

  return {
    name: 'mtls',
    // No keys: with a static identity nothing comes from the tenant; without one, the tenant's binding does.
    staticKeys: staticBinding ? [] : undefined,
    prepareKeys(): PreparedKey[] {
      return [];
    },
    prepareTenant(config: TenantConfig, tenant: string): unknown {
      if (config.certificates === undefined && staticBinding) return staticBinding;
      return prepareBinding(config.certificates, `tenant ${tenant}`);
    },
    verify(input: SchemeInput): SchemeVerdict {
      const tenant = input.tenant;
      const peer = input.request.peer;
      if (!peer || !peer.tls)
        reject('CERT_MISSING', 'the connection is not TLS: serve this route over HTTPS with requestCert: true, or configure proxy for a TLS-terminating proxy', tenant);
      const cert = peer.certificate;
      if (!cert)
        reject('CERT_MISSING', peer.source === 'proxy' ? 'the proxy forwarded no client certificate: configure it to request and forward one' : 'no client certificate was presented: the sender must send its certificate (the server needs requestCert: true)', tenant);
      const b = (input.tenantData(this) as PreparedBinding | undefined) ?? staticBinding;
      if (!b) reject('CERT_IDENTITY_MISMATCH', 'no certificate binding for this tenant: set certificates in its config', tenant);

      const node = peer.authorized === false && peer.authorizationError ? (NODE_CODES[peer.authorizationError] ?? proxyReason(peer) ?? socketReason(peer)) : undefined;
      if (node) reject(node.code, `${peer.source === 'proxy' ? 'proxy' : 'TLS'} verdict ${peer.authorizationError}: ${node.fix}`, tenant);

      const fp = fingerprintOf(cert);
      const { from, to, usage, serial } = factsOf(cert, fp);
      if (!(input.now <= to)) reject('CERT_EXPIRED', `the client certificate expired on ${new Date(to).toISOString()}: the sender must renew it`, tenant);
      if (!(input.now >= from)) reject('CERT_NOT_YET_VALID', `the client certificate is valid from ${new Date(from).toISOString()}: check the sender's clock`, tenant);
      if (usage === 'wrong') reject('CERT_WRONG_USAGE', 'the client certificate lacks the clientAuth extended key usage: reissue it for client authentication', tenant);
      if (usage === 'missing' && !allowNoEku)
        reject('CERT_WRONG_USAGE', 'the client certificate has no extended key usage: reissue it with clientAuth, or set mtls({ allowNoEku: true })', tenant);
      if (b.crlNextUpdate !== undefined && input.now > b.crlNextUpdate)
        reject('CERT_UNTRUSTED', `the tenant's CRL expired on ${new Date(b.crlNextUpdate).toISOString()}, so revocation status is unknown: publish a fresh CRL`, tenant);
      if (b.revoked.size > 0 && b.revoked.has(serial))
        reject('CERT_REVOKED', `the client certificate (serial ${cert.serialNumber}) is revoked: the sender must use its replacement`, tenant);

      const verdict = identityVerdict(cert, peer, b, fp);
      // The leaf's own dates and serial are checked above; a chain that vouches for it must be
      // valid now and unrevoked too (a pinned fingerprint is trusted by itself).
      const m = b.verdicts.get(fp);
      const path = verdict === 'ok' && m !== undefined && !m.pinned ? m.path : undefined;
      if (path !== undefined) {
        if (!(input.now <= path.to)) reject('CERT_EXPIRED', `a CA certificate in the client's chain expired on ${new Date(path.to).toISOString()}: the sender must be issued a certificate under a valid CA`, tenant);
        if (!(input.now >= path.from)) reject('CERT_NOT_YET_VALID', `a CA certificate in the client's chain is valid from ${new Date(path.from).toISOString()}: check the sender's clock`, tenant);
        if (b.revoked.size > 0 && path.serials.some((s) => b.revoked.has(s))) reject('CERT_REVOKED', "a CA certificate in the client's chain is revoked: the sender must be issued a certificate under a CA that is not", tenant);
      }
      if (verdict === 'CERT_UNTRUSTED')
        reject('CERT_UNTRUSTED', `the client certificate does not chain to a trusted CA${peer.authorizationError ? ` (TLS verdict ${peer.authorizationError})` : ''}: issue it from the tenant's CA`, tenant);
      if (verdict === 'CERT_IDENTITY_MISMATCH')
        reject('CERT_IDENTITY_MISMATCH', "the client certificate belongs to another identity: it is not issued by this tenant's CA or does not carry its pinned fingerprint, SAN or CN", tenant);
      warnExpiry(input, cert, fp, to);
      return { scheme: 'mtls', replayable: false };
    },
  };
}

/** The issuers Node attached to a socket's certificate (X509Certificate.issuerCertificate). */
function chainOf(cert: X509Certificate): X509Certificate[] {
  const out: X509Certificate[] = [];
  let cur = cert.issuerCertificate;
  while (cur && out.length < 5 && !out.some((c) => c.fingerprint256 === cur!.fingerprint256)) {
    out.push(cur);
    if (cur.issuerCertificate === undefined || cur.issuerCertificate.fingerprint256 === cur.fingerprint256) break;
    cur = cur.issuerCertificate;
  }
  return out;
}
