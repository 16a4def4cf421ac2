import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createVerifier, sign, standardWebhooks } from '@hookguard/core';
import { verifyWebhook } from '@hookguard/fastify';
import { FASTIFY_VERSIONS, JSON_TYPE, listen, send, whsec } from './helpers.js';

// An async handler's own promise goes to Fastify and hookguard watches it beside Fastify. That is
// only for an exact native promise: a subclass (or an own `then`) may do work per `then` call, as a
// lazy query does, so it is wrapped as before and its `then` runs once. Either way the key settles
// from the handler's outcome: resolved commits, rejected releases.
class CountingPromise<T> extends Promise<T> {
  // Calls on the handler's own promises only (then() itself makes more instances, through species).
  static made = new WeakSet<object>();
  static calls = 0;
  override then<A = T, B = never>(ok?: ((v: T) => A | PromiseLike<A>) | null, fail?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    if (CountingPromise.made.has(this)) CountingPromise.calls++;
    return super.then(ok, fail);
  }
}

for (const { name, create } of FASTIFY_VERSIONS) {
  for (const kind of ['native', 'subclass', 'own then'] as const) {
    test(`${name}: a handler returning a ${kind} promise: settled from its outcome, its then called once`, async () => {
      const secret = whsec();
      const app = create();
      let runs = 0;
      let ownThen = 0;
      let fail = false;
      const later = <T>(value: T): Promise<T> => {
        const make = (resolve: (v: T) => void, reject: (e: unknown) => void) => setTimeout(() => (fail ? reject(new Error('handler failed')) : resolve(value)), 5);
        if (kind === 'subclass') {
          const p = new CountingPromise<T>(make);
          CountingPromise.made.add(p);
          return p;
        }
        const p = new Promise<T>(make);
        if (kind === 'own then') {
          const then = p.then.bind(p);
          Object.defineProperty(p, 'then', { value: (a: never, b: never) => (ownThen++, then(a, b)) });
        }
        return p;
      };
      CountingPromise.calls = 0;
      const verifier = createVerifier({ scheme: standardWebhooks({ secret }) });
      app.post('/hooks', verifyWebhook({ verifier }, () => {
        runs++;
        return later({ ok: runs });
      }));
      const server = await listen(app);
      try {
        // Rejected: 500, released, the retry runs the handler again.
        fail = true;
        const failing = { headers: { ...sign.standardWebhooks({ secret, body: '{"a":1}', id: `msg_fail_${kind}` }), ...JSON_TYPE }, body: '{"a":1}' };
        assert.equal((await send(`${server.url}/hooks`, failing)).status, 500);
        fail = false;
        assert.equal((await send(`${server.url}/hooks`, failing)).status, 200);
        assert.equal(runs, 2);
        // Resolved: committed, a copy is acknowledged without running it.
        const ok = { headers: { ...sign.standardWebhooks({ secret, body: '{"b":1}', id: `msg_ok_${kind}` }), ...JSON_TYPE }, body: '{"b":1}' };
        assert.deepEqual((await send(`${server.url}/hooks`, ok)).json(), { ok: 3 });
        assert.deepEqual((await send(`${server.url}/hooks`, ok)).json(), { received: true, duplicate: true });
        assert.equal(runs, 3);
        // One `then` on each promise the handler returned (3 calls): hookguard's wrapper's, never a second one beside Fastify's.
        if (kind === 'subclass') assert.equal(CountingPromise.calls, 3);
        if (kind === 'own then') assert.equal(ownThen, 3);
      } finally {
        await server.close();
      }
    });
  }
}
