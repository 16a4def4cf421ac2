import type { WebhookRequest } from '@hookguard/core';

const EMPTY = Buffer.alloc(0);

/** Path and query of a Request's URL, as Node's req.url gives them (no fragment). */
export function pathAndQuery(url: string): string {
  const authority = url.indexOf('//');
  const start = url.indexOf('/', authority === -1 ? 0 : authority + 2);
  if (start === -1) return '/';
  const hash = url.indexOf('#', start);
  return hash === -1 ? url.slice(start) : url.slice(start, hash);
}

/**
 * The framework-neutral request, without its body. Fetch Headers already come with lower-case
 * names, and repeated headers joined with ", " (as Node joins most of them). A Request built by
 * hand (tests, Next.js) may have no Host header: the URL's host stands in.
 */
export function toWebhookRequest(request: Request, params: WebhookRequest['params'], remoteAddress: string | undefined): WebhookRequest {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (headers['host'] === undefined) {
    try {
      headers['host'] = new URL(request.url).host;
    } catch {
      // not an absolute URL: no host
    }
  }
  const out: WebhookRequest = { method: request.method, url: pathAndQuery(request.url), headers, body: EMPTY };
  if (params !== undefined) out.params = params;
  if (remoteAddress !== undefined) out.remoteAddress = remoteAddress;
  return out;
}
