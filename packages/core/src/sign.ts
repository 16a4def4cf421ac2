import { signStandardWebhooks } from './sign/sign-standard-webhooks.js';
import { signStripe } from './sign/sign-stripe.js';
import { signGitHub } from './sign/sign-github.js';
import { signSlack } from './sign/sign-slack.js';
import { signShopify } from './sign/sign-shopify.js';
import { signHmac } from './sign/sign-hmac.js';
import { signApiKey } from './sign/sign-api-key.js';
import { signTwilio } from './sign/sign-twilio.js';
import { signAdobeSign } from './sign/sign-adobe-sign.js';
import { signDiscord } from './sign/sign-discord.js';
import { signSendGrid } from './sign/sign-sendgrid.js';

/** Signers for every scheme: for tests, demos and senders. Each returns the headers to send. */
export const sign = Object.freeze({
  standardWebhooks: signStandardWebhooks,
  stripe: signStripe,
  github: signGitHub,
  slack: signSlack,
  shopify: signShopify,
  hmac: signHmac,
  apiKey: signApiKey,
  twilio: signTwilio,
  adobeSign: signAdobeSign,
  discord: signDiscord,
  sendgrid: signSendGrid,
});
