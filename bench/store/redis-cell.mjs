// Redis replay store cell (fresh process), against a redis-server the runner started:
//   node bench/store/redis-cell.mjs <port> <pairs> <concurrency>
// reserve+commit pairs per second with <concurrency> requests in flight, as 50 concurrent
// deliveries would drive it.
import { emitResult } from '../lib/child.mjs';
import { drive, reserveCommit } from './drive.mjs';

const [portArg, pairsArg, concArg] = process.argv.slice(2);
const port = Number(portArg);
const pairCount = Number(pairsArg);
const concurrency = Number(concArg);
const RESERVE_TTL = 60_000;
const RETENTION = 24 * 60 * 60 * 1000;

function pairs(store, prefix, total) {
  return drive(total, concurrency, (i) => reserveCommit(store, `-:standardWebhooks:${prefix}_${i}`, RESERVE_TTL, RETENTION));
}

async function main() {
  const { RedisReplayStore } = await import('@hookguard/redis');
  const store = new RedisReplayStore({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 5_000 });
  try {
    const tag = Date.now().toString(36);
    await pairs(store, `warm${tag}`, Math.min(2_000, pairCount));
    const r = await pairs(store, `msg${tag}`, pairCount);
    const again = await store.reserve(`-:standardWebhooks:msg${tag}_0`, RESERVE_TTL);
    if (again.state !== 'done') throw new Error(`a committed key reserved again returned ${again.state}`);
    emitResult({ pairs: pairCount, concurrency, ...r });
  } finally {
    await store.close();
  }
}

main().catch((e) => {
  emitResult({ error: String(e?.message ?? e) });
  process.exitCode = 1;
});
