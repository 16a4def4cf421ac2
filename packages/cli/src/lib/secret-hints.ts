// Secrets that are plainly of another kind or scheme, recognised by their published prefixes and shapes.
import type { SchemeKit } from './schemes.js';

export function secretKindHint(kit: SchemeKit, secret: string): string | undefined {
  const s = secret.trim();
  if (/^[sr]k_(test|live)_/.test(s)) return "this is a Stripe API key, not a webhook signing secret: use the endpoint's signing secret (whsec_...) from the Stripe dashboard";
  if (/^pk_(test|live)_/.test(s)) return 'this is a Stripe publishable key, not a webhook signing secret (whsec_...)';
  if (/^shp(at|ca|pa)_/.test(s)) return "this is a Shopify access token, not the app's client secret (which signs webhooks)";
  if (/^xox[abpr]-/.test(s)) return 'this is a Slack token, not the signing secret (Basic Information > App Credentials)';
  if (/^(ghp|gho|ghs|github_pat)_/.test(s)) return "this is a GitHub token, not the webhook's secret";
  if (/^whsk_/.test(s)) return "whsk_ is a Standard Webhooks signing (private) key; a receiver uses the whpk_ public key";
  if (/^whsec_/.test(s) && (kit.id === 'github' || kit.id === 'slack' || kit.id === 'shopify')) return `a whsec_ secret belongs to Stripe or a Standard Webhooks sender, not ${kit.label}`;
  if (kit.id === 'standard-webhooks' && /^[0-9a-f]{32}$/.test(s)) return "32 hex digits is the shape of a Slack signing secret; Standard Webhooks secrets are whsec_ + base64";
  return undefined;
}

/** Stripe events say which mode they belong to; test and live endpoints have different secrets. */
export function environmentHint(kit: SchemeKit, body: Buffer): string | undefined {
  if (kit.id !== 'stripe') return undefined;
  const m = /"livemode"\s*:\s*(true|false)/.exec(body.subarray(0, 64 * 1024).toString('utf8'));
  if (!m) return undefined;
  return m[1] === 'true'
    ? "the event is a live-mode event (livemode: true): use the live endpoint's signing secret, not the test one"
    : "the event is a test-mode event (livemode: false): use the test endpoint's signing secret, not the live one";
}
