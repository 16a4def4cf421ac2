import type { TenantConfig, VerifierSource, WebhookRequest } from '@hookguard/core';

/** Route params as core reads them (fromParam). */
export type WebhookParams = NonNullable<WebhookRequest['params']>;

/**
 * Options of the Fetch adapter itself, beside the verifier's. `rest` is what the runtime handed the
 * fetch handler after the request: Bun's `server`, Deno's `info`, Workers' `env, ctx`, Next.js's
 * `{ params }`.
 */
export interface WebAdapterOptions {
  /**
   * The client's address, for `proxy.trusted` and address-based checks: a Fetch Request has no
   * socket. Bun: `(req, server) => server.requestIP(req)?.address`; Deno:
   * `(req, info) => info.remoteAddr.hostname`; Workers: `(req) => req.headers.get('cf-connecting-ip') ?? undefined`.
   */
  remoteAddress?: (request: Request, ...rest: any[]) => string | undefined;
  /** Route params for tenant resolution with fromParam (Next.js: `async (req, { params }) => await params`). */
  params?: (request: Request, ...rest: any[]) => WebhookParams | undefined | Promise<WebhookParams | undefined>;
  /** Include `detail` in the problem body (default true). Details never hold a secret. */
  problemDetail?: boolean;
}

export type WebVerifierOptions<T extends TenantConfig = TenantConfig> = VerifierSource<T> & WebAdapterOptions;

export interface WithWebhookOptionsExtra {
  /**
   * What a throwing handler leads to, after the reservation is released so the retry is
   * processed: 'throw' (default) rethrows for the runtime's or framework's error handling;
   * 'respond' answers 500 application/problem+json.
   */
  onHandlerError?: 'throw' | 'respond';
}

export type WithWebhookOptions<T extends TenantConfig = TenantConfig> = WebVerifierOptions<T> & WithWebhookOptionsExtra;
