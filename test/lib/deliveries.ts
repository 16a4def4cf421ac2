// Signed deliveries, made by our signers and by the vendors' own libraries.
import { createHash } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import Stripe from 'stripe';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { sign } from '@hookguard/core';
import { ACCOUNTS, ADOBE_CLIENT_ID, GITHUB_SECRET, HTTP_SIGNATURE_BASE, HTTP_SIGNATURE_KEY, PAGERDUTY_OLD_SECRET, PAGERDUTY_SECRET, STRIPE_SECRET, TENANT_SECRETS, TWILIO_PUBLIC_BASE, TWILIO_TOKEN } from './fixture.js';

export interface Delivery {
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
  /** Default POST; a GET is sent without a body. */
  method?: string;
}

let n = 0;
export const nextId = (prefix = 'msg') => `${prefix}_${process.pid}_${Date.now()}_${++n}`;
const json = { 'content-type': 'application/json' };
const stripeLib = new Stripe('sk_test_contract');

export function tenantBody(tenant: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'invoice.paid', account: ACCOUNTS[tenant] ?? 'acct_none', amount: 4200, note: 'payé ✓', ...extra });
}

/** Standard Webhooks delivery for a tenant route, signed with `signer`'s secret. */
export function standard(opts: { tenant?: string; signer?: string; body?: string; id?: string; timestamp?: number; path?: string } = {}): Delivery {
  const tenant = opts.tenant ?? 'acme';
  const body = opts.body ?? tenantBody(tenant);
  const headers = sign.standardWebhooks({ secret: TENANT_SECRETS[opts.signer ?? tenant] ?? TENANT_SECRETS.acme!, body, id: opts.id ?? nextId(), ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp } : {}) });
  return { path: (opts.path ?? '/webhooks/:tenant').replace(':tenant', tenant), headers: { ...json, ...headers }, body };
}

export function viaStandardWebhooksLib(tenant = 'acme'): Delivery {
  const body = tenantBody(tenant);
  const id = nextId();
  const now = new Date();
  const signature = new StandardWebhook(TENANT_SECRETS[tenant]!).sign(id, now, body);
  return { path: `/webhooks/${tenant}`, headers: { ...json, 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature }, body };
}

export function viaSvixLib(tenant = 'acme'): Delivery {
  const body = tenantBody(tenant);
  const id = nextId();
  const now = new Date();
  const signature = new SvixWebhook(TENANT_SECRETS[tenant]!).sign(id, now, body);
  return { path: `/webhooks/${tenant}`, headers: { ...json, 'svix-id': id, 'svix-timestamp': String(Math.floor(now.getTime() / 1000)), 'svix-signature': signature }, body };
}

export function viaStripeLib(opts: { timestamp?: number; secret?: string } = {}): Delivery {
  const body = JSON.stringify({ id: nextId('evt'), object: 'event', type: 'payment_intent.succeeded' });
  const header = stripeLib.webhooks.generateTestHeaderString({ payload: body, secret: opts.secret ?? STRIPE_SECRET, ...(opts.timestamp ? { timestamp: opts.timestamp } : {}) });
  return { path: '/stripe', headers: { ...json, 'stripe-signature': header }, body };
}

export async function viaOctokit(opts: { secret?: string } = {}): Promise<Delivery> {
  const body = JSON.stringify({ action: 'opened', number: ++n });
  const signature = await octokitSign(opts.secret ?? GITHUB_SECRET, body);
  return { path: '/github', headers: { ...json, 'x-hub-signature-256': signature, 'x-github-delivery': nextId('gh'), 'x-github-event': 'issues' }, body };
}

/** What the pretend TLS-terminating proxy in front of the Twilio routes adds. */
export const TWILIO_FORWARDED = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hooks.example.com' };

/**
 * A Twilio delivery to `path` as Twilio signs it for TWILIO_PUBLIC_BASE: a form (repeated and empty
 * parameters) or a JSON body bound by the URL's bodySHA256; `port` signs the URL with :443.
 */
export function twilioDelivery(opts: { path?: string; json?: boolean; port?: boolean; forwarded?: Record<string, string> } = {}): Delivery {
  const sid = nextId('SM');
  let body: string;
  let target: string;
  if (opts.json) {
    body = JSON.stringify({ MessageSid: sid, MessageStatus: 'delivered', note: 'payé ✓' });
    target = `${opts.path ?? '/twilio'}?tenant=acme&bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
  } else {
    body = new URLSearchParams([['MessageSid', sid], ['From', '+15551234567'], ['To', '+15557654321'], ['Body', 'Hello ✓ & =+%'], ['MediaUrl', 'https://m/2'], ['MediaUrl', 'https://m/1'], ['Empty', '']]).toString();
    target = `${opts.path ?? '/twilio'}?tenant=acme`;
  }
  const signed = `${opts.port ? `${TWILIO_PUBLIC_BASE}:443` : TWILIO_PUBLIC_BASE}${target}`;
  return { path: target, headers: { ...sign.twilio({ secret: TWILIO_TOKEN, url: signed, body }), ...(opts.forwarded ?? TWILIO_FORWARDED) }, body };
}

/**
 * An RFC 9421 delivery to /http-signature, signed by RFC 9421's Ed25519 test key over the default
 * components (@method, @target-uri, content-digest, content-type); `components` signs others,
 * `tamper` changes the body after signing (its Content-Digest no longer matches).
 */
export function httpSignatureDelivery(opts: { components?: string[]; tamper?: boolean } = {}): Delivery {
  const body = JSON.stringify({ type: 'invoice.paid', id: nextId('evt'), note: 'payé ✓' });
  const headers = sign.httpSignature({ url: `${HTTP_SIGNATURE_BASE}/http-signature`, body, headers: json, privateKey: HTTP_SIGNATURE_KEY.privateKey, keyId: HTTP_SIGNATURE_KEY.id, ...(opts.components ? { components: opts.components } : {}) });
  return { path: '/http-signature', headers: { ...json, ...headers }, body: opts.tamper ? body.replace('invoice.paid', 'invoice.void') : body };
}

/** An Adobe Acrobat Sign notification (POST), or with `intent` its verification-of-intent GET. */
export function adobeDelivery(opts: { clientId?: string; intent?: boolean } = {}): Delivery {
  const headers = sign.adobeSign({ clientId: opts.clientId ?? ADOBE_CLIENT_ID });
  if (opts.intent) return { method: 'GET', path: '/adobe', headers, body: '' };
  const body = JSON.stringify({ webhookId: 'wh_contract', webhookNotificationId: nextId('n'), event: 'AGREEMENT_WORKFLOW_COMPLETED', agreement: { id: nextId('agr') } });
  return { path: '/adobe', headers: { ...json, ...headers }, body };
}

export interface Answer {
  status: number;
  contentType: string;
  body: any;
  headers: Headers;
}

export async function send(base: string, d: Delivery): Promise<Answer> {
  const method = d.method ?? 'POST';
  const res = await fetch(base + d.path, { method, headers: d.headers, ...(method === 'GET' ? {} : { body: d.body }), signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body, headers: res.headers };
}

/**
 * A PagerDuty v3 delivery during a secret rotation: one `v1=` per secret, in the order given
 * (default the old secret's first, the receiver holding only the new one).
 */
export function pagerdutyDelivery(opts: { secrets?: string[]; body?: string } = {}): Delivery {
  const body = opts.body ?? JSON.stringify({ event: { id: nextId('pd'), event_type: 'incident.triggered', resource_type: 'incident' } });
  const headers = sign.pagerduty({ secret: opts.secrets ?? [PAGERDUTY_OLD_SECRET, PAGERDUTY_SECRET], body });
  return { path: '/pagerduty', headers: { ...json, ...headers }, body };
}
