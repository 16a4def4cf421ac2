import { signStandardWebhooks } from './sign/sign-standard-webhooks.js';
import { signStripe } from './sign/sign-stripe.js';
import { signGitHub } from './sign/sign-github.js';
import { signSlack } from './sign/sign-slack.js';
import { signShopify } from './sign/sign-shopify.js';
import { signHmac } from './sign/sign-hmac.js';
import { signApiKey } from './sign/sign-api-key.js';
import { signPagerDuty } from './sign/sign-pagerduty.js';
import { signDocuSign } from './sign/sign-docusign.js';
import { signPaddle } from './sign/sign-paddle.js';
import { signSquare } from './sign/sign-square.js';
import { signZoom } from './sign/sign-zoom.js';
import { signLinear } from './sign/sign-linear.js';
import { signMailgun } from './sign/sign-mailgun.js';
import { signGitLab } from './sign/sign-gitlab.js';
import { signIntercom } from './sign/sign-intercom.js';
import { signBitbucket } from './sign/sign-bitbucket.js';
import { signTwilio } from './sign/sign-twilio.js';
import { signAdobeSign } from './sign/sign-adobe-sign.js';
import { signDiscord } from './sign/sign-discord.js';
import { signSendGrid } from './sign/sign-sendgrid.js';
import { signHttpSignature } from './sign/sign-http-signature.js';

/** Signers for every scheme: for tests, demos and senders. Each returns the headers to send. */
export const sign = Object.freeze({
  standardWebhooks: signStandardWebhooks,
  stripe: signStripe,
  github: signGitHub,
  slack: signSlack,
  shopify: signShopify,
  hmac: signHmac,
  apiKey: signApiKey,
  pagerduty: signPagerDuty,
  docusign: signDocuSign,
  paddle: signPaddle,
  square: signSquare,
  zoom: signZoom,
  linear: signLinear,
  mailgun: signMailgun,
  gitlab: signGitLab,
  intercom: signIntercom,
  bitbucket: signBitbucket,
  twilio: signTwilio,
  adobeSign: signAdobeSign,
  discord: signDiscord,
  sendgrid: signSendGrid,
  httpSignature: signHttpSignature,
});
