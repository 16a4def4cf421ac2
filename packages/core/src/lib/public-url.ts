import type { SchemeInput, WebhookRequest } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { readHeader } from './headers.js';

/** Where a scheme that signs the URL (Twilio) learns the URL the sender called. */
export type PublicUrlOption = string | ((request: WebhookRequest) => string);

// Printable ASCII only: the URL is signed as text, and anything else has no single byte form.
const VISIBLE = /^[\x21-\x7e]+$/;
const BASE = /^https?:\/\/([^/?#@]+@)?[^/?#@]+(\/[^?#]*)?$/i;
const ABSOLUTE = /^https?:\/\/[^/?#]+/i;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

function refuse(scheme: string, detail: string): never {
  throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail, scheme });
}

/** The request target in origin form (`/path?query`), as the adapter received it. */
function target(request: WebhookRequest, scheme: string): string {
  const t = request.url;
  // An absolute-form target (`POST http://host/...`) would let the request name its own host.
  if (typeof t !== 'string' || !t.startsWith('/') || !VISIBLE.test(t)) refuse(scheme, 'the request target is not a path of printable ASCII');
  return t;
}

/** One value of a forwarded header, or undefined; a list (`https, http`) is refused: which hop wrote which is unknowable. */
function forwarded(input: SchemeInput, name: string, scheme: string): string | undefined {
  const v = input.header(name);
  if (v === undefined) return undefined;
  if (v.includes(',')) refuse(scheme, `${name} holds a list; configure the proxy to set (not append to) it`);
  return v.trim();
}

/**
 * Builds the reader of the public URL. A fixed base (`https://hooks.example.com`, with an optional
 * path prefix a proxy strips) or your function decide alone; forwarded headers are then ignored.
 * Without either, the URL comes from the request: X-Forwarded-Proto / X-Forwarded-Host when the
 * request came from an address in the verifier's `proxy.trusted` (from any other address their
 * presence is UNTRUSTED_PROXY), else the Host header and whether the connection is TLS.
 */
export function publicUrlReader(option: PublicUrlOption | undefined, scheme: string): (input: SchemeInput) => string {
  if (typeof option === 'string') {
    if (!VISIBLE.test(option) || !BASE.test(option))
      throw new WebhookConfigError(`${scheme}: publicUrl must be an http(s) URL of printable ASCII with no query or fragment, e.g. https://hooks.example.com`);
    const base = option.endsWith('/') ? option.slice(0, -1) : option;
    return (input) => base + target(input.request, scheme);
  }
  if (typeof option === 'function') {
    return (input) => {
      const url = option(input.request);
      if (typeof url !== 'string' || !VISIBLE.test(url) || !ABSOLUTE.test(url)) throw new WebhookConfigError(`${scheme}: publicUrl() must return an absolute http(s) URL of printable ASCII`);
      return url;
    };
  }
  if (option !== undefined) throw new WebhookConfigError(`${scheme}: publicUrl must be a URL or a function of the request`);
  return (input) => {
    const proto = forwarded(input, 'x-forwarded-proto', scheme);
    const fhost = forwarded(input, 'x-forwarded-host', scheme);
    let https = input.request.peer?.tls === true;
    let host: string | undefined;
    if (proto !== undefined || fhost !== undefined) {
      if (!input.fromTrustedProxy())
        throw new WebhookVerificationError('UNTRUSTED_PROXY', {
          detail: `X-Forwarded-Proto/X-Forwarded-Host came from ${input.request.remoteAddress ?? 'an unknown address'}, which is not in proxy.trusted; add your proxy's address there, or set ${scheme}({ publicUrl })`,
          scheme,
        });
      if (proto !== undefined) {
        const p = proto.toLowerCase();
        if (p !== 'http' && p !== 'https') refuse(scheme, 'X-Forwarded-Proto is neither http nor https');
        https = p === 'https';
      }
      host = fhost;
    }
    host ??= input.header('host') ?? input.header(':authority');
    if (host === undefined || !HOST.test(host)) refuse(scheme, 'the request names no host the URL can be built from; set publicUrl');
    return `${https ? 'https' : 'http'}://${host}${target(input.request, scheme)}`;
  };
}
