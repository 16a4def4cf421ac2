import type { TenantConfig } from '@hookguard/core';
import type { VerifyWebhookOptions } from './types.js';
import { routeHooks, type RouteHooks } from './lib/route-hooks.js';
import { settingsFrom } from './lib/settings.js';

/** Route options that verify a route's deliveries: spread them into the route's options. */
export interface WebhookRouteOptions {
  preParsing: RouteHooks['preParsing'][];
  preValidation: RouteHooks['preValidation'][];
  preHandler: RouteHooks['preHandler'][];
  onSend: RouteHooks['onSend'][];
  /** Never below the verifier's maxBodyBytes, so Fastify's parser accepts every byte hookguard verified. */
  bodyLimit: number;
}

/**
 * Verification for one Fastify route:
 * `app.post('/webhooks/:tenant', verifyWebhook({ scheme, tenants }), handler)`. The handler
 * sees `request.webhook` (the VerifiedWebhook) and `request.body` (its payload); the replay
 * reservation is committed from the handler's answer (< 500) or released. To add hooks of your
 * own, keep these: `{ ...hooks, preHandler: [mine, ...hooks.preHandler] }` (hookguard's runs last).
 */
export function verifyWebhook<T extends TenantConfig = TenantConfig>(options: VerifyWebhookOptions<T>): WebhookRouteOptions {
  const settings = settingsFrom('verifyWebhook', options as VerifyWebhookOptions);
  const hooks = routeHooks(settings);
  return {
    preParsing: [hooks.preParsing],
    preValidation: [hooks.preValidation],
    preHandler: [hooks.preHandler],
    onSend: [hooks.onSend],
    bodyLimit: settings.verifier.maxBodyBytes,
  };
}
