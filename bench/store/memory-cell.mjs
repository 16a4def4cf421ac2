// Memory replay store cells, each in a fresh process:
//   node bench/store/memory-cell.mjs throughput <keys> [--sync]   reserve+commit pairs per second
//                                                                 (--sync: reserveSync + commit, as the verifier calls it)
//   node --expose-gc bench/store/memory-cell.mjs memory <keys>    heap bytes per remembered key
//   node --expose-gc bench/store/memory-cell.mjs keys <keys>      heap bytes of the key strings alone
// Keys look like the verifier's: `<tenant or ->:<scheme>:<message id>`.
import { pathToFileURL } from 'node:url';
import { emitResult } from '../lib/child.mjs';

// BENCH_CORE=<dist/esm/index.js>: measure that build of core instead of the workspace's.
const CORE = process.env.BENCH_CORE ? pathToFileURL(process.env.BENCH_CORE).href : '@hookguard/core';

const [mode, countArg] = process.argv.slice(2);
const sync = process.argv.includes('--sync');
const count = Number(countArg);
const RESERVE_TTL = 60_000;
const RETENTION = 24 * 60 * 60 * 1000;

// A message id as a request header gives it: `msg_` + 32 hex digits, decoded from bytes into one
// flat string (as Node's HTTP parser does).
const ID_BYTES = Buffer.from(`msg_${'0'.repeat(32)}`, 'latin1');
function messageId(i) {
  const hex = i.toString(16);
  ID_BYTES.write(hex, ID_BYTES.length - hex.length, 'latin1');
  return ID_BYTES.toString('latin1');
}
const tenantId = undefined;
const scheme = 'standardWebhooks';
// The key exactly as core's create-verifier.ts builds it.
function keyOf(identity) {
  const key = `${tenantId === undefined ? '-' : encodeURIComponent(tenantId)}:${scheme}:${identity}`;
  key.charCodeAt(0); // flattened, as create-verifier.ts does
  return key;
}
const replayKey = (i) => keyOf(messageId(i));

function heapAfterGc() {
  for (let i = 0; i < 3; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

// As the verifier calls it: reserveSync() before the handler; commit() after it, whose promise
// (already settled) the adapter awaits later, off this path.
function reserveCommitSync(store, key) {
  const r = store.reserveSync(key, RESERVE_TTL);
  if (r.state !== 'reserved') throw new Error(`reserve of a new key returned ${r.state}`);
  void store.commit(key, RETENTION, r.token);
}

// Through the ReplayStore interface, as any other store is called: each step awaited.
async function reserveCommit(store, key) {
  const r = await store.reserve(key, RESERVE_TTL);
  if (r.state !== 'reserved') throw new Error(`reserve of a new key returned ${r.state}`);
  await store.commit(key, RETENTION, r.token);
}

async function main() {
  if (!Number.isInteger(count) || count <= 0) throw new Error('usage: memory-cell.mjs <throughput|memory|keys> <keys>');
  const { MemoryReplayStore } = await import(CORE);

  if (mode === 'throughput') {
    // Warm-up on its own store, then the timed run over pre-built keys (key building not timed).
    const warm = new MemoryReplayStore({ maxKeys: 20_001 });
    for (let i = 0; i < 20_000; i++) sync ? reserveCommitSync(warm, `warm:${i}`) : await reserveCommit(warm, `warm:${i}`);
    // The message ids are pre-built (a request brings its own); each key is built from its id in the
    // timed loop, as the verifier builds and flattens it per delivery, so it is garbage after the
    // commit as the verifier's is (a pre-built array of keys would keep every key twice).
    const ids = new Array(count);
    for (let i = 0; i < count; i++) ids[i] = messageId(i);
    const store = new MemoryReplayStore({ maxKeys: count + 1 });
    const t0 = process.hrtime.bigint();
    if (sync) for (let i = 0; i < count; i++) reserveCommitSync(store, keyOf(ids[i]));
    else for (let i = 0; i < count; i++) await reserveCommit(store, keyOf(ids[i]));
    const ns = Number(process.hrtime.bigint() - t0);
    // Correctness: a committed key is now a duplicate, and the store holds every key.
    const again = await store.reserve(keyOf(ids[count >> 1]), RESERVE_TTL);
    if (again.state !== 'done') throw new Error(`a committed key reserved again returned ${again.state}`);
    if (store.size !== count) throw new Error(`store holds ${store.size} keys, expected ${count}`);
    emitResult({ mode, count, sync, opsPerSec: count / (ns / 1e9), nsPerOp: ns / count });
    return;
  }

  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
  if (mode === 'memory') {
    const before = heapAfterGc();
    const store = new MemoryReplayStore({ maxKeys: count + 1 });
    for (let i = 0; i < count; i++) await reserveCommit(store, replayKey(i));
    const after = heapAfterGc();
    if (store.size !== count) throw new Error(`store holds ${store.size} keys, expected ${count}`);
    emitResult({ mode, count, bytesPerKey: (after - before) / count, keyLength: replayKey(0).length, heapBefore: before, heapAfter: after });
    return;
  }
  if (mode === 'keys') {
    // The same key strings held in a pre-sized array (8 bytes a slot, subtracted).
    const before = heapAfterGc();
    const keys = new Array(count);
    for (let i = 0; i < count; i++) keys[i] = replayKey(i);
    // Flatten as a Map insertion would (hashing a cons string flattens it).
    const probe = new Map();
    for (let i = 0; i < count; i++) probe.set(keys[i], 0), probe.delete(keys[i]);
    const after = heapAfterGc();
    emitResult({ mode, count, bytesPerKey: (after - before) / count - 8, keyLength: keys[0].length });
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

main().catch((e) => {
  emitResult({ mode, error: String(e?.message ?? e) });
  process.exitCode = 1;
});
