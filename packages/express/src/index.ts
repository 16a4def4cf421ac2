export { verifyWebhook } from './verify-webhook.js';
export { keepRawBody } from './keep-raw-body.js';
export type { ExpressAdapterOptions, VerifyWebhookOptions, VerifyWebhookVerifierOptions, VerifyWebhookPrebuiltOptions } from './types.js';
