export { verifyWebhook, createWebVerifier, type WebVerifier } from './create-web-verifier.js';
export { withWebhook, type WebhookHandler } from './with-webhook.js';
export type { WebAdapterOptions, WebVerifierOptions, WithWebhookOptions, WithWebhookOptionsExtra, WebhookParams } from './types.js';
