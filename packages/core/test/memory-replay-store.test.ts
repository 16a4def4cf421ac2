import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryReplayStore, ReplayStoreFullError } from '@hookguard/core';

test('states: reserved with a token, in flight, done; lazy expiry', async () => {
  let now = 1000;
  const s = new MemoryReplayStore({ now: () => now });
  const r = await s.reserve('k', 100);
  assert.equal(r.state, 'reserved');
  assert.ok(r.token);
  assert.equal((await s.reserve('k', 100)).state, 'in-flight');
  now += 101;
  const r2 = await s.reserve('k', 100);
  assert.equal(r2.state, 'reserved', 'an expired reservation frees the key (crashed handler)');
  await s.commit('k', 50, r.token); // the old owner lost the key: no effect
  assert.equal((await s.reserve('k', 100)).state, 'in-flight');
  await s.commit('k', 50, r2.token);
  assert.equal((await s.reserve('k', 100)).state, 'done');
  now += 51;
  // Processed keys expire on whole seconds, rounded up: a key is never forgotten early.
  assert.equal((await s.reserve('k', 100)).state, 'done', 'retention rounds up to the next second');
  now += 1000;
  assert.equal((await s.reserve('k', 100)).state, 'reserved');
});

test('release frees only an in-flight key, only for its owner', async () => {
  const s = new MemoryReplayStore();
  const r = await s.reserve('k', 1000);
  await s.release('k', 'not-the-token');
  assert.equal((await s.reserve('k', 1000)).state, 'in-flight');
  await s.release('k', r.token);
  const again = await s.reserve('k', 1000);
  assert.equal(again.state, 'reserved');
  await s.commit('k', 1000, again.token);
  await s.release('k', again.token);
  assert.equal((await s.reserve('k', 1000)).state, 'done', 'release never forgets a committed key');
});

test('bounded: full of live keys it refuses; expired keys are swept to make room', async () => {
  let now = 0;
  const s = new MemoryReplayStore({ maxKeys: 3, now: () => now });
  await s.reserve('a', 10);
  await s.reserve('b', 10);
  await s.reserve('c', 1000);
  await assert.rejects(s.reserve('d', 10), ReplayStoreFullError);
  now = 11;
  assert.equal((await s.reserve('d', 10)).state, 'reserved');
  assert.equal(s.size, 2);
  assert.equal((await s.reserve('c', 10)).state, 'in-flight', 'a live key survived the sweep');
});

test('100 concurrent reserves of one key: exactly one reservation', async () => {
  const s = new MemoryReplayStore();
  const results = await Promise.all(Array.from({ length: 100 }, () => s.reserve('same', 1000)));
  assert.equal(results.filter((r) => r.state === 'reserved').length, 1);
  assert.equal(results.filter((r) => r.state === 'in-flight').length, 99);
});

test('a commit after the in-flight TTL ran out does nothing, as in Redis', async () => {
  let now = 0;
  const s = new MemoryReplayStore({ now: () => now });
  const r = await s.reserve('k', 10);
  now = 11;
  await s.commit('k', 1000, r.token);
  assert.equal((await s.reserve('k', 10)).state, 'reserved');
});

test('a clock that is not usable fails closed; the constructor does not call the clock', async () => {
  let now: number | undefined;
  let calls = 0;
  const s = new MemoryReplayStore({
    now: () => {
      calls++;
      return now as number;
    },
  });
  assert.equal(calls, 0, 'the constructor does not read the clock');
  await assert.rejects(s.reserve('k', 1000), RangeError, 'no time, no verdict: refuse');
  now = 5_000;
  const r = await s.reserve('k', 1000);
  assert.equal(r.state, 'reserved');
  await s.commit('k', 60_000, r.token);
  now = Number.NaN;
  await assert.rejects(s.reserve('k', 1000), RangeError, 'a NaN clock never turns a processed key into a new one');
  now = 6_000;
  assert.equal((await s.reserve('k', 1000)).state, 'done');
});
