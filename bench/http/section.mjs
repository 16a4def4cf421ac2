// Section 2: HTTP. Each server is a child process on 127.0.0.1, the load generator another child;
// both are stopped by PID. The server's CPU time is taken from its own process.cpuUsage() over the
// measured run only, and reported over IPC.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { forkChild, nextMessage, stopChild } from '../lib/child.mjs';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));
const LOAD = fileURLToPath(new URL('./load.mjs', import.meta.url));

export const VARIANTS = [
  { id: 'express-hand', framework: 'express', label: 'Express 5 + express.raw + hand verify' },
  { id: 'express-hookguard', framework: 'express', label: 'Express 5 + @hookguard/express' },
  { id: 'koa-hand', framework: 'koa', label: 'Koa 3 + raw body read + hand verify' },
  { id: 'koa-hookguard', framework: 'koa', label: 'Koa 3 + @hookguard/koa' },
];
// With --http-diag: where the Koa adapter's cost goes (not part of the targets).
export const DIAG_VARIANTS = [
  { id: 'koa-core', framework: 'koa', label: 'diag: Koa 3 + hand body read + core verify/settle', diagnostic: true },
  { id: 'koa-hookguard-noreplay', framework: 'koa', label: 'diag: Koa 3 + @hookguard/koa, replay off', diagnostic: true, replayOff: true },
];

async function runVariant(variant, { connections, seconds, warmSeconds }) {
  // A fresh secret per run, handed to both children in their environment (never printed).
  const env = { BENCH_WHSEC: `whsec_${randomBytes(32).toString('base64')}`, BENCH_REPLAY: variant.replayOff ? 'off' : 'on' };
  // Server and load generator boot side by side; the load generator learns the port afterwards.
  const server = forkChild(SERVER, [variant.id], { env });
  const load = forkChild(LOAD, [String(connections), String(seconds), String(warmSeconds)], { env });
  let serverErr = '';
  let loadErr = '';
  server.stderr.on('data', (d) => (serverErr += d));
  server.stdout.resume();
  load.stderr.on('data', (d) => (loadErr += d));
  load.stdout.resume();
  try {
    const booted = nextMessage(load, 'booted', 15_000);
    const { port } = await nextMessage(server, 'ready', 15_000);
    await booted;
    load.send({ type: 'target', url: `http://127.0.0.1:${port}/webhooks` });
    const bound = (seconds + warmSeconds) * 1000 + 60_000;
    await nextMessage(load, 'warmed', bound).catch((e) => {
      throw new Error(`${e.message}${loadErr ? `: ${loadErr.trim().split('\n').slice(-2).join(' | ')}` : ''}`);
    });
    server.send({ type: 'begin' });
    await nextMessage(server, 'begun', 5_000);
    load.send({ type: 'go' });
    const r = await nextMessage(load, 'result', seconds * 1000 + 60_000);
    server.send({ type: 'end' });
    const s = await nextMessage(server, 'stats', 5_000);
    const cpuUs = s.userUs + s.systemUs;
    return {
      variant: variant.id,
      framework: variant.framework,
      label: variant.label,
      rps: r.rps,
      p50Ms: r.p50,
      p99Ms: r.p99,
      cpuUsPerReq: s.requests > 0 ? cpuUs / s.requests : undefined,
      serverCpuPct: (100 * cpuUs) / (s.elapsedMs * 1000),
      clientCpuPct: r.clientCpuPct,
      total: r.total,
      ok2xx: r.ok2xx,
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      handled: s.handled,
      serverRequests: s.requests,
      signedDuringRun: r.signedDuringRun,
    };
  } catch (e) {
    throw new Error(`${e.message}${serverErr ? ` (server: ${serverErr.trim().split('\n').slice(-2).join(' | ')})` : ''}`);
  } finally {
    await stopChild(load);
    await stopChild(server);
  }
}

export async function runHttpSection({ quick, diag, log }) {
  // Quick: no warm-up (a smoke run); full: 2 s of warm-up at the same concurrency first.
  const opts = quick ? { connections: 5, seconds: 1, warmSeconds: 0 } : { connections: 50, seconds: 10, warmSeconds: 2 };
  const rows = [];
  const failures = [];
  for (const v of diag ? [...VARIANTS, ...DIAG_VARIANTS] : VARIANTS) {
    try {
      const r = await runVariant(v, opts);
      // Correctness: every response counted by autocannon was a handled delivery (a duplicate
      // would be a 200 without the handler), and nothing failed.
      const problems = [];
      if (r.non2xx > 0) problems.push(`${r.non2xx} non-2xx responses`);
      if (r.errors > 0) problems.push(`${r.errors} connection errors`);
      if (r.timeouts > 0) problems.push(`${r.timeouts} timeouts`);
      if (r.ok2xx > r.handled) problems.push(`${r.ok2xx - r.handled} 2xx answers without the handler (duplicates?)`);
      if (problems.length) failures.push(`http ${v.id}: ${problems.join(', ')}`);
      rows.push({ ...r, diagnostic: v.diagnostic === true, problems });
      log(
        `  ${v.label.padEnd(52)} ${Math.round(r.rps).toLocaleString('en-US').padStart(7)} req/s  p99 ${String(r.p99Ms).padStart(4)} ms  ${r.cpuUsPerReq.toFixed(1).padStart(6)} µs CPU/req  server ${r.serverCpuPct.toFixed(0)}% / client ${r.clientCpuPct.toFixed(0)}% CPU${problems.length ? `  PROBLEMS: ${problems.join(', ')}` : ''}`,
      );
    } catch (e) {
      failures.push(`http ${v.id}: ${e.message}`);
      log(`  ${v.label.padEnd(52)} FAILED: ${e.message}`);
    }
  }
  return { options: opts, rows, failures };
}
