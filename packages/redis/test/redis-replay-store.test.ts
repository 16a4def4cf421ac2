// RedisReplayStore against a real redis-server: the shared contract, the stored shape, options,
// script reload, timeouts and a closed client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { WebhookConfigError } from '@hookguard/core';
import { RedisReplayStore, RedisReplayStoreError } from '@hookguard/redis';
import { describeWithRedis, eventually, RedisServer, rejection, replayStoreContract, uniqueKey } from '@hookguard/testkit';

describeWithRedis('RedisReplayStore', () => {
  let server: RedisServer;
  let client: Redis;
  let admin: Redis;

  before(async () => {
    server = await RedisServer.start();
    client = new Redis(server.url, { lazyConnect: true });
    admin = new Redis(server.url, { lazyConnect: true });
    await client.connect();
    await admin.connect();
  });
  after(async () => {
    client?.disconnect();
    admin?.disconnect();
    await server?.stop();
  });

  replayStoreContract('RedisReplayStore (ioredis Redis)', () => new RedisReplayStore({ client }));

  test('stores f:<token> with the in-flight TTL, then d with the retention TTL, under a {tenant} hash-tagged key', async () => {
    const store = new RedisReplayStore({ client });
    const key = uniqueKey('acme');
    const redisKey = store.keyFor(key);
    assert.equal(redisKey, `hookguard:{acme}:${key.slice('acme:'.length)}`);
    const r = await store.reserve(key, 30_000);
    assert.equal(await admin.get(redisKey), `f:${r.token}`);
    const inFlightTtl = await admin.pttl(redisKey);
    assert.ok(inFlightTtl > 0 && inFlightTtl <= 30_000, `in-flight PTTL ${inFlightTtl}`);
    await store.commit(key, 86_400_000, r.token);
    assert.equal(await admin.get(redisKey), 'd');
    const doneTtl = await admin.pttl(redisKey);
    assert.ok(doneTtl > 30_000 && doneTtl <= 86_400_000, `done PTTL ${doneTtl}`);
  });

  test('release deletes the key', async () => {
    const store = new RedisReplayStore({ client });
    const key = uniqueKey();
    const r = await store.reserve(key, 30_000);
    await store.release(key, r.token);
    assert.equal(await admin.exists(store.keyFor(key)), 0);
  });

  test('keyPrefix is used as given; keys without a tenant are tagged {-}', async () => {
    const store = new RedisReplayStore({ client, keyPrefix: 'app1:replay:' });
    assert.equal(store.keyFor('-:github:delivery-1'), 'app1:replay:{-}:github:delivery-1');
    assert.equal(store.keyFor('no-colon'), 'app1:replay:{no-colon}');
    const key = `-:github:${uniqueKey().slice(-16)}`;
    const r = await store.reserve(key, 30_000);
    assert.equal(await admin.get(store.keyFor(key)), `f:${r.token}`);
  });

  test('misconfiguration throws WebhookConfigError at construction', () => {
    const cases: unknown[] = [
      undefined,
      {},
      { client, url: server.url },
      { client, keyPrefix: 'app{1}:' },
      { client, commandTimeoutMs: 0 },
      { client, commandTimeoutMs: Number.NaN },
      { client: {} },
      { client, redisOptions: { db: 1 } },
    ];
    for (const options of cases) {
      assert.throws(() => new RedisReplayStore(options as never), (e: unknown) => e instanceof WebhookConfigError && e.code === 'INVALID_CONFIGURATION', JSON.stringify(Object.keys(options ?? {})));
    }
  });

  test('a TTL that is not a positive number rejects with RangeError', async () => {
    const store = new RedisReplayStore({ client });
    assert.ok((await rejection(store.reserve(uniqueKey(), 0))) instanceof RangeError);
    assert.ok((await rejection(store.reserve(uniqueKey(), Number.NaN))) instanceof RangeError);
    assert.ok((await rejection(store.commit(uniqueKey(), -1, 'x'))) instanceof RangeError);
  });

  test('{ url }: the store creates its client, works, and close() quits it', async () => {
    const store = new RedisReplayStore({ url: server.url });
    const key = uniqueKey();
    const r = await store.reserve(key, 30_000);
    assert.equal(r.state, 'reserved');
    await store.commit(key, 30_000, r.token);
    assert.equal(await admin.get(store.keyFor(key)), 'd');
    await store.close();
    assert.equal(store.client.status, 'end');
    await store.close();
    const e = await rejection(store.reserve(uniqueKey(), 30_000));
    assert.ok(e instanceof RedisReplayStoreError);
    assert.match(e.message, /redis client is end/);
  });

  test('close() leaves a client you passed in open', async () => {
    const store = new RedisReplayStore({ client });
    await store.close();
    assert.equal(client.status, 'ready');
    assert.equal((await store.reserve(uniqueKey(), 30_000)).state, 'reserved');
  });

  test('SCRIPT FLUSH (or a restarted Redis) is survived: scripts are reloaded on NOSCRIPT', async () => {
    const store = new RedisReplayStore({ client });
    const key = uniqueKey();
    const r = await store.reserve(key, 30_000);
    await admin.script('FLUSH');
    await store.commit(key, 30_000, r.token);
    await admin.script('FLUSH');
    assert.deepEqual(await store.reserve(key, 30_000), { state: 'done' });
  });

  test('a closed client rejects at once with RedisReplayStoreError', async () => {
    const closed = new Redis(server.url, { lazyConnect: true });
    await closed.connect();
    closed.disconnect();
    await eventually(async () => closed.status === 'end', 5_000, 'the client closes');
    const store = new RedisReplayStore({ client: closed });
    for (const call of [store.reserve(uniqueKey(), 30_000), store.commit(uniqueKey(), 30_000, 't'), store.release(uniqueKey(), 't')]) {
      const e = await rejection(call);
      assert.ok(e instanceof RedisReplayStoreError);
      assert.match(e.message, /redis client is end/);
    }
  });

  test('a Redis that does not answer in time: reserve rejects, and the late reservation is undone', async () => {
    const slow = new Redis(server.url, { lazyConnect: true });
    await slow.connect();
    try {
      const store = new RedisReplayStore({ client: slow, commandTimeoutMs: 100 });
      const key = uniqueKey();
      // Load the scripts first, so the paused call is the reservation itself.
      await store.release(uniqueKey(), 't');
      // Redis holds every client's commands for 1.5 s; ours reach it after the store gave up.
      await admin.client('PAUSE', 1500, 'ALL');
      const e = await rejection(store.reserve(key, 60_000));
      assert.ok(e instanceof RedisReplayStoreError);
      assert.match(e.message, /no answer from redis within 100 ms/);
      // Once Redis resumes, the queued reservation runs and the compensating release right after
      // it: the key is free again long before the 60 s in-flight TTL.
      const check = new RedisReplayStore({ client });
      await eventually(async () => (await check.reserve(key, 60_000)).state === 'reserved', 10_000, 'the late reservation is released');
    } finally {
      slow.disconnect();
    }
  });

  test('the undo of a late reserve works in either order, whoever else holds the key meanwhile', async () => {
    const store = new RedisReplayStore({ client });
    const scripts = client as unknown as Record<string, (key: string, ...args: string[]) => Promise<unknown>>;
    const reserve = (k: string, token: string) => scripts.hookguardReplayReserve!(k, marker(k, token), token, '60000');
    const cancel = (k: string, token: string) => scripts.hookguardReplayCancel!(k, marker(k, token), token, '60000');
    const marker = (k: string, token: string) => `${k.slice(0, k.indexOf('}') + 1)}!c:${token}`;
    const key = uniqueKey();
    const redisKey = store.keyFor(key);
    // ioredis Cluster retries commands around a failover one by one: the cancel may reach Redis
    // first, even while another given-up reservation holds the key (and is cancelled in turn).
    assert.equal(await reserve(redisKey, 'other-late'), 'reserved');
    assert.equal(await cancel(redisKey, 'late'), 0, 'not ours: left alone, and our reserve is marked');
    const markerTtl = await admin.pttl(marker(redisKey, 'late'));
    assert.ok(markerTtl > 0 && markerTtl <= 60_000, `marker PTTL ${markerTtl}`);
    assert.equal(await cancel(redisKey, 'other-late'), 1, 'the other reservation is cancelled');
    assert.equal(await admin.exists(redisKey), 0);
    assert.equal(await reserve(redisKey, 'late'), 'in-flight', 'the late reserve does not land');
    assert.equal(await admin.exists(redisKey), 0);
    // The marker holds back only that token: the sender's retry is reserved at once, and runs as usual.
    const retry = await store.reserve(key, 60_000);
    assert.equal(retry.state, 'reserved');
    assert.equal(await cancel(redisKey, 'late'), 0);
    assert.equal(await admin.get(redisKey), `f:${retry.token}`, "another owner's reservation is left alone");
    await store.commit(key, 60_000, retry.token);
    assert.deepEqual(await store.reserve(key, 60_000), { state: 'done' });
    // In the usual order (the reserve first) the cancel deletes the reservation.
    const otherKey = store.keyFor(uniqueKey());
    assert.equal(await reserve(otherKey, 'tok'), 'reserved');
    assert.equal(await cancel(otherKey, 'tok'), 1);
    assert.equal(await admin.exists(otherKey), 0);
  });
});
