// The adapter contract: every delivery gets the same status and code from Express 4, Express 5,
// Koa and NestJS, each running as a real server on 127.0.0.1.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { nextId, pagerdutyDelivery, send, standard, tenantBody, twilioDelivery, adobeDelivery } from './lib/deliveries.js';
import { PAGERDUTY_OLD_SECRET, PAGERDUTY_SECRET } from './lib/fixture.js';
import { ADOBE_CLIENT_ID, type RunningServer } from './lib/fixture.js';
import { assertAnswer, cases } from './lib/contract-cases.js';
import { ADAPTERS } from './lib/adapters.js';
import { recordCode, writeCodes } from './lib/code-coverage.js';

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

    test('PagerDuty: the same event re-signed in another order (or with the new secret only) is one message: acknowledged, the handler ran once', async () => {
      const body = JSON.stringify({ event: { id: nextId('pd'), event_type: 'incident.resolved' } });
      assertAnswer(await send(server.url, pagerdutyDelivery({ body })), 200, undefined, 'first');
      const calls = server.log.calls.length;
      for (const secrets of [[PAGERDUTY_SECRET, PAGERDUTY_OLD_SECRET], [PAGERDUTY_SECRET]]) {
        const again = await send(server.url, pagerdutyDelivery({ body, secrets }));
        assert.equal(again.status, 200);
        assert.deepEqual(again.body, { received: true, duplicate: true });
      }
      assert.equal(server.log.calls.length, calls);
    });

    test('the handler sees the verified tenant', async () => {
      const a = await send(server.url, standard({ tenant: 'globex' }));
      assert.equal(a.status, 200);
      assert.equal(a.body.tenant, 'globex');
    });
  });
}
