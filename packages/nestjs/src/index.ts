export { WebhookModule } from './webhook.module.js';
export { WEBHOOK_MODULE_OPTIONS, WEBHOOK_REPLAY_STORE, VERIFIED_WEBHOOK_METADATA, DEFAULT_VERIFIER_NAME } from './webhook.constants.js';
export type {
  WebhookModuleOptions,
  WebhookModuleAsyncOptions,
  WebhookModuleCommonOptions,
  NamedWebhookVerifiers,
  WebhookVerifierConfig,
  WebhookOptionsFactory,
} from './webhook-module-options.interface.js';
export { WebhookVerifiers } from './webhook-verifiers.js';
export { VerifiedWebhook, type VerifiedWebhookOptions } from './verified-webhook.decorator.js';
export { WebhookGuard } from './webhook.guard.js';
export { WebhookInterceptor } from './webhook.interceptor.js';
export { WebhookExceptionFilter } from './webhook-exception.filter.js';
export { WebhookRejectedException, type WebhookRejectedExceptionOptions } from './webhook-rejected.exception.js';
export { Webhook } from './webhook.decorator.js';
export { WebhookPayload } from './webhook-payload.decorator.js';
export { WebhookTenant } from './webhook-tenant.decorator.js';
export { WebhookCertificate } from './webhook-certificate.decorator.js';
export { useWebhookBodyParser, type WebhookBodyParserOptions, type WebhookBodyParserApp } from './use-webhook-body-parser.js';
export type { WebhookHttpRequest } from './webhook-http-request.interface.js';
