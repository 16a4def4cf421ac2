import { createHash, X509Certificate } from 'node:crypto';
import type { ProxyFormat } from '../types.js';
import { parsePemBundle, subjectAltNames } from './x509.js';

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

/** Forwarded-certificate headers past this are refused (Node's own header limit is 16 KiB by default). */
const MAX_HEADER_BYTES = 64 * 1024;
const MAX_ELEMENTS = 16;
const MAX_CHAIN = 8;

/** Envoy's keys, in the order Envoy writes them. URI and DNS repeat (one per SAN); the rest may not. */
const ENVOY_KEYS = ['by', 'hash', 'cert', 'chain', 'subject', 'uri', 'dns'] as const;
type EnvoyKey = (typeof ENVOY_KEYS)[number];
type EnvoyElement = Map<EnvoyKey, string[]>;

/** A forwarded header that does not follow its proxy's grammar; the message is a short fixed reason. */
export class ForgedHeader extends Error {}
const refuse = (why: string): never => {
  throw new ForgedHeader(why);
};

/**
 * Envoy's x-forwarded-client-cert, read strictly: comma-separated elements (one per proxy hop),
 * `;`-separated Key=Value pairs, values in double quotes when they hold `,;="` (`\"` and `\\`
 * escaped inside). Anything else — an unterminated quote, an unknown or repeated key, keys out of
 * Envoy's order — refuses the whole header: a client-sent element can never swallow or shift the
 * trusted proxy's own (which, in APPEND_FORWARD and SANITIZE_SET alike, is the last).
 */
function envoyElements(value: string): EnvoyElement[] {
  const elements: EnvoyElement[] = [];
  let element: EnvoyElement = new Map();
  let rank = -1;
  let i = 0;
  const n = value.length;
  for (;;) {
    // key
    const eq = value.indexOf('=', i);
    if (eq === -1) refuse('a pair without "="');
    const key = value.slice(i, eq).trim().toLowerCase() as EnvoyKey;
    const keyRank = ENVOY_KEYS.indexOf(key);
    if (keyRank === -1) refuse(`unknown key ${JSON.stringify(key.slice(0, 16))}`);
    // Envoy writes its keys in one order: a Cert after URI can only have come from inside a value.
    if (keyRank < rank) refuse('keys out of order');
    const repeatable = key === 'uri' || key === 'dns';
    if (!repeatable && element.has(key)) refuse(`key ${key} repeated`);
    rank = keyRank;
    // value
    i = eq + 1;
    let v = '';
    if (value.charCodeAt(i) === 0x22) {
      i++;
      for (;;) {
        if (i >= n) refuse('unterminated quote');
        const c = value[i]!;
        if (c === '\\') {
          if (i + 1 >= n) refuse('dangling escape');
          v += value[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          v += c;
          i++;
        }
      }
      if (i < n && value[i] !== ';' && value[i] !== ',') refuse('text after a closing quote');
    } else {
      let j = i;
      while (j < n && value[j] !== ';' && value[j] !== ',') {
        if (value[j] === '"') refuse('a quote inside an unquoted value');
        j++;
      }
      v = value.slice(i, j);
      i = j;
    }
    const list = element.get(key);
    if (list) list.push(v);
    else element.set(key, [v]);
    // separator
    if (i >= n) {
      elements.push(element);
      return elements;
    }
    if (value[i] === ',') {
      elements.push(element);
      if (elements.length >= MAX_ELEMENTS) refuse('too many elements');
      element = new Map();
      rank = -1;
    }
    i++;
    if (i >= n) refuse('a trailing separator');
  }
}

const first = (e: EnvoyElement, key: EnvoyKey) => e.get(key)?.[0];

/**
 * The certificate of one element, checked against the element's own fields: Hash must be the
 * SHA-256 of Cert's DER, and the URI/DNS values Envoy wrote must be SANs of that very certificate.
 * A certificate whose SANs hold `,` `;` or `"` (which Envoy writes unquoted) or whose subject holds a
 * quote or backslash is refused: its text could be read as header structure.
 */
function envoyCertificate(e: EnvoyElement): X509Certificate[] | undefined {
  const certText = first(e, 'cert');
  if (certText === undefined) return undefined;
  const certs = parsePemBundle(decodeURIComponent(certText));
  const leaf = certs[0];
  if (!leaf || certs.length !== 1) refuse('Cert must hold exactly one certificate');
  const cert = leaf!;
  const hash = first(e, 'hash');
  if (hash === undefined) refuse('Cert without Hash');
  if (hash!.toLowerCase() !== createHash('sha256').update(cert.raw).digest('hex')) refuse('Hash does not match Cert');
  const san = subjectAltNames(cert);
  for (const name of [...san.uri, ...san.dns]) if (/[,;"]/.test(name)) refuse('a SAN holds header punctuation');
  if (/["\\]/.test(cert.subject)) refuse('the subject holds a quote or backslash');
  for (const u of e.get('uri') ?? []) if (!san.uri.includes(u)) refuse('URI is not a SAN of Cert');
  for (const d of e.get('dns') ?? []) if (!san.dns.includes(d.toLowerCase())) refuse('DNS is not a SAN of Cert');
  const out = [cert];
  const chain = first(e, 'chain');
  if (chain !== undefined) {
    const more = parsePemBundle(decodeURIComponent(chain));
    if (more.length > MAX_CHAIN) refuse('Chain too long');
    for (const c of more) if (c.fingerprint256 !== cert.fingerprint256) out.push(c);
  }
  return out;
}

/**
 * Envoy: the last element (the one our edge proxy appended). Every element that carries a Cert is
 * checked the same way, so a certificate whose SAN text splits an element in two is refused even
 * when the forged half comes last.
 */
function envoy(value: string): ForwardedCertificate {
  const elements = envoyElements(value);
  let certs: X509Certificate[] = [];
  for (const e of elements) certs = envoyCertificate(e) ?? [];
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
  if (value !== undefined && value.length > MAX_HEADER_BYTES) refuse(`${headerName} is larger than ${MAX_HEADER_BYTES} bytes`);
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
