// Section 3: replay stores. The memory store always; the Redis store only when
// packages/redis/dist exists and a redis-server binary is on PATH (our own server, on a free
// loopback port, no persistence, stopped by PID); the PostgreSQL store only when
// packages/postgres/dist exists and PostgreSQL's binaries are found (testkit's PostgresServer:
// initdb in a temp folder, loopback, fsync off, stopped by PID).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { runCell, stopChild } from '../lib/child.mjs';

const MEMORY = fileURLToPath(new URL('./memory-cell.mjs', import.meta.url));
const REDIS = fileURLToPath(new URL('./redis-cell.mjs', import.meta.url));
const REDIS_DIST = fileURLToPath(new URL('../../packages/redis/dist/esm/index.js', import.meta.url));
const POSTGRES = fileURLToPath(new URL('./postgres-cell.mjs', import.meta.url));
const POSTGRES_DIST = fileURLToPath(new URL('../../packages/postgres/dist/esm/index.js', import.meta.url));

function cellError(name, run) {
  return `${name}: ${run.result?.error ?? (run.timedOut ? 'timed out' : `exit ${run.code ?? run.signal}: ${run.stderr.trim().split('\n').slice(-2).join(' | ')}`)}`;
}

async function memoryStore({ quick, log }) {
  const keys = quick ? 20_000 : 1_000_000;
  const failures = [];
  const out = { keys };
  // Two figures: as the verifier calls the memory store (reserveSync, then commit), which is the
  // target's, and through the promise interface every store has (each step awaited).
  const tp = await runCell(MEMORY, ['throughput', String(keys), '--sync'], { timeoutMs: 120_000 });
  if (tp.result && !tp.result.error && tp.code === 0) out.opsPerSec = tp.result.opsPerSec;
  else failures.push(cellError('memory store throughput', tp));
  const tpa = await runCell(MEMORY, ['throughput', String(keys)], { timeoutMs: 120_000 });
  if (tpa.result && !tpa.result.error && tpa.code === 0) out.opsPerSecAwaited = tpa.result.opsPerSec;
  else failures.push(cellError('memory store throughput (awaited)', tpa));
  const mem = await runCell(MEMORY, ['memory', String(keys)], { execArgv: ['--expose-gc'], timeoutMs: 120_000 });
  if (mem.result && !mem.result.error && mem.code === 0) Object.assign(out, { bytesPerKey: mem.result.bytesPerKey, keyLength: mem.result.keyLength });
  else failures.push(cellError('memory store bytes per key', mem));
  const ks = await runCell(MEMORY, ['keys', String(keys)], { execArgv: ['--expose-gc'], timeoutMs: 120_000 });
  if (ks.result && !ks.result.error && ks.code === 0) out.keyStringBytes = ks.result.bytesPerKey;
  else failures.push(cellError('memory store key strings', ks));
  if (out.bytesPerKey !== undefined && out.keyStringBytes !== undefined) out.storeOverheadBytes = out.bytesPerKey - out.keyStringBytes;
  log(
    `  memory store, ${keys.toLocaleString('en-US')} keys: ${out.opsPerSec ? Math.round(out.opsPerSec).toLocaleString('en-US') : '?'} reserve+commit/s as the verifier calls it ` +
      `(${out.opsPerSecAwaited ? Math.round(out.opsPerSecAwaited).toLocaleString('en-US') : '?'}/s with each promise awaited), ` +
      `${out.bytesPerKey?.toFixed(1) ?? '?'} bytes/key (key string ${out.keyStringBytes?.toFixed(1) ?? '?'}, store ${out.storeOverheadBytes?.toFixed(1) ?? '?'})`,
  );
  return { out, failures };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** PING until +PONG, at most `ms`. */
async function redisReady(port, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      const done = (v) => {
        sock.destroy();
        resolve(v);
      };
      sock.setTimeout(500, () => done(false));
      sock.on('error', () => done(false));
      sock.on('connect', () => sock.write('PING\r\n'));
      sock.on('data', (d) => done(String(d).startsWith('+PONG')));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function redisStore({ quick, log }) {
  if (!existsSync(REDIS_DIST)) return { skipped: 'packages/redis/dist is missing (build @hookguard/redis first)' };
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status !== 0 || !which.stdout.trim()) return { skipped: 'redis-server is not installed (apt-get install -y redis-server)' };
  const port = await freePort();
  const redis = spawn(which.stdout.trim(), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  redis.stderr.on('data', (d) => (stderr += d));
  try {
    if (!(await redisReady(port, 5_000))) return { failure: `redis-server did not answer PING on 127.0.0.1:${port} within 5 s ${stderr.trim()}` };
    const pairs = quick ? 2_000 : 100_000;
    const run = await runCell(REDIS, [String(port), String(pairs), '50'], { timeoutMs: 120_000 });
    if (!run.result || run.result.error || run.code !== 0) return { failure: cellError('redis store', run) };
    log(
      `  redis store, 50 concurrent: ${Math.round(run.result.opsPerSec).toLocaleString('en-US')} reserve+commit/s, p50 ${run.result.p50Ms.toFixed(2)} ms, p99 ${run.result.p99Ms.toFixed(2)} ms`,
    );
    return { result: run.result };
  } finally {
    await stopChild(redis);
  }
}

async function postgresStore({ quick, log }) {
  if (!existsSync(POSTGRES_DIST)) return { skipped: 'packages/postgres/dist is missing (build @hookguard/postgres first)' };
  const { findPostgresBin, PostgresServer } = await import('@hookguard/testkit');
  if (!findPostgresBin()) return { skipped: 'PostgreSQL is not installed (apt-get install -y postgresql)' };
  let server;
  try {
    server = await PostgresServer.start();
    const pairs = quick ? 1_000 : 20_000;
    const run = await runCell(POSTGRES, [server.url, String(pairs), '50'], { timeoutMs: 180_000 });
    if (!run.result || run.result.error || run.code !== 0) return { failure: cellError('postgres store', run) };
    const r = run.result;
    log(
      `  postgres store, 50 concurrent, pool of ${r.pool}: ${Math.round(r.opsPerSec).toLocaleString('en-US')} reserve+commit/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ` +
        `${r.roundTripsPerDelivery.toFixed(2)} round trips per delivery (pool of ${r.poolN.pool}: ${Math.round(r.poolN.opsPerSec).toLocaleString('en-US')}/s); ` +
        `transactional inbox: ${Math.round(r.inbox.opsPerSec).toLocaleString('en-US')} deliveries/s, ${r.inbox.roundTripsPerDelivery.toFixed(2)} round trips`,
    );
    return { result: r };
  } catch (e) {
    return { failure: `postgres store: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    await server?.stop();
  }
}

export async function runStoreSection({ quick, log }) {
  const failures = [];
  const memory = await memoryStore({ quick, log });
  failures.push(...memory.failures);
  const redis = await redisStore({ quick, log });
  if (redis.skipped) log(`  redis store: skipped: ${redis.skipped}`);
  if (redis.failure) {
    failures.push(redis.failure);
    log(`  redis store: FAILED: ${redis.failure}`);
  }
  const postgres = await postgresStore({ quick, log });
  if (postgres.skipped) log(`  postgres store: skipped: ${postgres.skipped}`);
  if (postgres.failure) {
    failures.push(postgres.failure);
    log(`  postgres store: FAILED: ${postgres.failure}`);
  }
  const outcome = (r) => r.result ?? (r.skipped ? { skipped: r.skipped } : { failed: r.failure });
  return { memory: memory.out, redis: outcome(redis), postgres: outcome(postgres), failures };
}
