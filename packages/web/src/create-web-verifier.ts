import {
  isWebhookVerificationError,
  verifierFrom,
  WebhookConfigError,
  type TenantConfig,
  type VerifiedWebhook,
  type Verifier,
  type VerifierSource,
  type WebhookRequest,
} from '@hookguard/core';
import type { WebVerifierOptions } from './types.js';
import { readBody } from './lib/read-body.js';
import { toWebhookRequest } from './lib/to-webhook-request.js';

/** A verifier for Fetch Requests, built once from the options. */
export interface WebVerifier<T extends TenantConfig = TenantConfig> {
  /**
   * Reads the body (bounded by maxBodyBytes) and verifies the delivery. Resolves to the
   * VerifiedWebhook, whose replay reservation you settle (`webhook.settle({ status })`, or commit()
   * / release()); rejects with a WebhookVerificationError. `rest`: the runtime's further fetch
   * arguments, handed to the `remoteAddress` and `params` options.
   */
  verify<P = unknown>(request: Request, ...rest: unknown[]): Promise<VerifiedWebhook<P, T>>;
  /** Core's verifier underneath. */
  readonly verifier: Verifier<T>;
  /** Include `detail` in problem bodies. */
  readonly problemDetail: boolean;
}

const ADAPTER_KEYS = ['remoteAddress', 'params', 'problemDetail', 'onHandlerError'] as const;

/** Builds the verifier now, so a misconfiguration throws at startup rather than on the first delivery. */
export function createWebVerifier<T extends TenantConfig = TenantConfig>(options: WebVerifierOptions<T>, where = 'verifyWebhook'): WebVerifier<T> {
  if (!options || typeof options !== 'object') throw new WebhookConfigError(`${where} needs options: { scheme, ... } or { verifier }`);
  const { remoteAddress, params, problemDetail = true } = options;
  if (remoteAddress !== undefined && typeof remoteAddress !== 'function') throw new WebhookConfigError(`${where}: remoteAddress must be a function (request, ...rest) => string | undefined`);
  if (params !== undefined && typeof params !== 'function') throw new WebhookConfigError(`${where}: params must be a function (request, ...rest) => params`);
  if (typeof problemDetail !== 'boolean') throw new WebhookConfigError(`${where}: problemDetail must be a boolean`);
  const source: Record<string, unknown> = { ...options };
  for (const key of ADAPTER_KEYS) delete source[key];
  const verifier = verifierFrom(source as VerifierSource<T>);

  async function verify<P>(request: Request, ...rest: unknown[]): Promise<VerifiedWebhook<P, T>> {
    if (!(request && typeof request === 'object' && typeof request.headers?.get === 'function' && typeof request.url === 'string'))
      throw new TypeError(`${where}: expected a Fetch API Request`);
    const routeParams = params === undefined ? undefined : await params(request, ...rest);
    const address = remoteAddress?.(request, ...rest);
    const webhookRequest: WebhookRequest = toWebhookRequest(request, routeParams, address);
    try {
      webhookRequest.body = await readBody(request, verifier.maxBodyBytes);
    } catch (e) {
      // Reported to the verifier's onRejected hook too: it only sees what reaches verify() otherwise.
      if (isWebhookVerificationError(e)) throw verifier.reject(e, webhookRequest);
      throw e;
    }
    return verifier.verify<P>(webhookRequest, { parse: true });
  }

  return { verify, verifier, problemDetail };
}

const cache = new WeakMap<object, WebVerifier<any>>();

/** The WebVerifier of an options object, built on first use and kept for that object. */
export function webVerifierFor<T extends TenantConfig>(options: WebVerifierOptions<T>, where?: string): WebVerifier<T> {
  if (!options || typeof options !== 'object') throw new WebhookConfigError(`${where ?? 'verifyWebhook'} needs options: { scheme, ... } or { verifier }`);
  let built = cache.get(options) as WebVerifier<T> | undefined;
  if (built === undefined) {
    built = createWebVerifier(options, where);
    cache.set(options, built);
  }
  return built;
}

/**
 * Verifies one Fetch Request. Resolves to the VerifiedWebhook (settle its reservation from your
 * answer: `await webhook.settle({ status })`), rejects with a WebhookVerificationError (answer it
 * with core's `rejectionResponse(error)`). The verifier is built once per options object: keep the
 * options in a module-level constant, or use createWebVerifier() / withWebhook().
 */
export function verifyWebhook<P = unknown, T extends TenantConfig = TenantConfig>(request: Request, options: WebVerifierOptions<T>, ...rest: unknown[]): Promise<VerifiedWebhook<P, T>> {
  let built: WebVerifier<T>;
  try {
    built = webVerifierFor(options);
  } catch (e) {
    return Promise.reject(e);
  }
  return built.verify<P>(request, ...rest);
}
