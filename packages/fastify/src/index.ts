export { hookguard } from './hookguard.js';
export { verifyWebhook, type WebhookRouteOptions } from './verify-webhook.js';
export type { FastifyWebhookOptions, HookguardPluginOptions, VerifyWebhookOptions } from './types.js';
