// The tenant cache is internal: imported from the compiled package, not its public entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createVerifier, fromParam, sign, standardWebhooks } from '@hookguard/core';
import { TenantCache } from '../dist/esm/lib/tenant-cache.js';
import { rejectsWith, request, SECRET } from './helpers.js';

const FOUND = 60_000;
const UNKNOWN = 5_000;
const ttlFor = (v: string | undefined) => (v === undefined ? UNKNOWN : FOUND);
const tick = () => new Promise((r) => setImmediate(r));

test('4 000 long unknown ids: once their TTL is over, one more request leaves only itself in the cache', async () => {
  let now = 0;
  const cache = new TenantCache<string | undefined>(10_000, () => now);
  for (let i = 0; i < 4_000; i++) await cache.get(`${i}:${'x'.repeat(12_000)}`, async () => undefined, ttlFor);
  assert.equal(cache.entries, 4_000);
  now = UNKNOWN; // every entry expired (expiresAt = 0 + 5 000)
  await cache.get('one-more', async () => undefined, ttlFor);
  assert.equal(cache.entries, 1);
});

test('unknown ids behind a found one are swept although the found one, older, is still live', async () => {
  let now = 0;
  const cache = new TenantCache<string | undefined>(10_000, () => now);
  await cache.get('acme', async () => 'config', ttlFor);
  for (let i = 0; i < 100; i++) await cache.get(`nobody${i}`, async () => undefined, ttlFor);
  now = UNKNOWN;
  await cache.get('trigger', async () => undefined, ttlFor);
  assert.equal(cache.entries, 2, 'acme (live until 60 000) and trigger');
  assert.equal(cache.peek('acme')?.resolved, 'config');
  now = FOUND;
  await cache.get('trigger2', async () => undefined, ttlFor);
  assert.equal(cache.entries, 1, 'acme and trigger have expired too');
});

test('ids over 256 characters are held as a digest: same id one entry, different ids apart', async () => {
  const cache = new TenantCache<string | undefined>(10, () => 0);
  const long = 't'.repeat(5_000);
  let loads = 0;
  await cache.get(long, async () => (loads++, 'a'), ttlFor);
  await cache.get(long.slice(0, 2_000) + long.slice(2_000), async () => (loads++, 'b'), ttlFor);
  assert.equal(loads, 1);
  assert.equal(cache.peek(long)?.resolved, 'a');
  assert.equal(cache.peek(`${long}u`), undefined);
  cache.delete(long);
  assert.equal(cache.peek(long), undefined);
  assert.equal(cache.entries, 0);
});

test('size bound: the oldest entry goes; one evicted while loading is not kept when it settles', async () => {
  const cache = new TenantCache<string | undefined>(2, () => 0);
  let resolveA!: (v: string) => void;
  const a = cache.get('a', () => new Promise<string>((r) => (resolveA = r)), ttlFor);
  await cache.get('b', async () => 'b', ttlFor);
  await cache.get('c', async () => 'c', ttlFor); // evicts a, still loading
  resolveA('a');
  assert.equal(await a, 'a');
  await tick();
  assert.equal(cache.entries, 2);
  assert.equal(cache.peek('a'), undefined);
  assert.equal(cache.peek('b')?.resolved, 'b');
});

test('through createVerifier: an unknown tenant is looked up again after negativeCacheTtlMs, a found one after cacheTtlMs', async () => {
  let now = 1_700_000_000_000;
  const lookups: string[] = [];
  const v = createVerifier({
    scheme: standardWebhooks({ secret: SECRET }),
    now: () => now,
    replay: false,
    tenants: { resolve: fromParam(), cacheTtlMs: 60_000, negativeCacheTtlMs: 5_000, lookup: (id) => (lookups.push(id), id === 'acme' ? {} : undefined) },
  });
  const body = '{"a":1}';
  const deliver = (tenant: string) => v.verify(request(sign.standardWebhooks({ secret: SECRET, body, timestamp: Math.floor(now / 1000) }), body, { params: { tenant } }));
  await deliver('acme');
  await rejectsWith(deliver('ghost'), 'UNKNOWN_TENANT');
  await rejectsWith(deliver('ghost'), 'UNKNOWN_TENANT');
  assert.deepEqual(lookups, ['acme', 'ghost']);
  now += 5_000;
  await rejectsWith(deliver('ghost'), 'UNKNOWN_TENANT');
  await deliver('acme');
  assert.deepEqual(lookups, ['acme', 'ghost', 'ghost']);
  now += 55_000;
  await deliver('acme');
  assert.deepEqual(lookups, ['acme', 'ghost', 'ghost', 'acme']);
});
