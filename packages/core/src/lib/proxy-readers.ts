import { createHash, X509Certificate } from 'node:crypto';
import type { ProxyFormat } from '../types.js';
import { subjectAltNames } from './x509.js';

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

/** Any forwarded-certificate header past this is refused (Node's own header limit is 16 KiB by default). */
export const MAX_HEADER_BYTES = 64 * 1024;
/** Envoy elements (proxy hops) in one header. */
const MAX_ELEMENTS = 16;
/** Certificates in one forwarded chain, the leaf included. */
const MAX_CHAIN = 8;
/** nginx `FAILED:<reason>`: OpenSSL's reasons are short; the reason reaches error details. */
const MAX_REASON = 200;

/** A forwarded header that does not follow its proxy's grammar; the message is a short fixed reason. */
export class ForgedHeader extends Error {}
const refuse = (why: string): never => {
  throw new ForgedHeader(why);
};

// --- certificates, parsed once per SHA-256 of their DER -------------------------------------------

interface Parsed {
  cert: X509Certificate;
  /** Lower-case hex SHA-256 of the DER: Envoy's Hash, and the cache key. */
  sha256: string;
  /** Envoy only: SANs and whether the certificate's text could be read as XFCC structure. */
  san?: { uri: string[]; dns: string[]; punctuation: boolean };
}
const MAX_PARSED = 1000;
// A proxy forwards the same few certificates over and over: the DER is hashed on every request (the
// Hash check needs it anyway), the X.509 parse and SAN extraction happen once per certificate.
const parsed = new Map<string, Parsed>();

function certificate(der: Buffer): Parsed {
  const sha256 = createHash('sha256').update(der).digest('hex');
  let p = parsed.get(sha256);
  if (p) return p;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    return refuse('a certificate that is not valid DER');
  }
  // OpenSSL reads the first DER structure and ignores what follows; we do not.
  if (!cert.raw.equals(der)) refuse('bytes after the certificate');
  p = { cert, sha256 };
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(sha256, p);
  return p;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
function base64(text: string, padded: boolean, what: string): Buffer {
  // Buffer.from(.., 'base64') skips any character it does not know: check the alphabet first.
  if (text.length === 0 || !BASE64.test(text) || text.length % 4 === 1 || (padded && text.length % 4 !== 0)) refuse(`${what} is not base64`);
  return Buffer.from(text, 'base64');
}

function percentDecoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return refuse('invalid percent-encoding');
  }
}

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';
/**
 * DER of each PEM certificate in `text`, strictly: only CERTIFICATE blocks separated by line breaks
 * or spaces. Text between or around the blocks (a second header joined with ", ", a key) refuses.
 */
function pemCertificates(text: string, max: number): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) return out;
    if (!text.startsWith(BEGIN, i)) refuse('text outside the PEM certificates');
    const end = text.indexOf(END, i + BEGIN.length);
    if (end === -1) refuse('an unterminated PEM block');
    if (out.length >= max) refuse(`more than ${max} certificate${max === 1 ? '' : 's'}`);
    out.push(base64(text.slice(i + BEGIN.length, end).replace(/[\r\n\t ]/g, ''), true, 'a PEM block'));
    i = end + END.length;
  }
}

// --- Envoy ---------------------------------------------------------------------------------------

/**
 * Envoy's keys, in the order Envoy writes them. `By` repeats (one per URI SAN of Envoy's own
 * certificate), `URI` and `DNS` repeat (one per SAN of the client's); Hash, Cert, Chain and
 * Subject are written once.
 */
const ENVOY_KEYS = ['by', 'hash', 'cert', 'chain', 'subject', 'uri', 'dns'] as const;
type EnvoyKey = (typeof ENVOY_KEYS)[number];
type EnvoyElement = Map<EnvoyKey, string[]>;
const REPEATABLE: ReadonlySet<EnvoyKey> = new Set(['by', 'uri', 'dns']);
const KEY = /^[A-Za-z]{1,16}$/;

/**
 * Envoy's x-forwarded-client-cert, read strictly: comma-separated elements (one per proxy hop),
 * `;`-separated Key=Value pairs, values in double quotes when they hold `,;="` (`\"` and `\\`
 * escaped inside). Anything else — an unterminated quote or escape, a quote or backslash in an
 * unquoted value, an unknown or repeated key, keys out of Envoy's order, space around a key (a
 * second header joined with ", "), an empty element — refuses the whole header: a client-sent
 * element can never swallow or shift the trusted proxy's own, which is the last.
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
    const rawKey = value.slice(i, eq);
    if (!KEY.test(rawKey)) refuse('a key that is not a word');
    const key = rawKey.toLowerCase() as EnvoyKey;
    const keyRank = ENVOY_KEYS.indexOf(key);
    if (keyRank === -1) refuse(`unknown key ${rawKey}`);
    // Envoy writes its keys in one order: a Cert after URI can only have come from inside a value.
    if (keyRank < rank) refuse('keys out of order');
    if (!REPEATABLE.has(key) && element.has(key)) refuse(`key ${key} repeated`);
    rank = keyRank;
    // value
    i = eq + 1;
    let v: string;
    if (value.charCodeAt(i) === 0x22) {
      i++;
      let start = i;
      let acc = '';
      for (;;) {
        if (i >= n) refuse('unterminated quote');
        const c = value.charCodeAt(i);
        if (c === 0x5c) {
          if (i + 1 >= n) refuse('unterminated escape');
          acc += value.slice(start, i) + value[i + 1];
          i += 2;
          start = i;
        } else if (c === 0x22) break;
        else i++;
      }
      v = acc + value.slice(start, i);
      i++;
      if (i < n && value[i] !== ';' && value[i] !== ',') refuse('text after a closing quote');
    } else {
      let j = i;
      while (j < n && value[j] !== ';' && value[j] !== ',') {
        if (value[j] === '"' || value[j] === '\\') refuse('a quote or backslash in an unquoted value');
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
      if (elements.length >= MAX_ELEMENTS) refuse(`more than ${MAX_ELEMENTS} elements`);
      element = new Map();
      rank = -1;
    }
    i++;
    if (i >= n) refuse('a trailing separator');
  }
}

const first = (e: EnvoyElement, key: EnvoyKey) => e.get(key)?.[0];

function envoySans(p: Parsed): NonNullable<Parsed['san']> {
  if (!p.san) {
    const { uri, dns } = subjectAltNames(p.cert);
    // Envoy writes SANs unquoted and the subject in quotes: such text could be read as structure.
    const punctuation = [...uri, ...dns].some((name) => /[,;"\\]/.test(name)) || /["\\]/.test(p.cert.subject);
    p.san = { uri, dns, punctuation };
  }
  return p.san;
}

/**
 * The certificate of one element, checked against the element's own fields: Hash must be the
 * SHA-256 of Cert's DER, and the URI/DNS values Envoy wrote must be SANs of that very certificate.
 * A certificate whose SANs hold `,` `;` `"` or `\`, or whose subject holds `"` or `\`, is refused:
 * its text could be read as header structure.
 */
function envoyCertificate(e: EnvoyElement, withChain: boolean): X509Certificate[] | undefined {
  const certText = first(e, 'cert');
  if (certText === undefined) return undefined;
  const ders = pemCertificates(percentDecoded(certText), 1);
  if (ders.length !== 1) refuse('Cert must hold exactly one certificate');
  const p = certificate(ders[0]!);
  const hash = first(e, 'hash');
  if (hash === undefined) refuse('Cert without Hash');
  if (hash!.toLowerCase() !== p.sha256) refuse('Hash does not match Cert');
  const san = envoySans(p);
  if (san.punctuation) refuse('a SAN or the subject holds header punctuation');
  const uris = e.get('uri');
  // Envoy writes `URI=` (empty) for a certificate without URI SANs; older versions only the first.
  if (uris) for (const u of uris) if (!(u === '' ? san.uri.length === 0 && uris.length === 1 : san.uri.includes(u))) refuse('URI is not a SAN of Cert');
  for (const d of e.get('dns') ?? []) if (!san.dns.includes(d.toLowerCase())) refuse('DNS is not a SAN of Cert');
  const out = [p.cert];
  const chain = withChain ? first(e, 'chain') : undefined;
  if (chain !== undefined) {
    // Envoy's Chain starts with the leaf itself.
    for (const der of pemCertificates(percentDecoded(chain), MAX_CHAIN)) {
      const c = certificate(der);
      if (c.sha256 !== p.sha256) out.push(c.cert);
    }
  }
  return out;
}

/**
 * Envoy (SANITIZE_SET: one element; APPEND_FORWARD: the client's elements, then Envoy's own, last):
 * the last element is used. Every element that carries a Cert is checked the same way, so a
 * certificate whose SAN text splits an element in two is refused even when the forged half comes last.
 */
function envoy(value: string): ForwardedCertificate {
  const elements = envoyElements(value);
  let certs: X509Certificate[] = [];
  elements.forEach((e, k) => {
    certs = envoyCertificate(e, k === elements.length - 1) ?? [];
  });
  return { certs };
}

// --- nginx, AWS ALB, Traefik, RFC 9440 -----------------------------------------------------------

/**
 * nginx `$ssl_client_escaped_cert` (the leaf only, URL-encoded PEM), with `$ssl_client_verify`
 * (`SUCCESS`, `NONE` or `FAILED:<reason>`) in a second header when configured.
 */
function nginx(value: string, header: Header, verifyHeader: string | undefined): ForwardedCertificate {
  const out: ForwardedCertificate = { certs: value === '' ? [] : pemCertificates(percentDecoded(value), 1).map((der) => certificate(der).cert) };
  if (value !== '' && out.certs.length === 0) refuse('no PEM certificate');
  const verdict = verifyHeader ? header(verifyHeader) : undefined;
  if (verdict !== undefined) {
    if (verdict === 'SUCCESS') out.verified = true;
    else if (verdict === 'NONE') out.verified = false;
    else if (verdict.startsWith('FAILED:') && verdict.length <= 7 + MAX_REASON && /^[\x20-\x7e]*$/.test(verdict)) {
      out.verified = false;
      out.verifyError = verdict.slice(7) || 'FAILED';
    } else refuse(`${verifyHeader} is not SUCCESS, NONE or FAILED:<reason>`);
  }
  return out;
}

/**
 * AWS ALB: in verify mode the leaf is in `x-amzn-mtls-clientcert-leaf` (ALB already verified it);
 * in passthrough mode the whole chain is in `x-amzn-mtls-clientcert`. Only the configured mode's
 * header is read: the other could come from the client. URL-encoded PEM where `+` is a literal plus
 * (decodeURIComponent, not form decoding).
 */
function awsAlb(value: string, verifyMode: boolean): ForwardedCertificate {
  if (value === '') return { certs: [] };
  const certs = pemCertificates(percentDecoded(value), verifyMode ? 1 : MAX_CHAIN).map((der) => certificate(der).cert);
  if (certs.length === 0) refuse('no PEM certificate');
  return verifyMode ? { certs, verified: true } : { certs };
}

/**
 * Traefik PassTLSClientCert (pem: true): base64 DER certificates (PEM without armor and line
 * breaks), comma-separated, leaf first; URL-escaped by some versions. Base64 holds no comma, so a
 * comma is always a separator; a part that is not strict base64 of one certificate refuses.
 */
function traefik(value: string): ForwardedCertificate {
  const parts = percentDecoded(value).split(',');
  if (parts.length > MAX_CHAIN) refuse(`more than ${MAX_CHAIN} certificates`);
  return { certs: parts.map((b64) => certificate(base64(b64, true, 'a certificate')).cert) };
}

/** RFC 8941 sf-binary, parameters not allowed (RFC 9440 defines none). */
function byteSequence(item: string, what: string): Buffer {
  if (item.length < 2 || item[0] !== ':' || item[item.length - 1] !== ':') refuse(`${what} is not an RFC 8941 byte sequence`);
  // RFC 8941 §4.2.7: parsers should accept base64 without its = padding.
  return base64(item.slice(1, -1), false, what);
}
/** RFC 8941 discards leading and trailing SP (not tabs) around a field value. */
const trimSp = (s: string) => s.replace(/^ +| +$/g, '');

/**
 * RFC 9440: `Client-Cert: :<base64 DER>:` (an Item; a second value refuses), and the optional
 * `Client-Cert-Chain: :<b64>:, :<b64>:` (a List; OWS around commas, no empty members).
 */
function rfc9440(value: string, header: Header): ForwardedCertificate {
  const certs = [certificate(byteSequence(trimSp(value), 'Client-Cert')).cert];
  const chain = header('client-cert-chain');
  if (chain !== undefined) {
    const members = trimSp(chain).split(/[ \t]*,[ \t]*/);
    if (members.length > MAX_CHAIN - 1) refuse(`more than ${MAX_CHAIN - 1} chain certificates`);
    for (const m of members) certs.push(certificate(byteSequence(m, 'Client-Cert-Chain')).cert);
  }
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
