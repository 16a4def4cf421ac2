// The load loop of the shared-store cells: `one(i)` for every i < total, `concurrency` in flight
// (each worker takes the next index until total are done: bounded by total), and the figures.

/** Resolves to { opsPerSec, p50Ms, p99Ms } over the `total` calls. */
export async function drive(total, concurrency, one) {
  let next = 0;
  const latencies = new Float64Array(total);
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const t0 = process.hrtime.bigint();
      await one(i);
      latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
  }
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  latencies.sort();
  return { opsPerSec: total / sec, p50Ms: latencies[Math.floor(total * 0.5)], p99Ms: latencies[Math.floor(total * 0.99)] };
}

/** One reserve + commit of a fresh key, as a delivery whose handler succeeds costs a store. */
export async function reserveCommit(store, key, reserveTtlMs, retentionMs) {
  const r = await store.reserve(key, reserveTtlMs);
  if (r.state !== 'reserved') throw new Error(`reserve of a new key returned ${r.state}`);
  await store.commit(key, retentionMs, r.token);
}
