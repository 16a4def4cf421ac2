import type { FastifyInstance, RouteOptions } from 'fastify';
import type { HookguardPluginOptions } from './types.js';
import { WebhookConfigError } from '@hookguard/core';
import { hookguardForm, markHook, metHookguard, refuseUnverified, routeHooks, type Handler } from './lib/route-hooks.js';
import { settingsFrom } from './lib/settings.js';

type Hook = (...args: never[]) => unknown;

function list(existing: unknown): Hook[] {
  if (existing === undefined || existing === null) return [];
  return Array.isArray(existing) ? (existing as Hook[]) : [existing as Hook];
}

/**
 * The Fastify plugin: every route registered after it (in its scope and below) whose
 * `config.webhook` holds hookguard options verifies its deliveries.
 * `await app.register(hookguard); app.post('/hooks/:tenant', { config: { webhook: { scheme, tenants } } }, handler)`.
 */
async function hookguardPlugin(app: FastifyInstance, options: HookguardPluginOptions): Promise<void> {
  // Declared once, so every request has the same shape (Fastify's advice for decorations).
  if (!app.hasRequestDecorator('webhook')) app.decorateRequest('webhook', null);
  const defaults: HookguardPluginOptions = {};
  if (options?.onError !== undefined) defaults.onError = options.onError;
  if (options?.problemDetail !== undefined) defaults.problemDetail = options.problemDetail;
  // Fail closed: a route declared with config.webhook before this plugin loaded (`app.register`
  // without await) never got the hooks below. App-level hooks reach every route of the scope,
  // whenever it was declared, so such a route is refused here instead of running unverified.
  app.addHook('preValidation', (request, reply, done) => {
    const config = (request as unknown as { routeOptions?: { config?: { webhook?: unknown } } }).routeOptions?.config;
    if (config?.webhook === undefined || metHookguard(request)) return done();
    refuseUnverified(reply, defaults.problemDetail ?? true, 'this route names config.webhook but was declared before the hookguard plugin loaded; await app.register(hookguard) before declaring it');
  });
  app.addHook('onRoute', (route: RouteOptions) => {
    const webhook = route.config?.webhook;
    if (webhook === undefined) return;
    const where = `config.webhook of ${String(route.method)} ${route.url}`;
    const r = route as unknown as Record<string, unknown>;
    // Applied once per route: the plugin registered again in a child scope sees its own hooks and
    // leaves them; verifyWebhook() spread into the same route is a second verifier, refused.
    const form = list(r.preParsing).map(hookguardForm).find((f) => f !== undefined);
    if (form === 'plugin') return;
    if (form === 'route') throw new WebhookConfigError(`${where}: the route already spreads verifyWebhook(); use one of the two`);
    const settings = settingsFrom(where, webhook, defaults);
    const hooks = routeHooks(settings);
    // Verification first among the route's own hooks (the exact bytes, and the gate before any
    // other preValidation); the status noted first on send; the handler wrapped, so the key is
    // settled only once it has returned.
    r.preParsing = [markHook(hooks.preParsing, 'plugin'), ...list(r.preParsing)];
    r.preValidation = [hooks.preValidation, ...list(r.preValidation)];
    r.onSend = [hooks.onSend, ...list(r.onSend)];
    r.handler = hooks.wrap(r.handler as Handler);
    r.bodyLimit = Math.max(typeof r.bodyLimit === 'number' ? r.bodyLimit : 0, settings.verifier.maxBodyBytes);
  });
}

// What fastify-plugin sets: the hooks apply to the scope that registers the plugin, not a child.
const meta = hookguardPlugin as unknown as Record<symbol, unknown>;
meta[Symbol.for('skip-override')] = true;
meta[Symbol.for('fastify.display-name')] = '@hookguard/fastify';
meta[Symbol.for('plugin-meta')] = { name: '@hookguard/fastify', fastify: '4.x || 5.x' };

export const hookguard = hookguardPlugin;
