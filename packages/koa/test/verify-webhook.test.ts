import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Router from '@koa/router';
import { accountClaim, fromParam, github, sign, standardWebhooks, stripe } from '@hookguard/core';
import { verifyWebhook } from '@hookguard/koa';
import { JSON_TYPE, KOA_VERSIONS, listen, send, whsec, type TestServer } from './helpers.js';

const tenants: Record<string, { secrets: string[]; account: string }> = {
  acme: { secrets: [whsec()], account: 'acct_acme' },
  globex: { secrets: [whsec()], account: 'acct_globex' },
};
const acmeSecret = tenants.acme!.secrets[0]!;
const globexSecret = tenants.globex!.secrets[0]!;
const githubSecret = 'gh-secret-for-tests-0123456789';
const stripeSecret = 'whsec_stripe_test_0123456789abcdef';

function body(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'invoice.paid', account: 'acct_acme', ...extra });
}

for (const { name, Koa } of KOA_VERSIONS) {
  describe(`verifyWebhook on ${name}`, () => {
    let server: TestServer;
    const lookups: string[] = [];

    before(async () => {
      const app = new Koa();
      const router = new Router();
      router.post(
        '/webhooks/:tenant',
        verifyWebhook<{ type: string; account: string }>({
          scheme: standardWebhooks(),
          tenants: {
            resolve: fromParam('tenant'),
            lookup: async (id) => {
              lookups.push(id);
              await new Promise((resolve) => setImmediate(resolve));
              if (id === 'broken') throw new Error('database unreachable');
              return tenants[id];
            },
          },
          claims: accountClaim('account'),
        }),
        (ctx) => {
          // Typed through verifyWebhook<P>: no cast needed.
          const state = ctx.state;
          const raw = (ctx.request as { rawBody?: unknown }).rawBody;
          ctx.body = {
            body: ctx.request.body,
            tenant: state.webhook.tenant,
            scheme: state.webhook.scheme,
            id: state.webhook.id,
            type: state.webhook.payload.type,
            rawIsBuffer: Buffer.isBuffer(raw),
            rawLength: Buffer.isBuffer(raw) ? raw.length : -1,
          };
        },
      );
      router.post('/quiet/:tenant', verifyWebhook({ scheme: standardWebhooks(), tenants: { resolve: fromParam(), lookup: (id) => tenants[id] }, problemDetail: false }), (ctx) => {
        ctx.body = { ok: true };
      });
      router.post('/github', verifyWebhook({ scheme: github({ secret: githubSecret }) }), (ctx) => {
        ctx.body = { payload: ctx.request.body, scheme: ctx.state.webhook.scheme };
      });
      router.post('/stripe', verifyWebhook({ scheme: stripe({ secret: stripeSecret }) }), (ctx) => {
        ctx.body = { payload: ctx.request.body, scheme: ctx.state.webhook.scheme };
      });
      app.use(router.routes());
      server = await listen(app);
    });
    after(() => server.close());

    test('a valid delivery reaches the handler with the parsed body and ctx.state.webhook', async () => {
      const payload = body({ n: 1 });
      const headers = sign.standardWebhooks({ secret: acmeSecret, body: payload, id: 'msg_valid_1' });
      const res = await send(`${server.url}/webhooks/acme`, { headers: { ...headers, ...JSON_TYPE }, body: payload });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), {
        body: JSON.parse(payload),
        tenant: 'acme',
        scheme: 'standardWebhooks',
        id: 'msg_valid_1',
        type: 'invoice.paid',
        rawIsBuffer: true,
        rawLength: Buffer.byteLength(payload),
      });
    });

    test('missing signature: 401 MISSING_SIGNATURE as problem+json', async () => {
      const res = await send(`${server.url}/webhooks/acme`, { headers: JSON_TYPE, body: body() });
      assert.equal(res.status, 401);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.json().code, 'MISSING_SIGNATURE');
      assert.equal(res.json().status, 401);
    });

    test('malformed signature: 401 MALFORMED_SIGNATURE', async () => {
      const payload = body();
      const headers = sign.standardWebhooks({ secret: acmeSecret, body: payload });
      headers['webhook-signature'] = 'v1,not base64 at all!';
      const res = await send(`${server.url}/webhooks/acme`, { headers: { ...headers, ...JSON_TYPE }, body: payload });
      assert.equal(res.status, 401);
      assert.equal(res.json().code, 'MALFORMED_SIGNATURE');
    });

    test('wrong signature: 401 SIGNATURE_MISMATCH', async () => {
      const payload = body();
      const headers = sign.standardWebhooks({ secret: whsec(), body: payload });
      const res = await send(`${server.url}/webhooks/acme`, { headers: { ...headers, ...JSON_TYPE }, body: payload });
      assert.equal(res.status, 401);
      assert.equal(res.json().code, 'SIGNATURE_MISMATCH');
    });

    test("another tenant's secret on this tenant's route: 401 SIGNATURE_MISMATCH", async () => {
      const payload = body();
      const headers = sign.standardWebhooks({ secret: globexSecret, body: payload });
      const res = await send(`${server.url}/webhooks/acme`, { headers: { ...headers, ...JSON_TYPE }, body: payload });
      assert.equal(res.status, 401);
      assert.equal(res.json().code, 'SIGNATURE_MISMATCH');
    });

    test('a body changed after signing: 401 SIGNATURE_MISMATCH', async () => {
      const headers = sign.standardWebhooks({ secret: acmeSecret, body: body({ amount: 1 }) });
      const res = await send(`${server.url}/webhooks/acme`, { headers: { ...headers, ...JSON_TYPE }, body: body({ amount: 1000 }) });
      assert.equal(res.status, 401);
      assert.equal(res.json().code, 'SIGNATURE_MISMATCH');
    });

    test('stale timestamp: 401 TIMESTAMP_OUT_OF_TOLERANCE', async () => {
      const payload = body();
      const headers = sign.standardWebhooks({ secret: acmeSecret, body: payload, timestamp: Math.floor(Date.now() / 1000) - 3600 });
      const res = await send(`${server.url}/webhooks/acme`, { headers: { ...headers, ...JSON_TYPE }, body: payload });
      assert.equal(res.status, 401);
      assert.equal(res.json().code, 'TIMESTAMP_OUT_OF_TOLERANCE');
    });

    test('future timestamp: 401 TIMESTAMP_OUT_OF_TOLERANCE', async () => {
      const payload = body();
      const headers = sign.standardWebhooks({ secret: acmeSecret, body: payload, timestamp: Math.floor(Date.now() / 1000) + 3600 });
      const res = await send(`${server.url}/webhooks/acme`, { headers: { ...headers, ...JSON_TYPE }, body: payload });
      assert.equal(res.status, 401);
      assert.equal(res.json().code, 'TIMESTAMP_OUT_OF_TOLERANCE');
    });

    test('unknown tenant from the route parameter: 404 UNKNOWN_TENANT', async () => {
      const payload = body();
      const headers = sign.standardWebhooks({ secret: acmeSecret, body: payload });
      const res = await send(`${server.url}/webhooks/initech`, { headers: { ...headers, ...JSON_TYPE }, body: payload });
      assert.equal(res.status, 404);
      assert.equal(res.json().code, 'UNKNOWN_TENANT');
      assert.ok(lookups.includes('initech'), 'the async lookup was asked for the route parameter');
    });

    test('tenant lookup throws: 503 TENANT_LOOKUP_FAILED with Retry-After', async () => {
      const payload = body();
      const headers = sign.standardWebhooks({ secret: acmeSecret, body: payload });
      const res = await send(`${server.url}/webhooks/broken`, { headers: { ...headers, ...JSON_TYPE }, body: payload });
      assert.equal(res.status, 503);
      assert.equal(res.json().code, 'TENANT_LOOKUP_FAILED');
      assert.ok(res.headers['retry-after']);
    });

    test("claim mismatch (another account's event): 403 CLAIM_MISMATCH", async () => {
      const payload = body({ account: 'acct_globex' });
      const headers = sign.standardWebhooks({ secret: acmeSecret, body: payload });
      const res = await send(`${server.url}/webhooks/acme`, { headers: { ...headers, ...JSON_TYPE }, body: payload });
      assert.equal(res.status, 403);
      assert.equal(res.json().code, 'CLAIM_MISMATCH');
    });

    test('invalid JSON behind a valid signature: 400 MALFORMED_PAYLOAD', async () => {
      const payload = '{"type": "invoice.paid", ';
      const headers = sign.standardWebhooks({ secret: acmeSecret, body: payload });
      const res = await send(`${server.url}/webhooks/acme`, { headers: { ...headers, ...JSON_TYPE }, body: payload });
      assert.equal(res.status, 400);
      assert.equal(res.json().code, 'MALFORMED_PAYLOAD');
    });

    test('problemDetail: false leaves the detail out of the problem body', async () => {
      const res = await send(`${server.url}/quiet/acme`, { headers: JSON_TYPE, body: body() });
      assert.equal(res.status, 401);
      const problem = res.json();
      assert.equal(problem.code, 'MISSING_SIGNATURE');
      assert.equal('detail' in problem, false);
    });

    test('GitHub: a valid delivery passes, a wrong secret is 401 SIGNATURE_MISMATCH', async () => {
      const payload = JSON.stringify({ action: 'opened', number: 7 });
      const ok = await send(`${server.url}/github`, { headers: { ...sign.github({ secret: githubSecret, body: payload, event: 'issues' }), ...JSON_TYPE }, body: payload });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.json(), { payload: { action: 'opened', number: 7 }, scheme: 'github' });
      const bad = await send(`${server.url}/github`, { headers: { ...sign.github({ secret: 'another-secret-0123456789', body: payload }), ...JSON_TYPE }, body: payload });
      assert.equal(bad.status, 401);
      assert.equal(bad.json().code, 'SIGNATURE_MISMATCH');
    });

    test('Stripe: a valid delivery passes, a stale one is 401 TIMESTAMP_OUT_OF_TOLERANCE', async () => {
      const payload = JSON.stringify({ id: `evt_${name.replace(' ', '')}_1`, type: 'charge.succeeded' });
      const ok = await send(`${server.url}/stripe`, { headers: { ...sign.stripe({ secret: stripeSecret, body: payload }), ...JSON_TYPE }, body: payload });
      assert.equal(ok.status, 200);
      assert.equal(ok.json().scheme, 'stripe');
      assert.equal(ok.json().payload.type, 'charge.succeeded');
      const stalePayload = JSON.stringify({ id: `evt_${name.replace(' ', '')}_2`, type: 'charge.succeeded' });
      const stale = await send(`${server.url}/stripe`, {
        headers: { ...sign.stripe({ secret: stripeSecret, body: stalePayload, timestamp: Math.floor(Date.now() / 1000) - 3600 }), ...JSON_TYPE },
        body: stalePayload,
      });
      assert.equal(stale.status, 401);
      assert.equal(stale.json().code, 'TIMESTAMP_OUT_OF_TOLERANCE');
    });
  });
}
