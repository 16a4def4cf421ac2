import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createVerifier, fromParam, MemoryReplayStore, ReplayStoreFullError, sign, standardWebhooks } from '@hookguard/core';
import { rejectsWith, request, SECRET } from './helpers.js';

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

// --- Bounded in bytes ---

const digestForm = (key: string) => '#'.repeat(214) + createHash('sha256').update(key, 'utf16le').digest('base64url');

test('a key over 256 characters is held as a fixed-size digest: same key same entry, other keys apart', async () => {
  const s = new MemoryReplayStore();
  const long = `acme:standardWebhooks:${'x'.repeat(12_000)}`;
  const r = await s.reserve(long, 1000);
  assert.equal(r.state, 'reserved');
  assert.deepEqual(await s.reserve(`${long.slice(0, 100)}${long.slice(100)}`, 1000), { state: 'in-flight' }, 'the same characters, built another way');
  await s.commit(long, 60_000, r.token);
  assert.deepEqual(await s.reserve(long, 1000), { state: 'done' });
  assert.equal((await s.reserve(`${long}y`, 1000)).state, 'reserved', 'one more character is another key');
  assert.equal((await s.reserve('x'.repeat(256), 1000)).state, 'reserved', '256 characters are held as given');
  // The held digest form is 257 characters, so spelling it out is itself a long key: it never
  // reaches the entry of the key it is the digest of.
  assert.equal((await s.reserve(digestForm(long), 1000)).state, 'reserved');
  assert.equal(s.size, 4);
});

test('long keys differing only in lone surrogates are distinct (hashed as UTF-16, not UTF-8)', async () => {
  const s = new MemoryReplayStore();
  const base = 'k'.repeat(300);
  assert.equal((await s.reserve(`${base}\uD800`, 1000)).state, 'reserved');
  assert.equal((await s.reserve(`${base}\uDC00`, 1000)).state, 'reserved');
  assert.equal((await s.reserve(`${base}\uFFFD`, 1000)).state, 'reserved');
});

// --- Per-tenant share ---

test('maxKeysPerTenant: a quarter of maxKeys by default; a positive integer', () => {
  assert.equal(new MemoryReplayStore().maxKeysPerTenant, 25_000);
  assert.equal(new MemoryReplayStore({ maxKeys: 10 }).maxKeysPerTenant, 2);
  assert.equal(new MemoryReplayStore({ maxKeys: 3 }).maxKeysPerTenant, 1);
  assert.equal(new MemoryReplayStore({ maxKeys: 10, maxKeysPerTenant: 7 }).maxKeysPerTenant, 7);
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new MemoryReplayStore({ maxKeysPerTenant: bad }), RangeError);
});

test('a tenant at its share is refused; other tenants and tenant-less keys keep working; its duplicates are answered', async () => {
  const s = new MemoryReplayStore({ maxKeys: 100, maxKeysPerTenant: 3 });
  const a = { tenant: 'a' };
  const tokens: string[] = [];
  for (const id of ['1', '2', '3']) tokens.push((await s.reserve(`a:${id}`, 60_000, a)).token!);
  await assert.rejects(s.reserve('a:4', 60_000, a), (e: unknown) => e instanceof ReplayStoreFullError && /tenant/.test(e.message));
  assert.equal((await s.reserve('b:1', 60_000, { tenant: 'b' })).state, 'reserved');
  assert.equal((await s.reserve('-:1', 60_000)).state, 'reserved', 'no tenant: not subject to a share');
  assert.equal((await s.reserve('-:2', 60_000, {})).state, 'reserved', 'a context without a tenant: not subject to a share');
  assert.deepEqual(await s.reserve('a:1', 60_000, a), { state: 'in-flight' }, 'a duplicate is answered, not refused');
  await s.commit('a:1', 60_000, tokens[0]);
  assert.deepEqual(await s.reserve('a:1', 60_000, a), { state: 'done' });
  await assert.rejects(s.reserve('a:4', 60_000, a), ReplayStoreFullError, 'commit keeps the count: a done key is still held');
  await s.release('a:1', tokens[0]);
  await assert.rejects(s.reserve('a:4', 60_000, a), ReplayStoreFullError, 'release of a done key changes nothing');
  await s.release('a:2', 'not-the-token');
  await assert.rejects(s.reserve('a:4', 60_000, a), ReplayStoreFullError, 'a release by another owner changes nothing');
  await s.release('a:2', tokens[1]);
  assert.equal((await s.reserve('a:4', 60_000, a)).state, 'reserved', 'release of an in-flight key frees its place');
  await assert.rejects(s.reserve('a:5', 60_000, a), ReplayStoreFullError);
});

test('a tenant gets its place back when its keys expire, though the map still holds them (lazy expiry)', async () => {
  let now = 1_000;
  const s = new MemoryReplayStore({ maxKeys: 100, maxKeysPerTenant: 2, now: () => now });
  const a = { tenant: 'a' };
  const r1 = await s.reserve('a:1', 60_000, a);
  await s.commit('a:1', 5_000, r1.token); // done until 6 000 (whole seconds after the epoch)
  await s.reserve('a:2', 2_000, a); // in flight until 3 000, never settled (a crashed handler)
  await assert.rejects(s.reserve('a:3', 60_000, a), ReplayStoreFullError);
  now = 2_999;
  await assert.rejects(s.reserve('a:3', 60_000, a), ReplayStoreFullError, 'the reservation is still live');
  now = 3_000;
  const r3 = await s.reserve('a:3', 60_000, a);
  assert.equal(r3.state, 'reserved', 'the expired reservation left the count on time');
  assert.equal(s.size, 3, 'its entry is still in the map: the count did not wait for it');
  await assert.rejects(s.reserve('a:4', 60_000, a), ReplayStoreFullError);
  now = 6_000;
  assert.equal((await s.reserve('a:4', 60_000, a)).state, 'reserved', 'the done key left the count when it expired');
});

test('the per-tenant count does not drift: 1 000 rounds of commit, release and abandoned reservations, then a full share', async () => {
  let now = 0;
  const share = 3;
  const s = new MemoryReplayStore({ maxKeys: 1_000_000, maxKeysPerTenant: share, now: () => now });
  const t = { tenant: 't' };
  let n = 0;
  for (let round = 0; round < 1_000; round++) {
    const committed = await s.reserve(`t:${n++}`, 500, t);
    const released = await s.reserve(`t:${n++}`, 500, t);
    const abandoned = await s.reserve(`t:${n++}`, 500, t);
    assert.equal(committed.state + released.state + abandoned.state, 'reservedreservedreserved', `round ${round}`);
    await s.commit(`t:${n - 3}`, 1_000, committed.token);
    await s.release(`t:${n - 2}`, released.token);
    void abandoned;
    now += 1_000; // past every TTL of this round
  }
  // Every key of every round has expired: the tenant holds nothing, so it gets its whole share.
  for (let i = 0; i < share; i++) assert.equal((await s.reserve(`t:last${i}`, 500, t)).state, 'reserved');
  await assert.rejects(s.reserve('t:over', 500, t), ReplayStoreFullError);
  assert.ok(s.size > 1_000, 'the map still holds lazily expired entries the count no longer includes');
});

test('tenant names over 256 characters are bounded too, and stay apart', async () => {
  const s = new MemoryReplayStore({ maxKeys: 100, maxKeysPerTenant: 1 });
  const t1 = { tenant: `${'t'.repeat(1000)}1` };
  const t2 = { tenant: `${'t'.repeat(1000)}2` };
  assert.equal((await s.reserve('k1', 1000, t1)).state, 'reserved');
  await assert.rejects(s.reserve('k2', 1000, t1), ReplayStoreFullError);
  assert.equal((await s.reserve('k3', 1000, t2)).state, 'reserved');
});

// --- A full store reclaims expired keys before it refuses ---

test('full of reservations with staggered expiries: each one is reclaimed the moment it expires', async () => {
  let now = 0;
  const s = new MemoryReplayStore({ maxKeys: 50, now: () => now });
  for (let i = 0; i < 50; i++) {
    now = i;
    await s.reserve(`k${i}`, 1_000);
  }
  for (let i = 0; i < 50; i++) {
    now = 1_000 + i; // k<i> expires now
    assert.equal((await s.reserve(`new${i}`, 1_000)).state, 'reserved', `at ${now}`);
    await assert.rejects(s.reserve(`more${i}`, 1_000), ReplayStoreFullError, 'exactly one place was free');
  }
});

test('reservations with different TTLs: the shorter is reclaimed though it was made after a longer one', async () => {
  let now = 0;
  const s = new MemoryReplayStore({ maxKeys: 2, now: () => now });
  await s.reserve('long', 60_000);
  await s.reserve('short', 10);
  await assert.rejects(s.reserve('x', 10), ReplayStoreFullError);
  now = 10;
  assert.equal((await s.reserve('x', 10)).state, 'reserved');
  assert.deepEqual(await s.reserve('long', 10), { state: 'in-flight' });
});

test('full of done keys: reclaimed once they expire, also after a commit with a TTL shorter than any before', async () => {
  let now = 0;
  const s = new MemoryReplayStore({ maxKeys: 2, now: () => now });
  const a = await s.reserve('a', 1_000);
  await s.commit('a', 86_400_000, a.token);
  const b = await s.reserve('b', 1_000);
  await s.commit('b', 50, b.token); // done until 1 000 (whole seconds)
  await assert.rejects(s.reserve('c', 1_000), ReplayStoreFullError);
  now = 999;
  await assert.rejects(s.reserve('c', 1_000), ReplayStoreFullError, 'b is still remembered');
  now = 1_000;
  const c = await s.reserve('c', 1_000);
  assert.equal(c.state, 'reserved');
  await s.commit('c', 3_000, c.token);
  await assert.rejects(s.reserve('d', 1_000), ReplayStoreFullError);
  now = 4_000;
  assert.equal((await s.reserve('d', 1_000)).state, 'reserved');
  assert.deepEqual(await s.reserve('a', 1_000), { state: 'done' }, 'a live done key survived both passes');
});

// --- Through the verifier ---

test('createVerifier: a tenant that fills its share gets REPLAY_STORE_UNAVAILABLE; another tenant is still accepted', async () => {
  const store = new MemoryReplayStore({ maxKeys: 100, maxKeysPerTenant: 2 });
  const v = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), tenants: { resolve: fromParam(), lookup: () => ({}) }, replay: { store } });
  const body = '{"type":"ping"}';
  const deliver = (tenant: string, id: string) => v.verify(request(sign.standardWebhooks({ secret: SECRET, body, id }), body, { params: { tenant } }));
  await (await deliver('greedy', 'msg_1')).commit();
  await deliver('greedy', 'msg_2'); // in flight
  const e = await rejectsWith(deliver('greedy', 'msg_3'), 'REPLAY_STORE_UNAVAILABLE');
  assert.equal(e.status, 503);
  assert.ok(e.cause instanceof ReplayStoreFullError);
  await rejectsWith(deliver('greedy', 'msg_1'), 'DUPLICATE'); // its processed messages are still acknowledged
  const other = await deliver('polite', 'msg_3');
  assert.equal(other.tenant, 'polite');
  await other.commit();
  await rejectsWith(deliver('polite', 'msg_3'), 'DUPLICATE');
});
