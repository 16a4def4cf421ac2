// Redis replay store cell (fresh process), against a redis-server the runner started:
//   node bench/store/redis-cell.mjs <port> <pairs> <concurrency>
// reserve+commit pairs per second with <concurrency> requests in flight, as 50 concurrent
// deliveries would drive it.
import { emitResult } from '../lib/child.mjs';

const [portArg, pairsArg, concArg] = process.argv.slice(2);
const port = Number(portArg);
const pairs = Number(pairsArg);
const concurrency = Number(concArg);
const RESERVE_TTL = 60_000;
const RETENTION = 24 * 60 * 60 * 1000;

async function drive(store, prefix, total) {
  let next = 0;
  const latencies = new Float64Array(total);
  async function worker() {
    // Each worker takes the next key until `total` are done: bounded by total.
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const key = `-:standardWebhooks:${prefix}_${i}`;
      const t0 = process.hrtime.bigint();
      const r = await store.reserve(key, RESERVE_TTL);
      if (r.state !== 'reserved') throw new Error(`reserve of a new key returned ${r.state}`);
      await store.commit(key, RETENTION, r.token);
      latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
  }
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  latencies.sort();
  return { opsPerSec: total / sec, p50Ms: latencies[Math.floor(total * 0.5)], p99Ms: latencies[Math.floor(total * 0.99)] };
}

async function main() {
  const { RedisReplayStore } = await import('@hookguard/redis');
  const store = new RedisReplayStore({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 5_000 });
  try {
    const tag = Date.now().toString(36);
    await drive(store, `warm${tag}`, Math.min(2_000, pairs));
    const r = await drive(store, `msg${tag}`, pairs);
    const again = await store.reserve(`-:standardWebhooks:msg${tag}_0`, RESERVE_TTL);
    if (again.state !== 'done') throw new Error(`a committed key reserved again returned ${again.state}`);
    emitResult({ pairs, concurrency, ...r });
  } finally {
    await store.close();
  }
}

main().catch((e) => {
  emitResult({ error: String(e?.message ?? e) });
  process.exitCode = 1;
});
