// Section 2: HTTP. Each server is a child process on 127.0.0.1, the load generator another child;
// both are stopped by PID. The server's CPU time is taken from its own process.cpuUsage() over the
// measured run only, and reported over IPC.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { forkChild, nextMessage, stopChild } from '../lib/child.mjs';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));
const LOAD = fileURLToPath(new URL('./load.mjs', import.meta.url));

export const VARIANTS = [
  { id: 'express-hand', framework: 'express', label: 'Express 5 + express.raw + hand verify' },
  { id: 'express-hookguard', framework: 'express', label: 'Express 5 + @hookguard/express' },
  { id: 'koa-hand', framework: 'koa', label: 'Koa 3 + raw body read + hand verify' },
  { id: 'koa-hookguard', framework: 'koa', label: 'Koa 3 + @hookguard/koa' },
  { id: 'fastify-hand', framework: 'fastify', label: 'Fastify 5 + buffer parser + hand verify' },
  { id: 'fastify-hookguard', framework: 'fastify', label: 'Fastify 5 + @hookguard/fastify' },
];
// With --http-diag: where the Koa adapter's cost goes (not part of the targets).
export const DIAG_VARIANTS = [
  { id: 'express-core', framework: 'express', label: 'diag: Express 5 + express.raw + core verify/settle', diagnostic: true },
  { id: 'express-hookguard-raw', framework: 'express', label: 'diag: Express 5 + express.raw + @hookguard/express', diagnostic: true },
  { id: 'express-hookguard-noreplay', framework: 'express', label: 'diag: Express 5 + @hookguard/express, replay off', diagnostic: true, replayOff: true },
  { id: 'koa-core', framework: 'koa', label: 'diag: Koa 3 + hand body read + core verify/settle', diagnostic: true },
  { id: 'koa-hookguard-noreplay', framework: 'koa', label: 'diag: Koa 3 + @hookguard/koa, replay off', diagnostic: true, replayOff: true },
  { id: 'fastify-hookguard-noreplay', framework: 'fastify', label: 'diag: Fastify 5 + @hookguard/fastify, replay off', diagnostic: true, replayOff: true },
];

// Server on CPU 0, load generator on CPU 1 (all their threads): on a 2-core machine, unpinned
// processes migrate between cores mid-run and the two variants of a pair see different contention.
// BENCH_HTTP_PIN=0 turns it off.
const PIN = process.env.BENCH_HTTP_PIN !== '0' && os.cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0;
function pin(child, cpu) {
  if (PIN && child.pid) spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(child.pid)], { stdio: 'ignore' });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? undefined : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function runVariant(variant, { connections, seconds, warmSeconds }) {
  // A fresh secret per run, handed to both children in their environment (never printed).
  const env = { BENCH_WHSEC: `whsec_${randomBytes(32).toString('base64')}`, BENCH_REPLAY: variant.replayOff ? 'off' : 'on' };
  // Server and load generator boot side by side; the load generator learns the port afterwards.
  // BENCH_SERVER_FLAGS="--trace-deopt ..." passes node flags to the servers (diagnosis only).
  const server = forkChild(SERVER, [variant.id], { env, execArgv: process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? [] });
  const load = forkChild(LOAD, [String(connections), String(seconds), String(warmSeconds)], { env });
  let serverErr = '';
  let loadErr = '';
  server.stderr.on('data', (d) => (serverErr += d));
  // BENCH_SERVER_STDOUT=<dir>: each server's stdout (e.g. --trace-deopt output) to <dir>/<variant>.log.
  if (process.env.BENCH_SERVER_STDOUT) server.stdout.pipe(createWriteStream(`${process.env.BENCH_SERVER_STDOUT}/${variant.id}.log`));
  else server.stdout.resume();
  load.stderr.on('data', (d) => (loadErr += d));
  load.stdout.resume();
  try {
    const booted = nextMessage(load, 'booted', 15_000);
    const { port } = await nextMessage(server, 'ready', 15_000);
    await booted;
    pin(server, 0);
    pin(load, 1);
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
      heapUsedMb: s.heapUsedMb,
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
  // Quick: one short round, no warm-up (a smoke run). Full: rounds of hand and hookguard back to
  // back (the order flips each round), 2 s of warm-up each; a variant's figures are its medians and
  // a target's ratio is the median of the per-round ratios, so a slow patch of the machine hits
  // both sides of a pair instead of one row.
  const opts = quick ? { connections: 5, seconds: 1, warmSeconds: 0, rounds: 1 } : { connections: 50, seconds: 3, warmSeconds: 1, rounds: 9 };
  opts.pinned = PIN;
  const failures = [];
  const runs = new Map(); // variant id -> rows of each round
  const ratios = {};
  const frameworks = [...new Set(VARIANTS.map((v) => v.framework))];
  const one = async (v, round) => {
    try {
      const r = await runVariant(v, opts);
      // Correctness: every response counted by autocannon was a handled delivery (a duplicate
      // would be a 200 without the handler), and nothing failed.
      const problems = [];
      if (r.non2xx > 0) problems.push(`${r.non2xx} non-2xx responses`);
      if (r.errors > 0) problems.push(`${r.errors} connection errors`);
      if (r.timeouts > 0) problems.push(`${r.timeouts} timeouts`);
      if (r.ok2xx > r.handled) problems.push(`${r.ok2xx - r.handled} 2xx answers without the handler (duplicates?)`);
      if (problems.length) failures.push(`http ${v.id} round ${round + 1}: ${problems.join(', ')}`);
      if (!runs.has(v.id)) runs.set(v.id, []);
      runs.get(v.id).push({ ...r, problems });
      log(
        `  ${`${v.label}${opts.rounds > 1 ? ` [${round + 1}]` : ''}`.padEnd(56)} ${Math.round(r.rps).toLocaleString('en-US').padStart(7)} req/s  p99 ${String(r.p99Ms).padStart(4)} ms  ${r.cpuUsPerReq.toFixed(1).padStart(6)} µs CPU/req  server ${r.serverCpuPct.toFixed(0)}% / client ${r.clientCpuPct.toFixed(0)}% CPU${problems.length ? `  PROBLEMS: ${problems.join(', ')}` : ''}`,
      );
      return r;
    } catch (e) {
      failures.push(`http ${v.id} round ${round + 1}: ${e.message}`);
      log(`  ${v.label.padEnd(56)} FAILED: ${e.message}`);
      return undefined;
    }
  };
  for (const fw of frameworks) {
    const pair = VARIANTS.filter((v) => v.framework === fw);
    ratios[fw] = [];
    for (let round = 0; round < opts.rounds; round++) {
      const order = round % 2 === 0 ? pair : [...pair].reverse();
      const got = {};
      for (const v of order) got[v.id] = await one(v, round);
      const hg = got[`${fw}-hookguard`];
      const hand = got[`${fw}-hand`];
      if (hg && hand) ratios[fw].push(hg.rps / hand.rps);
    }
  }
  if (diag) for (const v of DIAG_VARIANTS) await one(v, 0);

  const rows = [];
  for (const v of [...VARIANTS, ...(diag ? DIAG_VARIANTS : [])]) {
    const rs = runs.get(v.id);
    if (!rs?.length) continue;
    const sum = (k) => rs.reduce((a, r) => a + (r[k] ?? 0), 0);
    rows.push({
      variant: v.id,
      framework: v.framework,
      label: v.label,
      rounds: rs.length,
      rps: median(rs.map((r) => r.rps)),
      rpsEach: rs.map((r) => Math.round(r.rps)),
      p50Ms: median(rs.map((r) => r.p50Ms)),
      p99Ms: median(rs.map((r) => r.p99Ms)),
      cpuUsPerReq: median(rs.map((r) => r.cpuUsPerReq)),
      serverCpuPct: median(rs.map((r) => r.serverCpuPct)),
      clientCpuPct: median(rs.map((r) => r.clientCpuPct)),
      total: sum('total'),
      ok2xx: sum('ok2xx'),
      non2xx: sum('non2xx'),
      errors: sum('errors'),
      timeouts: sum('timeouts'),
      handled: sum('handled'),
      diagnostic: v.diagnostic === true,
      problems: rs.flatMap((r) => r.problems),
    });
  }
  const ratio = Object.fromEntries(Object.entries(ratios).map(([fw, xs]) => [fw, { median: median(xs), each: xs }]));
  return { options: opts, rows, ratio, failures };
}
