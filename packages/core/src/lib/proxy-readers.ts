import { X509Certificate } from 'node:crypto';
import type { ProxyFormat } from '../types.js';
import { parsePemBundle } from './x509.js';

export interface ForwardedCertificate {
  /** Leaf first, then the chain when the proxy sends it. Empty: the proxy forwarded no certificate. */
  certs: X509Certificate[];
  /** The proxy's own verdict, when it sends one. */
  verified?: boolean;
  verifyError?: string;
}

type Header = (name: string) => string | undefined;

export const DEFAULT_HEADERS: Record<ProxyFormat, string> = {
  envoy: 'x-forwarded-client-cert',
  nginx: 'x-ssl-client-cert',
  'aws-alb': 'x-amzn-mtls-clientcert',
  traefik: 'x-forwarded-tls-client-cert',
  rfc9440: 'client-cert',
};

/** Splits on `sep` outside double quotes (Envoy quotes values that contain , ; or =). */
function splitQuoted(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && quoted && i + 1 < s.length) {
      cur += ch + s[i + 1];
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
      cur += ch;
    } else if (ch === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function unquote(v: string): string {
  const t = v.trim();
  return t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? t.slice(1, -1).replace(/\\(.)/g, '$1') : t;
}

/** Envoy: the last element (the one our edge proxy appended), its Cert and Chain (URL-encoded PEM). */
function envoy(value: string): ForwardedCertificate {
  const elements = splitQuoted(value, ',');
  const last = elements[elements.length - 1] ?? '';
  let cert: string | undefined;
  let chain: string | undefined;
  for (const pair of splitQuoted(last, ';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim().toLowerCase();
    const v = unquote(pair.slice(eq + 1));
    if (key === 'cert') cert = decodeURIComponent(v);
    else if (key === 'chain') chain = decodeURIComponent(v);
  }
  const certs = cert ? parsePemBundle(cert) : [];
  if (chain) for (const c of parsePemBundle(chain)) if (certs[0] && c.fingerprint256 !== certs[0].fingerprint256) certs.push(c);
  return { certs };
}

/** nginx `$ssl_client_escaped_cert` (URL-encoded PEM), with `$ssl_client_verify` in a second header. */
function nginx(value: string, header: Header, verifyHeader: string | undefined): ForwardedCertificate {
  const out: ForwardedCertificate = { certs: value ? parsePemBundle(decodeURIComponent(value)) : [] };
  const verdict = verifyHeader ? header(verifyHeader) : undefined;
  if (verdict !== undefined) {
    out.verified = verdict === 'SUCCESS';
    if (verdict.startsWith('FAILED')) out.verifyError = verdict.slice(7) || 'FAILED';
  }
  return out;
}

/**
 * AWS ALB: in verify mode the leaf is in `x-amzn-mtls-clientcert-leaf` (ALB already verified it);
 * in passthrough mode the whole chain is in `x-amzn-mtls-clientcert`. Only the configured mode's
 * header is read: the other could come from the client. URL-encoded PEM where `+` is a literal plus
 * (decodeURIComponent, not form decoding).
 */
function awsAlb(value: string | undefined, verifyMode: boolean): ForwardedCertificate {
  const certs = value ? parsePemBundle(decodeURIComponent(value)) : [];
  return verifyMode ? { certs, verified: true } : { certs };
}

/** Traefik PassTLSClientCert (pem: true): URL-escaped, comma-separated base64 DER certificates. */
function traefik(value: string): ForwardedCertificate {
  const text = decodeURIComponent(value);
  const certs = text
    .split(',')
    .map((part) => part.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''))
    .filter((b64) => b64.length > 0)
    .map((b64) => new X509Certificate(Buffer.from(b64, 'base64')));
  return { certs };
}

/** RFC 9440: `Client-Cert: :<base64 DER>:` and `Client-Cert-Chain: :<b64>:, :<b64>:`. */
function rfc9440(value: string, header: Header): ForwardedCertificate {
  const binary = (item: string) => {
    const m = /^:([A-Za-z0-9+/=]*):$/.exec(item.trim());
    if (!m || !m[1]) throw new Error('Client-Cert is not an RFC 8941 byte sequence');
    return new X509Certificate(Buffer.from(m[1], 'base64'));
  };
  const certs = [binary(value)];
  const chain = header('client-cert-chain');
  if (chain) for (const item of chain.split(',')) certs.push(binary(item));
  return { certs };
}

/** Reads a forwarded certificate in the given format; undefined when the header is absent. */
export function readForwardedCertificate(format: ProxyFormat, headerName: string, header: Header, verifyHeader: string | undefined, albVerify: boolean): ForwardedCertificate | undefined {
  const value = header(headerName);
  if (format === 'aws-alb') return value === undefined ? undefined : awsAlb(value, albVerify);
  if (value === undefined) return format === 'nginx' && verifyHeader && header(verifyHeader) !== undefined ? nginx('', header, verifyHeader) : undefined;
  switch (format) {
    case 'envoy':
      return envoy(value);
    case 'nginx':
      return nginx(value, header, verifyHeader);
    case 'traefik':
      return traefik(value);
    case 'rfc9440':
      return rfc9440(value, header);
  }
}
