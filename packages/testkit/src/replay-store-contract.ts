// One behavioural contract for every ReplayStore: the memory, Redis and PostgreSQL stores must
// answer the same way, since core relies on it for "the handler runs at most once".
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';

/**
 * Core's ReplayStore, restated: the testkit depends on no hookguard package, so it builds first
 * and every package's tests can import it. A structural type: core's stores fit it as they are.
 */
export interface ContractReplayStore {
  reserve(key: string, ttlMs: number, context?: { tenant?: string }): Promise<{ state: 'reserved' | 'in-flight' | 'done'; token?: string }>;
  commit(key: string, ttlMs: number, token?: string): Promise<void>;
  release(key: string, token?: string): Promise<void>;
}

const LONG = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls until `check` resolves true (a rejection counts as "not yet"); fails after `withinMs`.
 * Asserts an outcome, not a duration.
 */
export async function eventually(check: () => Promise<boolean>, withinMs: number, what: string): Promise<void> {
  const deadline = Date.now() + withinMs;
  let last: unknown;
  for (let i = 0; i < 10_000; i++) {
    try {
      if (await check()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) break;
    await sleep(20);
  }
  assert.fail(`not within ${withinMs} ms: ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

/** A replay key in core's shape, unique per call so tests sharing one Redis never collide. */
export function uniqueKey(tenant = 'acme'): string {
  return `${encodeURIComponent(tenant)}:standardWebhooks:msg_${randomBytes(8).toString('hex')}`;
}

export function replayStoreContract(name: string, makeStore: () => ContractReplayStore | Promise<ContractReplayStore>): void {
  describe(`ReplayStore contract: ${name}`, () => {
    test('a fresh key is reserved, with an ownership token', async () => {
      const store = await makeStore();
      const r = await store.reserve(uniqueKey(), LONG);
      assert.equal(r.state, 'reserved');
      assert.equal(typeof r.token, 'string');
      assert.ok(r.token!.length > 0);
    });

    test('a second reserve of a held key is in-flight, without a token', async () => {
      const store = await makeStore();
      const key = uniqueKey();
      await store.reserve(key, LONG);
      const second = await store.reserve(key, LONG);
      assert.deepEqual(second, { state: 'in-flight' });
    });

    test('commit by the owner makes the key done; later reserves say done', async () => {
      const store = await makeStore();
      const key = uniqueKey();
      const r = await store.reserve(key, LONG);
      await store.commit(key, LONG, r.token);
      assert.deepEqual(await store.reserve(key, LONG), { state: 'done' });
      assert.deepEqual(await store.reserve(key, LONG), { state: 'done' });
    });

    test('release by the owner frees the key: the retry is reserved with a new token', async () => {
      const store = await makeStore();
      const key = uniqueKey();
      const first = await store.reserve(key, LONG);
      await store.release(key, first.token);
      const retry = await store.reserve(key, LONG);
      assert.equal(retry.state, 'reserved');
      assert.notEqual(retry.token, first.token);
    });

    test('commit with a wrong token is a no-op; the owner can still commit', async () => {
      const store = await makeStore();
      const key = uniqueKey();
      const r = await store.reserve(key, LONG);
      await store.commit(key, LONG, 'not-the-token');
      assert.deepEqual(await store.reserve(key, LONG), { state: 'in-flight' });
      await store.commit(key, LONG, r.token);
      assert.deepEqual(await store.reserve(key, LONG), { state: 'done' });
    });

    test('release with a wrong token is a no-op; the owner can still release', async () => {
      const store = await makeStore();
      const key = uniqueKey();
      const r = await store.reserve(key, LONG);
      await store.release(key, 'not-the-token');
      assert.deepEqual(await store.reserve(key, LONG), { state: 'in-flight' });
      await store.release(key, r.token);
      assert.equal((await store.reserve(key, LONG)).state, 'reserved');
    });

    test('release after commit leaves the key done', async () => {
      const store = await makeStore();
      const key = uniqueKey();
      const r = await store.reserve(key, LONG);
      await store.commit(key, LONG, r.token);
      await store.release(key, r.token);
      assert.deepEqual(await store.reserve(key, LONG), { state: 'done' });
    });

    test('a stale owner cannot commit over the next owner', async () => {
      const store = await makeStore();
      const key = uniqueKey();
      const first = await store.reserve(key, LONG);
      await store.release(key, first.token);
      const second = await store.reserve(key, LONG);
      assert.equal(second.state, 'reserved');
      await store.commit(key, LONG, first.token);
      assert.deepEqual(await store.reserve(key, LONG), { state: 'in-flight' });
      await store.commit(key, LONG, second.token);
      assert.deepEqual(await store.reserve(key, LONG), { state: 'done' });
    });

    test('commit and release of a key never reserved are no-ops', async () => {
      const store = await makeStore();
      const key = uniqueKey();
      await store.commit(key, LONG, 'no-such-token');
      await store.release(key, 'no-such-token');
      assert.equal((await store.reserve(key, LONG)).state, 'reserved');
    });

    test('an in-flight reservation expires after its TTL, freeing the key', async () => {
      const store = await makeStore();
      const key = uniqueKey();
      assert.equal((await store.reserve(key, 50)).state, 'reserved');
      await eventually(async () => (await store.reserve(key, LONG)).state === 'reserved', 5_000, 'the expired reservation frees the key');
    });

    test('a done key is forgotten after its retention TTL', async () => {
      const store = await makeStore();
      const key = uniqueKey();
      const r = await store.reserve(key, LONG);
      await store.commit(key, 50, r.token);
      await eventually(async () => (await store.reserve(key, LONG)).state === 'reserved', 5_000, 'the done key expires');
    });

    test('keys are independent: tenants and ids do not share state', async () => {
      const store = await makeStore();
      const a = uniqueKey('acme');
      const id = a.slice(a.lastIndexOf(':') + 1);
      const b = `globex:standardWebhooks:${id}`;
      const r = await store.reserve(a, LONG);
      await store.commit(a, LONG, r.token);
      assert.equal((await store.reserve(b, LONG)).state, 'reserved');
      assert.equal((await store.reserve(uniqueKey('acme'), LONG)).state, 'reserved');
    });

    test('a reserve that names its tenant answers as one without: reserved, in-flight, done', async () => {
      const store = await makeStore();
      const key = uniqueKey('acme');
      const context = { tenant: 'acme' };
      const r = await store.reserve(key, LONG, context);
      assert.equal(r.state, 'reserved');
      assert.deepEqual(await store.reserve(key, LONG, context), { state: 'in-flight' });
      assert.deepEqual(await store.reserve(key, LONG), { state: 'in-flight' }, 'the key is the same with or without the context');
      await store.commit(key, LONG, r.token);
      assert.deepEqual(await store.reserve(key, LONG, context), { state: 'done' });
      const other = uniqueKey('acme');
      const o = await store.reserve(other, LONG, context);
      await store.release(other, o.token);
      assert.equal((await store.reserve(other, LONG, context)).state, 'reserved', 'release frees a key reserved with a context');
    });

    test('100 concurrent reserves of one key: exactly one is reserved', async () => {
      const store = await makeStore();
      const key = uniqueKey();
      const results = await Promise.all(Array.from({ length: 100 }, () => store.reserve(key, LONG)));
      const reserved = results.filter((r) => r.state === 'reserved');
      assert.equal(reserved.length, 1);
      assert.equal(results.filter((r) => r.state === 'in-flight').length, 99);
      await store.commit(key, LONG, reserved[0]!.token);
      const after = await Promise.all(Array.from({ length: 100 }, () => store.reserve(key, LONG)));
      assert.ok(after.every((r) => r.state === 'done'));
    });
  });
}
