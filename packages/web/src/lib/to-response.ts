import type { WebhookHttpResponse } from '@hookguard/core';

/** An answer exactly as core built it (a rejection, or a sender's handshake), as a Fetch Response. */
export function toResponse(answer: WebhookHttpResponse): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** Adds headers to a Response, copying it first when its headers are immutable (a fetch() result, Response.redirect). */
export function withHeaders(response: Response, headers: Readonly<Record<string, string>> | undefined): Response {
  if (headers === undefined) return response;
  const entries = Object.entries(headers);
  if (entries.length === 0) return response;
  try {
    for (const [name, value] of entries) response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [name, value] of entries) copy.headers.set(name, value);
    return copy;
  }
}

/** A waitUntil among the fetch handler's arguments: Workers' `ctx`, or Next.js/Vercel-style contexts. */
export function findWaitUntil(rest: readonly unknown[]): ((promise: Promise<unknown>) => void) | undefined {
  for (let i = rest.length - 1; i >= 0; i--) {
    const candidate = rest[i] as { waitUntil?: unknown } | null | undefined;
    if (candidate !== null && typeof candidate === 'object' && typeof candidate.waitUntil === 'function') {
      return (promise) => (candidate.waitUntil as (p: Promise<unknown>) => void).call(candidate, promise);
    }
  }
  return undefined;
}
