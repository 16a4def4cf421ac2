// The shared contract cases: every adapter (and every runtime of @hookguard/web) must answer each
// delivery with the same status and code.
import assert from 'node:assert/strict';
import { MAX_BODY } from './fixture.js';
import { adobeDelivery, httpSignatureDelivery, pagerdutyDelivery, send, standard, tenantBody, twilioDelivery, TWILIO_FORWARDED, viaOctokit, viaStandardWebhooksLib, viaStripeLib, viaSvixLib, type Answer, type Delivery } from './deliveries.js';
import { ADOBE_CLIENT_ID } from './fixture.js';

const now = () => Math.floor(Date.now() / 1000);

export interface Case {
  name: string;
  delivery: () => Delivery | Promise<Delivery>;
  status: number;
  code?: string;
  /** The handler ran for it. */
  handled: boolean;
  /** Response headers it must carry (a value), or must not (null). */
  headers?: Record<string, string | null>;
  /** The exact JSON body, when the answer is core's own. */
  json?: unknown;
}

const echo = { 'x-adobesign-clientid': ADOBE_CLIENT_ID };
const noEcho = { 'x-adobesign-clientid': null };

export const cases: Case[] = [
  { name: 'valid, signed by hookguard', delivery: () => standard(), status: 200, handled: true },
  { name: 'valid, signed by the standardwebhooks library', delivery: () => viaStandardWebhooksLib(), status: 200, handled: true },
  { name: 'valid, signed by the svix library (svix-* headers)', delivery: () => viaSvixLib('globex'), status: 200, handled: true },
  { name: 'valid GitHub delivery signed by @octokit/webhooks-methods', delivery: () => viaOctokit(), status: 200, handled: true },
  { name: 'valid Stripe delivery from stripe.webhooks.generateTestHeaderString', delivery: () => viaStripeLib(), status: 200, handled: true },
  {
    name: 'unsigned',
    delivery: () => ({ path: '/webhooks/acme', headers: { 'content-type': 'application/json' }, body: tenantBody('acme') }),
    status: 401, code: 'MISSING_SIGNATURE', handled: false,
  },
  {
    name: 'malformed signature header',
    delivery: () => { const d = standard(); d.headers['webhook-signature'] = 'v1,not base64!'; return d; },
    status: 401, code: 'MALFORMED_SIGNATURE', handled: false,
  },
  {
    name: 'tampered body',
    delivery: () => { const d = standard(); d.body = (d.body as string).replace('4200', '9999'); return d; },
    status: 401, code: 'SIGNATURE_MISMATCH', handled: false,
  },
  { name: "signed with tenant globex's secret, sent to acme", delivery: () => standard({ tenant: 'acme', signer: 'globex' }), status: 401, code: 'SIGNATURE_MISMATCH', handled: false },
  { name: 'GitHub delivery signed with another secret', delivery: () => viaOctokit({ secret: 'not-the-secret' }), status: 401, code: 'SIGNATURE_MISMATCH', handled: false },
  { name: 'stale timestamp (10 min old)', delivery: () => standard({ timestamp: now() - 600 }), status: 401, code: 'TIMESTAMP_OUT_OF_TOLERANCE', handled: false },
  { name: 'future timestamp (10 min ahead)', delivery: () => standard({ timestamp: now() + 600 }), status: 401, code: 'TIMESTAMP_OUT_OF_TOLERANCE', handled: false },
  { name: 'stale Stripe header from the stripe library', delivery: () => viaStripeLib({ timestamp: now() - 3600 }), status: 401, code: 'TIMESTAMP_OUT_OF_TOLERANCE', handled: false },
  { name: 'unknown tenant', delivery: () => ({ ...standard(), path: '/webhooks/initech' }), status: 404, code: 'UNKNOWN_TENANT', handled: false },
  // Object's own member names, for apps whose lookup indexes a plain object: 404, never 503.
  { name: 'tenant named constructor', delivery: () => ({ ...standard(), path: '/webhooks/constructor' }), status: 404, code: 'UNKNOWN_TENANT', handled: false },
  { name: 'tenant named __proto__', delivery: () => ({ ...standard(), path: '/webhooks/__proto__' }), status: 404, code: 'UNKNOWN_TENANT', handled: false },
  { name: 'tenant lookup throws', delivery: () => ({ ...standard(), path: '/webhooks/broken' }), status: 503, code: 'TENANT_LOOKUP_FAILED', handled: false },
  {
    name: 'route and header name different tenants',
    delivery: () => { const d = standard({ path: '/strict/:tenant' }); d.headers['x-tenant'] = 'globex'; return d; },
    status: 403, code: 'TENANT_MISMATCH', handled: false,
  },
  {
    name: "acme-signed payload for globex's account (claim)",
    delivery: () => standard({ tenant: 'acme', body: tenantBody('globex') }),
    status: 403, code: 'CLAIM_MISMATCH', handled: false,
  },
  { name: 'body over the limit', delivery: () => standard({ body: JSON.stringify({ pad: 'x'.repeat(MAX_BODY) }) }), status: 413, code: 'BODY_TOO_LARGE', handled: false },
  { name: 'body already parsed by another parser', delivery: () => standard({ path: '/parsed/:tenant' }), status: 500, code: 'RAW_BODY_UNAVAILABLE', handled: false },
  { name: 'invalid JSON behind a valid signature', delivery: () => standard({ body: '{"account":"acct_acme",' }), status: 400, code: 'MALFORMED_PAYLOAD', handled: false },
  { name: 'replay store down: fail closed', delivery: () => standard({ path: '/down/:tenant' }), status: 503, code: 'REPLAY_STORE_UNAVAILABLE', handled: false },
  // Twilio behind a TLS-terminating proxy on 127.0.0.1: the URL it signed is https://hooks.example.com/...
  { name: 'Twilio form delivery through a trusted proxy (X-Forwarded-Proto/Host)', delivery: () => twilioDelivery(), status: 200, handled: true },
  { name: 'Twilio JSON delivery (bodySHA256), signed with :443, through a trusted proxy', delivery: () => twilioDelivery({ json: true, port: true }), status: 200, handled: true },
  { name: 'Twilio delivery, the same forwarded headers from an address not in proxy.trusted', delivery: () => twilioDelivery({ path: '/twilio-untrusted' }), status: 401, code: 'UNTRUSTED_PROXY', handled: false },
  { name: 'Twilio delivery, a trusted proxy forwarding another host', delivery: () => twilioDelivery({ forwarded: { ...TWILIO_FORWARDED, 'x-forwarded-host': 'evil.example.net' } }), status: 401, code: 'SIGNATURE_MISMATCH', handled: false },
  { name: 'Twilio delivery, a trusted proxy forwarding plain http', delivery: () => twilioDelivery({ json: true, forwarded: { ...TWILIO_FORWARDED, 'x-forwarded-proto': 'http' } }), status: 401, code: 'SIGNATURE_MISMATCH', handled: false },
  // PagerDuty while it rotates: two v1= signatures, the receiver holds one of the two secrets.
  { name: 'PagerDuty delivery with two v1= signatures (old and new secret), the receiver holds the new one', delivery: () => pagerdutyDelivery(), status: 200, handled: true },
  { name: 'PagerDuty delivery with two v1= signatures, new secret first', delivery: () => pagerdutyDelivery({ secrets: ['pd-contract-secret-new-2026', 'pd-contract-secret-old-2025'] }), status: 200, handled: true },
  { name: 'PagerDuty delivery with two v1= signatures, neither from our secret', delivery: () => pagerdutyDelivery({ secrets: ['pd-someone-else-1', 'pd-someone-else-2'] }), status: 401, code: 'SIGNATURE_MISMATCH', handled: false },
  { name: 'PagerDuty delivery without X-PagerDuty-Signature', delivery: () => ({ path: '/pagerduty', headers: { 'content-type': 'application/json' }, body: '{}' }), status: 401, code: 'MISSING_SIGNATURE', handled: false },
  // Adobe Acrobat Sign: the client id echoed on every answer Adobe reads as delivered.
  // RFC 9421: the body is bound by its signed Content-Digest, checked before the signature is trusted.
  { name: 'RFC 9421 delivery (Ed25519, Content-Digest) signed by hookguard', delivery: () => httpSignatureDelivery(), status: 200, handled: true },
  { name: 'RFC 9421 delivery whose body changed after signing', delivery: () => httpSignatureDelivery({ tamper: true }), status: 401, code: 'CONTENT_DIGEST_MISMATCH', handled: false },
  {
    name: 'RFC 9421 signature that covers neither @method nor the body',
    delivery: () => httpSignatureDelivery({ components: ['@target-uri', 'content-type'] }),
    status: 401, code: 'INSUFFICIENT_COVERAGE', handled: false,
  },
  { name: 'RFC 9421 route, no Signature-Input / Signature', delivery: () => ({ path: '/http-signature', headers: { 'content-type': 'application/json' }, body: '{}' }), status: 401, code: 'MISSING_SIGNATURE', handled: false },
  { name: 'Adobe Sign notification: the client id is echoed in X-AdobeSign-ClientId', delivery: () => adobeDelivery(), status: 200, handled: true, headers: echo },
  {
    name: "Adobe Sign verification-of-intent GET: answered with the echo, the handler does not run",
    delivery: () => adobeDelivery({ intent: true }),
    status: 200, handled: false, headers: echo, json: { xAdobeSignClientId: ADOBE_CLIENT_ID },
  },
  { name: 'Adobe Sign notification from another client id: refused, nothing echoed', delivery: () => adobeDelivery({ clientId: 'UB7E5BXCXY27CCI' }), status: 401, code: 'SIGNATURE_MISMATCH', handled: false, headers: noEcho },
  { name: 'Adobe Sign verification GET from another client id: refused (Adobe then registers nothing)', delivery: () => adobeDelivery({ clientId: 'UB7E5BXCXY27CCI', intent: true }), status: 401, code: 'SIGNATURE_MISMATCH', handled: false, headers: noEcho },
  { name: 'Adobe Sign request without the client id', delivery: () => ({ ...adobeDelivery(), headers: { 'content-type': 'application/json' } }), status: 401, code: 'MISSING_SIGNATURE', handled: false, headers: noEcho },
];

export function assertAnswer(a: Answer, status: number, code: string | undefined, what: string) {
  assert.equal(a.status, status, `${what}: status ${a.status} ${JSON.stringify(a.body)}`);
  if (code) {
    assert.match(a.contentType, /^application\/problem\+json/, `${what}: content type`);
    assert.equal(a.body.code, code, `${what}: code`);
    assert.equal(a.body.status, status);
    assert.equal(typeof a.body.title, 'string');
    assert.match(a.body.type, /^urn:hookguard:problem:/);
  }
}

