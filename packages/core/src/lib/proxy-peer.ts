import type { PeerCertificate, TrustedProxyOptions, WebhookRequest } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { IpRangeList, ipFamily as isIP } from './ip-cidr.js';
import { DEFAULT_HEADERS, ForgedHeader, MAX_HEADER_BYTES, readForwardedCertificate } from './proxy-readers.js';

const FORMATS = Object.keys(DEFAULT_HEADERS);

function blockList(trusted: readonly string[]): IpRangeList {
  const list = new IpRangeList();
  for (const entry of trusted) {
    const [addr, bits] = entry.split('/');
    const family = addr ? isIP(addr) : 0;
    if (!addr || family === 0) throw new WebhookConfigError(`proxy.trusted: "${entry}" is not an IP address or CIDR`);
    const type = family === 6 ? 6 : 4;
    if (bits === undefined) list.addAddress(addr, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) throw new WebhookConfigError(`proxy.trusted: bad prefix in "${entry}"`);
      list.addSubnet(addr, prefix, type);
    }
  }
  return list;
}

function isTrusted(list: IpRangeList, address: string | undefined): boolean {
  if (!address) return false;
  // Node reports IPv4 peers of a dual-stack socket as ::ffff:a.b.c.d.
  const v4 = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : undefined;
  if (v4) return list.check(v4, 4);
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 6 : 4);
}

type RawHeader = string | readonly string[] | undefined;

/** A header as the request holds it, by lower-case name (hand-built requests may use other casing). */
function rawHeader(headers: WebhookRequest['headers'], name: string): RawHeader {
  const value = headers[name];
  if (value !== undefined) return value;
  for (const key in headers) if (key.length === name.length && key.toLowerCase() === name) return headers[key];
  return undefined;
}

const isPresent = (v: RawHeader) => v !== undefined && (typeof v === 'string' || v.length > 0);

/**
 * The one value of a forwarded header, bounded. Sent twice, it is refused rather than joined or
 * picked from: which copy the proxy wrote is unknowable here.
 */
function oneValue(headers: WebhookRequest['headers'], name: string): string | undefined {
  const raw = rawHeader(headers, name);
  let value: string | undefined;
  if (raw === undefined || typeof raw === 'string') value = raw;
  else if (raw.length > 1) throw new ForgedHeader(`${name} was sent more than once`);
  else value = raw[0];
  if (value !== undefined && value.length > MAX_HEADER_BYTES) throw new ForgedHeader(`${name} is larger than ${MAX_HEADER_BYTES} bytes`);
  return value;
}

/**
 * The one trust decision for forwarded headers of every kind: is this address one of `proxy.trusted`?
 * The certificate reader below and the schemes that read X-Forwarded-* (twilio) both ask it.
 */
export function trustedProxyCheck(options: TrustedProxyOptions): (address: string | undefined) => boolean {
  if (!options || !Array.isArray(options.trusted) || options.trusted.length === 0)
    throw new WebhookConfigError('proxy.trusted must list the addresses or CIDRs of your proxies');
  const list = blockList(options.trusted);
  return (address) => isTrusted(list, address);
}

/**
 * Returns how to read the peer certificate of a request behind a TLS-terminating proxy. The
 * forwarded header is honoured only from a trusted proxy address; from anywhere else its mere
 * presence is a spoofing attempt (UNTRUSTED_PROXY). Undefined when the proxy forwards no
 * certificate (no `format`).
 */
export function proxyPeerReader(options: TrustedProxyOptions): ((request: WebhookRequest) => PeerCertificate | undefined) | undefined {
  const isTrustedAddress = trustedProxyCheck(options);
  if (options.format === undefined) return undefined;
  if (!FORMATS.includes(options.format)) throw new WebhookConfigError(`proxy.format must be one of ${FORMATS.join(', ')}`);
  if (options.albMode !== undefined && options.albMode !== 'passthrough' && options.albMode !== 'verify') throw new WebhookConfigError("proxy.albMode must be 'passthrough' or 'verify'");
  const albVerify = options.format === 'aws-alb' && options.albMode === 'verify';
  const headerName = (options.header ?? (albVerify ? 'x-amzn-mtls-clientcert-leaf' : DEFAULT_HEADERS[options.format])).toLowerCase();
  // The verdict header is read only when named: a proxy that does not set it would let a client set it.
  const verifyHeader = options.format === 'nginx' ? options.verifyHeader?.toLowerCase() : undefined;
  const format = options.format;
  const names = verifyHeader !== undefined ? [headerName, verifyHeader] : [headerName];
  return (request) => {
    const trusted = isTrustedAddress(request.remoteAddress);
    const present = names.some((name) => isPresent(rawHeader(request.headers, name)));
    if (!trusted) {
      if (present)
        throw new WebhookVerificationError('UNTRUSTED_PROXY', {
          detail: `a forwarded client certificate (${headerName}) came from ${request.remoteAddress ?? 'an unknown address'}, which is not in proxy.trusted; add your proxy's address there, or strip the header at your edge`,
        });
      return undefined; // a direct connection: the socket's own certificate counts
    }
    let forwarded;
    try {
      forwarded = present ? readForwardedCertificate(format, headerName, (name) => oneValue(request.headers, name), verifyHeader, albVerify) : undefined;
    } catch (e) {
      // A malformed or forged header is never re-read another way: the request is refused. The
      // proxy's address is trusted, the certificate it describes is not: CERT_UNTRUSTED.
      const why = e instanceof ForgedHeader ? `: ${e.message}` : '';
      throw new WebhookVerificationError('CERT_UNTRUSTED', { detail: `the ${headerName} header from the proxy could not be read as a ${format} certificate${why}` });
    }
    const peer: PeerCertificate = { tls: true, source: 'proxy' };
    if (forwarded?.certs[0]) {
      peer.certificate = forwarded.certs[0];
      peer.chain = forwarded.certs.slice(1);
    }
    if (forwarded?.verified !== undefined) peer.authorized = forwarded.verified;
    if (forwarded?.verifyError !== undefined) peer.authorizationError = forwarded.verifyError;
    return peer;
  };
}
