import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type expressType from 'express';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import {
  accountClaim,
  createVerifier,
  fromParam,
  github,
  isWebhookVerificationError,
  sign,
  standardWebhooks,
  stripe,
  WebhookConfigError,
  type TenantConfig,
} from '@hookguard/core';
import { keepRawBody, verifyWebhook } from '@hookguard/express';
import { close, gate, listen, nowSec, send, whsec, type Gate } from './helpers.js';

type Express = typeof expressType;

/**
 * The same cases against one Express major version. Every webhook carries its own id, so the
 * cases share one server and one replay store without seeing each other's messages.
 */
export function expressSuite(label: string, express: Express): void {
  describe(label, () => {
    const acmeSecret = whsec();
    const globexSecret = whsec();
    const otherSecret = whsec();
    const githubSecret = `gh-${whsec()}`;
    const stripeSecret = `whsec_${whsec().slice(6, 30)}`;
    const tenants: Record<string, TenantConfig> = {
      acme: { secrets: [acmeSecret], account: 'acct_acme' },
      globex: { secrets: [globexSecret], account: 'acct_globex' },
    };
    const lookups: string[] = [];
    const slowLookup = gate();
    let verifiedSlow!: () => void;
    const slowVerified = new Promise<void>((r) => (verifiedSlow = r));
    let goneRes: Response | undefined;
    const tenantOptions = {
      resolve: fromParam('tenant'),
      lookup: async (id: string) => {
        lookups.push(id);
        await new Promise((r) => setImmediate(r));
        if (id === 'broken') throw new Error('tenant database is down');
        if (id === 'slow') {
          slowLookup.enter();
          await slowLookup.opened;
          return tenants.acme;
        }
        return tenants[id];
      },
    };
    const standard = () => ({ scheme: standardWebhooks(), tenants: tenantOptions, claims: accountClaim('account') });

    // What the handlers saw, by message id.
    const runs = new Map<string, number>();
    const seen = new Map<string, { body: unknown; tenant: string | undefined; scheme: string | undefined; id: string | undefined; rawBody: string | undefined }>();
    const gates = new Map<string, Gate>();
    const closed = new Map<string, Promise<void>>();

    const handler: RequestHandler = async (req: Request, res: Response, next) => {
      const webhook = req.webhook;
      const id = webhook?.id ?? 'none';
      const n = (runs.get(id) ?? 0) + 1;
      runs.set(id, n);
      seen.set(id, { body: req.body, tenant: webhook?.tenant, scheme: webhook?.scheme, id: webhook?.id, rawBody: webhook?.rawBody.toString('utf8') });
      const action = (req.body as { action?: string } | undefined)?.action;
      if (action === 'fail500' && n === 1) {
        res.status(500).json({ error: 'handler failed' });
        return;
      }
      if (action === 'next-error' && n === 1) {
        next(new Error('handler failed'));
        return;
      }
      const g = gates.get(id);
      if ((action === 'wait' || action === 'wait-fail') && g && n === 1) {
        const gone = once(res, 'close').then(() => undefined);
        closed.set(id, gone);
        g.enter();
        // A real handler does not notice a hang-up: it finishes its work and answers into the void.
        await g.opened;
        if (action === 'wait-fail') {
          res.status(500).json({ error: 'handler failed' });
          return;
        }
      }
      res.status(200).json({ ok: true, run: n });
    };

    let server: Server;
    let base: string;
    let mountServer: Server;
    let mountBase: string;
    const caught: unknown[] = [];

    before(async () => {
      const app = express();
      app.set('env', 'test'); // keep Express's final handler from printing the forwarded errors
      app.post('/webhooks/:tenant', verifyWebhook(standard()), handler);
      const keepRes: RequestHandler = (_req, res, next) => {
        goneRes = res;
        next();
      };
      app.post('/gone/:tenant', keepRes, verifyWebhook({ ...standard(), onVerified: () => verifiedSlow() }), handler);
      app.post('/small/:tenant', verifyWebhook({ ...standard(), maxBodyBytes: 1024 }), handler);
      app.post('/json-first/:tenant', express.json(), verifyWebhook(standard()), handler);
      app.post('/kept/:tenant', express.json({ verify: keepRawBody }), verifyWebhook(standard()), handler);
      app.post('/raw/:tenant', express.raw({ type: '*/*' }), verifyWebhook(standard()), handler);
      const toNext: ErrorRequestHandler = (err, _req, res, _next) => {
        caught.push(err);
        res.status(418).json({ caught: isWebhookVerificationError(err) ? err.code : 'other' });
      };
      app.post('/next-mode/:tenant', verifyWebhook({ ...standard(), onError: 'next' }), handler, toNext);
      app.post(
        '/stripe',
        verifyWebhook({ verifier: createVerifier({ scheme: stripe({ secret: stripeSecret }) }), problemDetail: false }),
        handler,
      );
      ({ server, base } = await listen(app));

      // The mount from the issue: one verifier in front of everything under /webhooks.
      const mounted = express();
      mounted.set('env', 'test');
      mounted.use('/webhooks', verifyWebhook({ scheme: github({ secret: githubSecret }) }));
      mounted.post('/webhooks/github', handler);
      ({ server: mountServer, base: mountBase } = await listen(mounted));
    });

    after(async () => {
      await close(server);
      await close(mountServer);
    });

    function signed(payload: unknown, options: { secret?: string; id?: string; timestamp?: number; contentType?: string } = {}) {
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const headers = sign.standardWebhooks({ secret: options.secret ?? acmeSecret, body, id: options.id, timestamp: options.timestamp });
      return { body, headers: { ...headers, 'content-type': options.contentType ?? 'application/json' }, id: headers['webhook-id'] as string };
    }

    function problem(reply: { status: number; headers: Record<string, unknown>; json: any }, status: number, code: string) {
      assert.equal(reply.status, status);
      assert.equal(reply.json?.code, code);
      assert.equal(reply.json?.status, status);
      assert.match(String(reply.headers['content-type']), /^application\/problem\+json/);
    }

    test('a valid delivery reaches the handler with the parsed body and req.webhook', async () => {
      const m = signed({ account: 'acct_acme', type: 'invoice.paid', amount: 42 });
      const reply = await send(`${base}/webhooks/acme`, m);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json, { ok: true, run: 1 });
      const s = seen.get(m.id);
      assert.deepEqual(s?.body, { account: 'acct_acme', type: 'invoice.paid', amount: 42 });
      assert.equal(s?.tenant, 'acme');
      assert.equal(s?.scheme, 'standardWebhooks');
      assert.equal(s?.rawBody, m.body);
    });

    test('urlencoded bodies arrive as fields', async () => {
      const m = signed('account=acct_acme&type=ping&tag=a&tag=b', { contentType: 'application/x-www-form-urlencoded' });
      const reply = await send(`${base}/webhooks/acme`, m);
      assert.equal(reply.status, 200);
      assert.deepEqual({ ...(seen.get(m.id)?.body as object) }, { account: 'acct_acme', type: 'ping', tag: ['a', 'b'] });
    });

    test('missing signature: 401 MISSING_SIGNATURE', async () => {
      const reply = await send(`${base}/webhooks/acme`, { body: '{"account":"acct_acme"}', headers: { 'content-type': 'application/json' } });
      problem(reply, 401, 'MISSING_SIGNATURE');
    });

    test('malformed signature: 401 MALFORMED_SIGNATURE', async () => {
      const m = signed({ account: 'acct_acme' });
      const reply = await send(`${base}/webhooks/acme`, { body: m.body, headers: { ...m.headers, 'webhook-timestamp': 'yesterday' } });
      problem(reply, 401, 'MALFORMED_SIGNATURE');
      assert.equal(runs.has(m.id), false);
    });

    test('wrong signature: 401 SIGNATURE_MISMATCH, handler not run', async () => {
      const m = signed({ account: 'acct_acme' }, { secret: otherSecret });
      const reply = await send(`${base}/webhooks/acme`, m);
      problem(reply, 401, 'SIGNATURE_MISMATCH');
      assert.equal(runs.has(m.id), false);
    });

    test("another tenant's secret on this tenant's route: 401 SIGNATURE_MISMATCH", async () => {
      const m = signed({ account: 'acct_acme' }, { secret: globexSecret });
      problem(await send(`${base}/webhooks/acme`, m), 401, 'SIGNATURE_MISMATCH');
    });

    test('stale timestamp: 401 TIMESTAMP_OUT_OF_TOLERANCE', async () => {
      const m = signed({ account: 'acct_acme' }, { timestamp: nowSec() - 3600 });
      const reply = await send(`${base}/webhooks/acme`, m);
      problem(reply, 401, 'TIMESTAMP_OUT_OF_TOLERANCE');
      assert.match(reply.json.detail, /in the past/);
    });

    test('future timestamp: 401 TIMESTAMP_OUT_OF_TOLERANCE', async () => {
      const m = signed({ account: 'acct_acme' }, { timestamp: nowSec() + 3600 });
      const reply = await send(`${base}/webhooks/acme`, m);
      problem(reply, 401, 'TIMESTAMP_OUT_OF_TOLERANCE');
      assert.match(reply.json.detail, /in the future/);
    });

    test('tenant from the route param: another tenant verifies with its own secret', async () => {
      const m = signed({ account: 'acct_globex' }, { secret: globexSecret });
      const reply = await send(`${base}/webhooks/globex`, m);
      assert.equal(reply.status, 200);
      assert.equal(seen.get(m.id)?.tenant, 'globex');
      assert.ok(lookups.includes('globex'));
    });

    test('unknown tenant: 404 UNKNOWN_TENANT', async () => {
      const m = signed({ account: 'acct_acme' });
      problem(await send(`${base}/webhooks/initech`, m), 404, 'UNKNOWN_TENANT');
    });

    test('tenant lookup throws: 503 TENANT_LOOKUP_FAILED with Retry-After', async () => {
      const m = signed({ account: 'acct_acme' });
      const reply = await send(`${base}/webhooks/broken`, m);
      problem(reply, 503, 'TENANT_LOOKUP_FAILED');
      assert.equal(reply.headers['retry-after'], '10');
    });

    test("claim mismatch: another account's event on this tenant's route: 403 CLAIM_MISMATCH", async () => {
      const m = signed({ account: 'acct_globex' });
      problem(await send(`${base}/webhooks/acme`, m), 403, 'CLAIM_MISMATCH');
      assert.equal(runs.has(m.id), false);
    });

    test('body over maxBodyBytes with Content-Length: 413 BODY_TOO_LARGE', async () => {
      const m = signed({ account: 'acct_acme', pad: 'x'.repeat(8 * 1024) });
      const reply = await send(`${base}/small/acme`, m);
      problem(reply, 413, 'BODY_TOO_LARGE');
      assert.equal(reply.headers.connection, 'close');
      assert.equal(runs.has(m.id), false);
    });

    test('body over maxBodyBytes, chunked: 413 BODY_TOO_LARGE', async () => {
      const m = signed({ account: 'acct_acme', pad: 'x'.repeat(8 * 1024) });
      const bytes = Buffer.from(m.body);
      const chunks = [bytes.subarray(0, 700), bytes.subarray(700, 1400), bytes.subarray(1400)];
      const reply = await send(`${base}/small/acme`, { headers: m.headers, chunks });
      problem(reply, 413, 'BODY_TOO_LARGE');
      assert.equal(runs.has(m.id), false);
    });

    test('a body under maxBodyBytes, chunked, verifies', async () => {
      const m = signed({ account: 'acct_acme', pad: 'y'.repeat(100) });
      const bytes = Buffer.from(m.body);
      const reply = await send(`${base}/small/acme`, { headers: m.headers, chunks: [bytes.subarray(0, 50), bytes.subarray(50)] });
      assert.equal(reply.status, 200);
      assert.equal(seen.get(m.id)?.rawBody, m.body);
    });

    test('express.json() mounted first without keepRawBody: 500 RAW_BODY_UNAVAILABLE naming keepRawBody', async () => {
      const m = signed({ account: 'acct_acme' });
      const reply = await send(`${base}/json-first/acme`, m);
      problem(reply, 500, 'RAW_BODY_UNAVAILABLE');
      assert.match(reply.json.detail, /keepRawBody/);
      assert.equal(runs.has(m.id), false);
    });

    test('express.json({ verify: keepRawBody }) mounted first: verifies the exact bytes', async () => {
      // Spacing that JSON.stringify would not reproduce: only the kept bytes verify.
      const m = signed('{ "account" : "acct_acme",  "n": 1 }');
      const reply = await send(`${base}/kept/acme`, m);
      assert.equal(reply.status, 200);
      assert.deepEqual(seen.get(m.id)?.body, { account: 'acct_acme', n: 1 });
      assert.equal(seen.get(m.id)?.rawBody, m.body);
    });

    test('express.raw() mounted first: its Buffer is verified and req.body becomes the payload', async () => {
      const m = signed({ account: 'acct_acme', via: 'raw' });
      const reply = await send(`${base}/raw/acme`, m);
      assert.equal(reply.status, 200);
      assert.deepEqual(seen.get(m.id)?.body, { account: 'acct_acme', via: 'raw' });
    });

    test('invalid JSON behind a valid signature: 400 MALFORMED_PAYLOAD, and the id is not held', async () => {
      const bad = signed('{"account": "acct_acme",', { id: `msg_${Math.random().toString(36).slice(2)}` });
      const reply = await send(`${base}/webhooks/acme`, bad);
      problem(reply, 400, 'MALFORMED_PAYLOAD');
      assert.equal(runs.has(bad.id), false);
      // Rejected before the replay reservation: the sender's corrected delivery goes through.
      const fixed = signed({ account: 'acct_acme' }, { id: bad.id });
      assert.equal((await send(`${base}/webhooks/acme`, fixed)).status, 200);
      assert.equal(runs.get(bad.id), 1);
    });

    test('a duplicate after success: 200 {duplicate:true}, handler not run again', async () => {
      const m = signed({ account: 'acct_acme' });
      assert.equal((await send(`${base}/webhooks/acme`, m)).status, 200);
      const again = await send(`${base}/webhooks/acme`, m);
      assert.equal(again.status, 200);
      assert.deepEqual(again.json, { received: true, duplicate: true });
      assert.equal(runs.get(m.id), 1);
    });

    test('a duplicate while the first is still in the handler: 409 REPLAY_IN_FLIGHT', async () => {
      const m = signed({ account: 'acct_acme', action: 'wait' });
      const g = gate();
      gates.set(m.id, g);
      const first = send(`${base}/webhooks/acme`, m);
      await g.entered;
      const second = await send(`${base}/webhooks/acme`, m);
      problem(second, 409, 'REPLAY_IN_FLIGHT');
      assert.equal(second.headers['retry-after'], '5');
      g.open();
      assert.equal((await first).status, 200);
      const third = await send(`${base}/webhooks/acme`, m);
      assert.deepEqual(third.json, { received: true, duplicate: true });
      assert.equal(runs.get(m.id), 1);
    });

    test('handler answers 500: the retry of the same message is processed', async () => {
      const m = signed({ account: 'acct_acme', action: 'fail500' });
      assert.equal((await send(`${base}/webhooks/acme`, m)).status, 500);
      const retry = await send(`${base}/webhooks/acme`, m);
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.json, { ok: true, run: 2 });
      // Committed by the successful retry.
      assert.deepEqual((await send(`${base}/webhooks/acme`, m)).json, { received: true, duplicate: true });
    });

    test('handler calls next(err): the retry of the same message is processed', async () => {
      const m = signed({ account: 'acct_acme', action: 'next-error' });
      assert.equal((await send(`${base}/webhooks/acme`, m)).status, 500);
      const retry = await send(`${base}/webhooks/acme`, m);
      assert.equal(retry.status, 200);
      assert.equal(runs.get(m.id), 2);
    });

    test('client hangs up mid-handler, again and again: the handler runs once, its success commits', async () => {
      const m = signed({ account: 'acct_acme', action: 'wait' });
      const g = gate();
      gates.set(m.id, g);
      const abort = new AbortController();
      const first = send(`${base}/webhooks/acme`, { ...m, signal: abort.signal }).then(
        () => 'answered',
        (e: { name?: string }) => e.name ?? 'error',
      );
      await g.entered;
      abort.abort();
      assert.equal(await first, 'AbortError');
      await closed.get(m.id);
      // The handler still runs: every copy meanwhile is in flight, whether or not its sender hangs up.
      for (let i = 0; i < 4; i++) problem(await send(`${base}/webhooks/acme`, m), 409, 'REPLAY_IN_FLIGHT');
      g.open();
      const after = await retryUntil(() => send(`${base}/webhooks/acme`, m), (r) => r.status !== 409);
      assert.deepEqual(after.json, { received: true, duplicate: true });
      assert.equal(runs.get(m.id), 1);
    });

    test('client hangs up mid-handler and the handler then fails: released, the retry is processed', async () => {
      const m = signed({ account: 'acct_acme', action: 'wait-fail' });
      const g = gate();
      gates.set(m.id, g);
      const abort = new AbortController();
      const first = send(`${base}/webhooks/acme`, { ...m, signal: abort.signal }).catch((e: { name?: string }) => e.name);
      await g.entered;
      abort.abort();
      await first;
      await closed.get(m.id);
      problem(await send(`${base}/webhooks/acme`, m), 409, 'REPLAY_IN_FLIGHT');
      g.open();
      const retry = await retryUntil(() => send(`${base}/webhooks/acme`, m), (r) => r.status !== 409);
      assert.deepEqual(retry.json, { ok: true, run: 2 });
    });

    test('client gone while the delivery is verified: handler not run, reservation released', async () => {
      const m = signed({ account: 'acct_acme' });
      const abort = new AbortController();
      const first = send(`${base}/gone/slow`, { ...m, signal: abort.signal }).then(
        () => 'answered',
        (e: { name?: string }) => e.name ?? 'error',
      );
      await slowLookup.entered;
      abort.abort();
      assert.equal(await first, 'AbortError');
      // Let the server see the disconnect before verification ends.
      if (goneRes && !goneRes.destroyed) await once(goneRes, 'close');
      slowLookup.open();
      await slowVerified;
      assert.equal(runs.has(m.id), false);
      const retry = await send(`${base}/gone/slow`, m);
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.json, { ok: true, run: 1 });
    });

    test("onError: 'next' hands the WebhookVerificationError to the error handler", async () => {
      const m = signed({ account: 'acct_acme' }, { secret: otherSecret });
      const reply = await send(`${base}/next-mode/acme`, m);
      assert.equal(reply.status, 418);
      assert.deepEqual(reply.json, { caught: 'SIGNATURE_MISMATCH' });
      const err = caught.at(-1) as { code?: string; status?: number; name?: string };
      assert.ok(isWebhookVerificationError(err));
      assert.equal(err.status, 401);
      assert.equal(err.name, 'WebhookVerificationError');
      // A valid delivery on the same route still reaches the handler.
      const ok = signed({ account: 'acct_acme' });
      assert.equal((await send(`${base}/next-mode/acme`, ok)).status, 200);
      // Its duplicate is acknowledged here, not handed to the error handler (which would answer 418/500).
      const dup = await send(`${base}/next-mode/acme`, ok);
      assert.equal(dup.status, 200);
      assert.deepEqual(dup.json, { received: true, duplicate: true });
    });

    test("app.use('/webhooks', verifyWebhook(github)) guards the routes under it", async () => {
      const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
      const headers: Record<string, string> = { ...sign.github({ secret: githubSecret, body, event: 'ping' }), 'content-type': 'application/json' };
      const id = headers['x-github-delivery'] as string;
      const reply = await send(`${mountBase}/webhooks/github`, { body, headers });
      assert.equal(reply.status, 200);
      assert.deepEqual(seen.get(id)?.body, { zen: 'Keep it logically awesome.', hook_id: 1 });
      assert.equal(seen.get(id)?.scheme, 'github');
      // GitHub has no timestamp: the replay store (keyed by the verified signature) guards against replay.
      assert.deepEqual((await send(`${mountBase}/webhooks/github`, { body, headers })).json, { received: true, duplicate: true });
      const forged = { ...headers, 'x-github-delivery': 'forged', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` };
      problem(await send(`${mountBase}/webhooks/github`, { body, headers: forged }), 401, 'SIGNATURE_MISMATCH');
      problem(await send(`${mountBase}/webhooks/anything-else`, { body, headers: { 'content-type': 'application/json' } }), 401, 'MISSING_SIGNATURE');
    });

    test('a prebuilt { verifier } with problemDetail: false (Stripe)', async () => {
      const body = JSON.stringify({ id: `evt_${Math.random().toString(36).slice(2)}`, type: 'charge.succeeded' });
      const headers = { ...sign.stripe({ secret: stripeSecret, body }), 'content-type': 'application/json' };
      const reply = await send(`${base}/stripe`, { body, headers });
      assert.equal(reply.status, 200);
      const stale = { ...sign.stripe({ secret: stripeSecret, body, timestamp: nowSec() - 3600 }), 'content-type': 'application/json' };
      const rejected = await send(`${base}/stripe`, { body, headers: stale });
      problem(rejected, 401, 'TIMESTAMP_OUT_OF_TOLERANCE');
      assert.equal(rejected.json.detail, undefined);
    });

    test('misconfiguration throws when the middleware is created', () => {
      assert.throws(() => verifyWebhook({ scheme: standardWebhooks() }), WebhookConfigError);
      assert.throws(() => verifyWebhook({ scheme: standardWebhooks({ secret: acmeSecret }), onError: 'throw' as never }), WebhookConfigError);
      assert.throws(() => verifyWebhook({ verifier: {} as never }), WebhookConfigError);
    });
  });
}

/** Sends until the answer is no longer in flight (bounded: 50 tries, 10 ms apart). */
async function retryUntil<R extends { status: number }>(send: () => Promise<R>, done: (r: R) => boolean): Promise<R> {
  let r = await send();
  for (let i = 0; i < 50 && !done(r); i++) {
    await new Promise((res) => setTimeout(res, 10));
    r = await send();
  }
  return r;
}
