#!/usr/bin/env node
// Heap bytes per key held by MemoryReplayStore (heapUsed after GC, before and after N committed
// keys, divided by N), and the time of a reserve on a full store. Every case runs in its own node
// process, started here with --expose-gc and stopped when it prints its line.
//
//   npm run build && node scripts/measure-memory.mjs [count=1000000]
//   node --expose-gc scripts/measure-memory.mjs --case <name> [count]     one case
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MemoryReplayStore } from '@hookguard/core';

const RESERVE_TTL = 60_000;
const RETENTION = 24 * 60 * 60 * 1000;
const MiB = 1024 * 1024;

// A key as create-verifier builds it: `<tenant>:<scheme>:i:<id>`, a fresh concatenation per call.
const hex = (i, width) => i.toString(16).padStart(width, '0');
const keys = {
  /** A Standard Webhooks message id (msg_ + 32 hex): 60 characters. */
  typical: (i) => `-:standardWebhooks:i:${Buffer.from(`msg_${hex(i, 32)}`).toString('latin1')}`,
  /** The longest key held as given, one byte per character. */
  max256: (i) => `-:standardWebhooks:i:${Buffer.from(`${hex(i, 8)}${'x'.repeat(256 - 21 - 8)}`).toString('latin1')}`,
  /** The longest key held as given, two bytes per character (any non-Latin-1 character): the worst case. */
  max256wide: (i) => `-:standardWebhooks:i:${`${hex(i, 8)}${'\u20ac'.repeat(256 - 21 - 8)}`}`,
  /** 12 000 characters: held as its digest (257 characters). */
  long12k: (i) => `-:standardWebhooks:i:${hex(i, 8)}${'x'.repeat(12_000)}`,
  /** A 60-character key whose id is a slice of a 12 kB header: the store must not keep the header. */
  sliced: (i) => `-:standardWebhooks:i:${Buffer.from(`msg_${hex(i, 32)}${'x'.repeat(12_000)}`).toString('latin1').slice(0, 36)}`,
};

function heapAfterGc() {
  for (let i = 0; i < 3; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

function memoryCase(name, count) {
  const tenants = name.startsWith('tenants');
  const make = keys[tenants ? 'typical' : name];
  let now = 1_700_000_000_000;
  const store = new MemoryReplayStore({ maxKeys: count, maxKeysPerTenant: count, now: () => now });
  const before = heapAfterGc();
  for (let i = 0; i < count; i++) {
    // tenants: 1 000 tenants in turn, the clock one second on after each round, so every tenant's
    // every key expires in a second of its own: the most its expiry counts can cost.
    const context = tenants ? { tenant: `tenant-${i % 1000}` } : undefined;
    if (tenants && i % 1000 === 0) now += 1000;
    const key = make(i);
    const r = store.reserveSync(key, RESERVE_TTL, context);
    if (r.state !== 'reserved') throw new Error(`key ${i}: ${r.state}`);
    void store.commit(key, RETENTION, r.token);
  }
  const after = heapAfterGc();
  if (store.size !== count) throw new Error(`store holds ${store.size}, expected ${count}`);
  return { name, count, keyLength: make(0).length, bytesPerKey: (after - before) / count };
}

// A full store of done keys, the earliest of which has just expired: that reserve pays the one
// pass over the map (the most any reserve pays); the next ones are refused without a pass. Five
// rounds, one second apart: the first pass runs cold (not yet optimised), the others warm.
function fullCase(count) {
  let now = 1_700_000_000_000;
  const store = new MemoryReplayStore({ maxKeys: count, now: () => now });
  for (let i = 0; i < count; i++) {
    const key = keys.typical(i);
    const r = store.reserveSync(key, RESERVE_TTL, { tenant: `tenant-${i % 1000}` });
    void store.commit(key, i < 5 ? (i + 1) * 1000 : RETENTION, r.token);
  }
  const time = (f) => {
    const t0 = process.hrtime.bigint();
    f();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const passes = [];
  let refusedMax = 0;
  for (let round = 0; round < 5; round++) {
    now += 1000;
    passes.push(time(() => store.reserveSync(`fresh:${round}`, RESERVE_TTL, { tenant: 'tenant-1' })));
    for (let i = 0; i < 1000; i++) {
      const ms = time(() => {
        try {
          store.reserveSync(`fresh:${round}:${i}`, RESERVE_TTL);
          throw new Error('a full store accepted a key');
        } catch (e) {
          if (e.name !== 'ReplayStoreFullError') throw e;
        }
      });
      if (ms > refusedMax) refusedMax = ms;
    }
  }
  return { name: 'full', count, passesMs: passes, refusedMaxMs: refusedMax };
}

const caseAt = process.argv.indexOf('--case');
if (caseAt !== -1) {
  const name = process.argv[caseAt + 1];
  const count = Number(process.argv[caseAt + 2] ?? 1_000_000);
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
  console.log(JSON.stringify(name === 'full' ? fullCase(count) : memoryCase(name, count)));
} else {
  const count = Number(process.argv[2] ?? 1_000_000);
  const self = fileURLToPath(import.meta.url);
  const run = (name, n) => {
    const child = spawnSync(process.execPath, ['--expose-gc', self, '--case', name, String(n)], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`${name}: ${child.stderr}`);
    return JSON.parse(child.stdout);
  };
  console.log(`node ${process.version}, ${count.toLocaleString('en-US')} committed keys per case, heap bytes per key:`);
  const label = {
    typical: 'typical (Standard Webhooks id)',
    max256: 'longest held as given, 1 byte/char',
    max256wide: 'longest held as given, 2 bytes/char',
    long12k: '12 000 chars, held as a digest',
    sliced: 'slice of a 12 kB header',
    tenants: 'typical, 1 000 tenants, worst-case counts',
  };
  for (const name of Object.keys(label)) {
    const r = run(name, count);
    const total = (r.bytesPerKey * count) / MiB;
    console.log(`  ${label[name].padEnd(42)} ${String(r.keyLength).padStart(5)} chars: ${r.bytesPerKey.toFixed(1).padStart(6)} bytes/key, ${total.toFixed(0).padStart(4)} MiB`);
  }
  for (const n of [100_000, count]) {
    const r = run('full', n);
    const [cold, ...warm] = r.passesMs;
    console.log(
      `full store of ${n.toLocaleString('en-US')} keys: the reserve that runs the pass ${cold.toFixed(1)} ms cold, ` +
        `${Math.max(...warm).toFixed(1)} ms at most warm; a refused reserve at most ${r.refusedMaxMs.toFixed(3)} ms`,
    );
  }
}
