export { createVerifier } from './create-verifier.js';
export { verifierFrom, type VerifierSource } from './verifier-from.js';
export { MemoryReplayStore, ReplayStoreFullError, type MemoryReplayStoreOptions } from './memory-replay-store.js';
export {
  WebhookVerificationError,
  WEBHOOK_ERROR_STATUS,
  WEBHOOK_ERROR_TITLE,
  WEBHOOK_ERROR_CODES,
  type WebhookErrorCode,
  type WebhookVerificationErrorOptions,
} from './webhook-verification-error.js';
export { WebhookConfigError } from './webhook-config-error.js';
export { isWebhookVerificationError } from './is-webhook-verification-error.js';
export { toProblem, PROBLEM_CONTENT_TYPE, type WebhookProblem, type ToProblemOptions } from './to-problem.js';
export { standardWebhooks, type StandardWebhooksOptions } from './schemes/standard-webhooks.js';
export { stripe, type StripeOptions } from './schemes/stripe.js';
export { github, type GitHubOptions } from './schemes/github.js';
export { slack, type SlackOptions } from './schemes/slack.js';
export { shopify, type ShopifyOptions } from './schemes/shopify.js';
export { hmac, type HmacOptions } from './schemes/hmac.js';
export { apiKey, type ApiKeyOptions } from './schemes/api-key.js';
export { mtls, type MtlsOptions } from './schemes/mtls.js';
export { all } from './schemes/all.js';
export { any } from './schemes/any.js';
export { defineScheme, type SchemeDefinition, type SchemeReading, type SchemeReadContext, type DefinedSchemeOptions } from './define-scheme.js';
export { constantTimeEqual } from './constant-time-equal.js';
export { hmacDigest, type HmacDigestOptions } from './hmac-digest.js';
export { parseSignatureHeader, type ParseSignatureHeaderOptions, type SignatureHeaderEntries } from './parse-signature-header.js';
export { pagerduty, type PagerDutyOptions } from './schemes/pagerduty.js';
export { docusign, type DocuSignOptions } from './schemes/docusign.js';
export { paddle, type PaddleOptions } from './schemes/paddle.js';
export { square, type SquareOptions } from './schemes/square.js';
export { zoom, type ZoomOptions } from './schemes/zoom.js';
export { zoomUrlValidation, type ZoomUrlValidationOptions, type ZoomUrlValidationAnswer } from './zoom-url-validation.js';
export { linear, type LinearOptions } from './schemes/linear.js';
export { mailgun, type MailgunOptions } from './schemes/mailgun.js';
export { gitlab, type GitLabOptions } from './schemes/gitlab.js';
export { intercom, type IntercomOptions } from './schemes/intercom.js';
export { bitbucket, type BitbucketOptions } from './schemes/bitbucket.js';
export { twilio, type TwilioOptions } from './schemes/twilio.js';
export { adobeSign, type AdobeSignOptions } from './schemes/adobe-sign.js';
export { discord, type DiscordOptions } from './schemes/discord.js';
export { sendgrid, type SendGridOptions } from './schemes/sendgrid.js';
export { fromParam } from './tenants/from-param.js';
export { fromHeader } from './tenants/from-header.js';
export { fromHost, type FromHostOptions } from './tenants/from-host.js';
export { fromPath } from './tenants/from-path.js';
export { fromCertificate, type FromCertificateOptions } from './tenants/from-certificate.js';
export { accountClaim } from './account-claim.js';
export { sign } from './sign.js';
export { MAX_ID_LENGTH, MAX_TENANT_ID_LENGTH, MAX_ASYMMETRIC_VERIFICATIONS, DRAIN_MAX_BYTES, DRAIN_MAX_MS } from './limits.js';
export type { SignStandardWebhooksInput } from './sign/sign-standard-webhooks.js';
export type { SignStripeInput } from './sign/sign-stripe.js';
export type { SignGitHubInput } from './sign/sign-github.js';
export type { SignSlackInput } from './sign/sign-slack.js';
export type { SignShopifyInput } from './sign/sign-shopify.js';
export type { SignHmacInput } from './sign/sign-hmac.js';
export type { SignApiKeyInput } from './sign/sign-api-key.js';
export type { SignPagerDutyInput } from './sign/sign-pagerduty.js';
export type { SignDocuSignInput } from './sign/sign-docusign.js';
export type { SignPaddleInput } from './sign/sign-paddle.js';
export type { SignSquareInput } from './sign/sign-square.js';
export type { SignZoomInput } from './sign/sign-zoom.js';
export type { SignLinearInput } from './sign/sign-linear.js';
export type { SignMailgunInput } from './sign/sign-mailgun.js';
export type { SignGitLabInput } from './sign/sign-gitlab.js';
export type { SignIntercomInput } from './sign/sign-intercom.js';
export type { SignBitbucketInput } from './sign/sign-bitbucket.js';
export type { SignTwilioInput } from './sign/sign-twilio.js';
export type { SignAdobeSignInput } from './sign/sign-adobe-sign.js';
export type { SignDiscordInput } from './sign/sign-discord.js';
export type { SignSendGridInput } from './sign/sign-sendgrid.js';
export type * from './types.js';
export { readRawBody, type ReadRawBodyOptions } from './node/read-raw-body.js';
export { rejectionResponse, isAcknowledgement, type WebhookHttpResponse } from './node/rejection-response.js';
export { peerFromSocket, type SocketLike } from './node/peer-from-socket.js';
