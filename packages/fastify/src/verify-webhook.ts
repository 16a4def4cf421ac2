import type { RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault, RouteGenericInterface, RouteHandlerMethod } from 'fastify';
import { WebhookConfigError, type TenantConfig } from '@hookguard/core';
import type { VerifyWebhookOptions } from './types.js';
import { markHook, routeHooks, type Handler, type RouteHooks } from './lib/route-hooks.js';
import { settingsFrom } from './lib/settings.js';

type RawServer = RawServerDefault;
type RawRequest = RawRequestDefaultExpression;
type RawReply = RawReplyDefaultExpression;

/** Route options that verify a route's deliveries and run its handler: pass them as the route's options. */
export interface WebhookRouteOptions<RouteGeneric extends RouteGenericInterface = RouteGenericInterface> {
  preParsing: RouteHooks['preParsing'][];
  preValidation: RouteHooks['preValidation'][];
  onSend: RouteHooks['onSend'][];
  /** Your handler behind hookguard's gate: the settlement waits for it to return. */
  handler: RouteHandlerMethod<RawServer, RawRequest, RawReply, RouteGeneric>;
  /** Never below the verifier's maxBodyBytes, so Fastify's parser accepts every byte hookguard verified. */
  bodyLimit: number;
}

/**
 * Verification for one Fastify route, with its handler:
 * `app.post('/webhooks/:tenant', verifyWebhook({ scheme, tenants }, async (request, reply) => ...))`.
 * The handler sees `request.webhook` (the VerifiedWebhook) and `request.body` (its payload); the
 * replay reservation is committed from the answer (< 500) or released, and never before the handler
 * has returned. The handler is taken here, not as the route's third argument, because only a
 * wrapped handler tells when it ran and ended. Add hooks of your own beside these:
 * `{ ...verifyWebhook(options, handler), preHandler: [mine] }`.
 */
export function verifyWebhook<T extends TenantConfig = TenantConfig, RouteGeneric extends RouteGenericInterface = RouteGenericInterface>(
  options: VerifyWebhookOptions<T>,
  handler: RouteHandlerMethod<RawServer, RawRequest, RawReply, RouteGeneric>,
): WebhookRouteOptions<RouteGeneric> {
  const settings = settingsFrom('verifyWebhook', options as VerifyWebhookOptions);
  if (typeof handler !== 'function') {
    throw new WebhookConfigError(
      'verifyWebhook(options, handler) needs the route handler: app.post(url, verifyWebhook(options, handler)); it runs behind hookguard, so the replay key is settled only after it returned',
    );
  }
  const hooks = routeHooks(settings);
  return {
    preParsing: [markHook(hooks.preParsing, 'route')],
    preValidation: [hooks.preValidation],
    onSend: [hooks.onSend],
    handler: hooks.wrap(handler as unknown as Handler) as unknown as RouteHandlerMethod<RawServer, RawRequest, RawReply, RouteGeneric>,
    bodyLimit: settings.verifier.maxBodyBytes,
  };
}
