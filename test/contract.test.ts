// The adapter contract: every delivery gets the same status and code from Express 4, Express 5,
// Koa and NestJS, each running as a real server on 127.0.0.1.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_BODY, type RunningServer } from './lib/fixture.js';
import { adobeDelivery, httpSignatureDelivery, nextId, send, standard, tenantBody, twilioDelivery, TWILIO_FORWARDED, viaOctokit, viaStandardWebhooksLib, viaStripeLib, viaSvixLib, type Answer, type Delivery } from './lib/deliveries.js';
import { ADOBE_CLIENT_ID } from './lib/fixture.js';
import { ADAPTERS } from './lib/adapters.js';
import { recordCode, writeCodes } from './lib/code-coverage.js';

const now = () => Math.floor(Date.now() / 1000);

interface Case {
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

const cases: Case[] = [
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

function assertAnswer(a: Answer, status: number, code: string | undefined, what: string) {
  assert.equal(a.status, status, `${what}: status ${a.status} ${JSON.stringify(a.body)}`);
  if (code) {
    assert.match(a.contentType, /^application\/problem\+json/, `${what}: content type`);
    assert.equal(a.body.code, code, `${what}: code`);
    assert.equal(a.body.status, status);
    assert.equal(typeof a.body.title, 'string');
    assert.match(a.body.type, /^urn:hookguard:problem:/);
  }
}

after(() => writeCodes('contract'));

for (const adapter of ADAPTERS) {
  describe(`contract: ${adapter.name}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await adapter.start();
    });
    after(async () => {
      // Every code the verifier rejected with through this adapter (its onRejected hook).
      for (const code of server?.log.rejected ?? []) recordCode(adapter.name, code);
      await server?.close();
    });

    for (const c of cases) {
      test(`${c.name} -> ${c.status}${c.code ? ` ${c.code}` : ''}`, async () => {
        const d = await c.delivery();
        const calls = server.log.calls.length;
        const rejected = server.log.rejected.length;
        const a = await send(server.url, d);
        assertAnswer(a, c.status, c.code, c.name);
        for (const [name, value] of Object.entries(c.headers ?? {})) assert.equal(a.headers.get(name), value, `${c.name}: header ${name}`);
        if (c.json !== undefined) assert.deepEqual(a.body, c.json);
        assert.equal(server.log.calls.length - calls, c.handled ? 1 : 0, 'handler runs');
        // The onRejected hook sees every rejection, including those raised while reading the body.
        assert.deepEqual(server.log.rejected.slice(rejected), c.code ? [c.code] : []);
      });
    }

    test('duplicate of a processed message -> 200 ack, handler not run again', async () => {
      const d = standard();
      assertAnswer(await send(server.url, d), 200, undefined, 'first');
      const rejected = server.log.rejected.length;
      const dup = await send(server.url, d);
      assert.equal(dup.status, 200);
      assert.deepEqual(dup.body, { received: true, duplicate: true });
      // The answer carries no code (it is an acknowledgement); the hook names it.
      assert.deepEqual(server.log.rejected.slice(rejected), ['DUPLICATE']);
      assert.equal(server.log.count('tenants', d.headers['webhook-id']!), 1);
    });

    test("duplicate with duplicates: 'reject' -> 409 REPLAYED", async () => {
      const d = standard({ path: '/strict/:tenant' });
      d.headers['x-tenant'] = 'acme';
      assertAnswer(await send(server.url, d), 200, undefined, 'first');
      const rejected = server.log.rejected.length;
      assertAnswer(await send(server.url, d), 409, 'REPLAYED', 'duplicate');
      assert.deepEqual(server.log.rejected.slice(rejected), ['REPLAYED']);
      assert.equal(server.log.count('strict', d.headers['webhook-id']!), 1);
    });

    test('duplicate while the first is still in the handler -> 409 REPLAY_IN_FLIGHT, then the first completes', async () => {
      const id = nextId();
      const d = standard({ id, body: tenantBody('acme', { behavior: 'slow' }) });
      const running = server.log.whenRunning('tenants', id);
      const first = send(server.url, d);
      await running;
      const rejected = server.log.rejected.length;
      assertAnswer(await send(server.url, d), 409, 'REPLAY_IN_FLIGHT', 'in flight');
      assert.deepEqual(server.log.rejected.slice(rejected), ['REPLAY_IN_FLIGHT']);
      server.log.open('tenants', id);
      assertAnswer(await first, 200, undefined, 'first');
      assert.equal(server.log.count('tenants', id), 1);
    });

    test('handler answers 500 -> the retry is processed, then acknowledged as duplicate', async () => {
      const id = nextId();
      const d = standard({ id, body: tenantBody('acme', { behavior: 'fail' }) });
      assert.equal((await send(server.url, d)).status, 500);
      assertAnswer(await send(server.url, d), 200, undefined, 'retry');
      assert.deepEqual((await send(server.url, d)).body, { received: true, duplicate: true });
      assert.equal(server.log.count('tenants', id), 2);
    });

    test('handler throws -> the retry is processed', async () => {
      const id = nextId();
      const d = standard({ id, body: tenantBody('acme', { behavior: 'throw' }) });
      assert.equal((await send(server.url, d)).status, 500);
      assertAnswer(await send(server.url, d), 200, undefined, 'retry');
      assert.equal(server.log.count('tenants', id), 2);
    });

    test('handler throws an HTTP 422 error -> that answer is final: the redelivery is acknowledged, not run again', async () => {
      const id = nextId();
      const d = standard({ id, body: tenantBody('acme', { behavior: 'reject' }) });
      assert.equal((await send(server.url, d)).status, 422);
      const again = await send(server.url, d);
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, { received: true, duplicate: true });
      assert.equal(server.log.count('tenants', id), 1);
    });

    test('the store fails after the handler ran -> the answer stands, onSettleFailed reports REPLAY_STORE_UNAVAILABLE with tenant and scheme', async () => {
      const id = `${nextId()}_settle_down`;
      const before = server.log.settleFailed.length;
      const a = await send(server.url, standard({ id, path: '/down/:tenant' }));
      assert.equal(a.status, 200, JSON.stringify(a.body));
      assert.equal(server.log.count('down', id), 1);
      // Express settles when the response has finished: wait for it, bounded.
      for (let i = 0; i < 100 && server.log.settleFailed.length === before; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(server.log.settleFailed.slice(before), ['REPLAY_STORE_UNAVAILABLE acme standardWebhooks']);
    });

    test('Adobe Sign: a duplicate of a processed notification is acknowledged 200 with the echo, the handler ran once', async () => {
      const d = adobeDelivery();
      const first = await send(server.url, d);
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('x-adobesign-clientid'), ADOBE_CLIENT_ID);
      const calls = server.log.calls.length;
      const dup = await send(server.url, d);
      assert.equal(dup.status, 200);
      assert.deepEqual(dup.body, { received: true, duplicate: true });
      assert.equal(dup.headers.get('x-adobesign-clientid'), ADOBE_CLIENT_ID);
      assert.equal(server.log.calls.length, calls);
    });

    test('Twilio: a re-split of a captured form delivery (name+value is not delimited) verifies but is a duplicate', async () => {
      const d = twilioDelivery();
      assertAnswer(await send(server.url, d), 200, undefined, 'first');
      // "Empty" + "" + "From" + ... re-read as "Empt" = "y": one signed string, so one replay key.
      const resplit = { ...d, body: (d.body as string).replace('Empty=', 'Empt=y') };
      const again = await send(server.url, resplit);
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, { received: true, duplicate: true });
    });

    test('the handler sees the verified tenant', async () => {
      const a = await send(server.url, standard({ tenant: 'globex' }));
      assert.equal(a.status, 200);
      assert.equal(a.body.tenant, 'globex');
    });
  });
}
