export { verifyWebhook } from './verify-webhook.js';
export type { KoaWebhookOptions, VerifyWebhookOptions, WebhookState } from './types.js';
