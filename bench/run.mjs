// `npm run bench` (full, for people: under ~10 minutes on 2 cores) or `npm run bench -- --quick`
// (tiny samples, 1 KiB only, short HTTP runs, 20k memory-store keys).
// Options: --quick, --smoke, --no-build, --only=verify,http,store,mtls,web, --cases=<substr,...>, --sizes=<bytes,...>,
// --http-diag (two more Koa servers that split the adapter's cost from core's)
// Writes bench/results/latest.json and prints a markdown report. Exits 1 if a correctness
// assertion failed (a missed performance target never fails the run).
// --smoke (for `npm test`): runs what --quick runs, prints no progress, no report, no targets and no
// PASS/MISS, only one line (what ran, and that every correctness check passed, or which failed);
// writes bench/results/smoke.json, so a full run's latest.json survives the test suite.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIZES, sizeLabel } from './lib/body.mjs';
import { evaluateTargets, renderMarkdown, renderSmokeLine } from './lib/report.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const smoke = flag('smoke');
const quick = flag('quick') || smoke;
const only = option('only')?.split(',') ?? ['verify', 'http', 'store', 'mtls', 'web'];
const caseFilter = option('cases')?.split(',');
const sizes = option('sizes')?.split(',').map(Number) ?? (quick ? [1024] : SIZES);
const print = (line = '') => process.stdout.write(`${line}\n`);
// A smoke run prints one line at the end: the sections' progress lines are kept, not printed.
const progress = [];
const log = smoke ? (line = '') => progress.push(line) : print;
const warnings = [];

function build() {
  const filters = ['@hookguard/core', '@hookguard/express', '@hookguard/koa', '@hookguard/fastify', '@hookguard/testkit', '@hookguard/web'].map((p) => `--filter=${p}`);
  const r = spawnSync('npx', ['turbo', 'run', 'build', ...filters, '--output-logs=errors-only'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
    timeout: 300_000,
  });
  if (r.status === 0) return;
  const dists = ['core', 'express', 'koa', 'fastify'].map((p) => join(root, 'packages', p, 'dist', 'esm', 'index.js'));
  const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
  if (dists.every(existsSync)) {
    // Other engineers may be mid-change in a package: measure the last good build, and say so.
    warnings.push('the build failed; the existing dist/ of core, express, koa and fastify was measured');
    log(`warning: build failed, measuring the existing dist/:\n${tail}`);
    return;
  }
  print(`${smoke ? 'bench smoke: ' : ''}build failed:\n${tail}`);
  process.exit(1);
}

function gitCommit() {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'packages/core'], { cwd: root, encoding: 'utf8' });
  return `${r.stdout?.trim() || 'unknown'}${dirty.stdout?.trim() ? ' (packages/core modified)' : ''}`;
}

async function main() {
  const started = Date.now();
  if (!flag('no-build')) {
    log('building @hookguard/core, express, koa, fastify...');
    const t0 = Date.now();
    build();
    warnings.length === 0 && log(`  built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const loadStart = os.loadavg();
  if (loadStart[0] > 0.5) warnings.push(`load average was ${loadStart[0].toFixed(2)} at start: other processes shared the 2 cores, figures are noisier`);
  const results = {
    meta: {
      mode: smoke ? 'smoke' : quick ? 'quick' : 'full',
      date: new Date().toISOString(),
      node: process.version,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      commit: gitCommit(),
      loadStart,
      warnings,
    },
    failures: [],
  };

  const timings = {};
  const timed = async (name, f) => {
    const t0 = Date.now();
    await f();
    timings[name] = (Date.now() - t0) / 1000;
  };
  if (only.includes('verify')) await timed('verify', async () => {
    log(`\n# verify (${sizes.map(sizeLabel).join(', ')}; each cell a fresh process)`);
    const { runVerifySection } = await import('./verify/section.mjs');
    const v = await runVerifySection({ quick, sizes, caseFilter, log });
    results.verify = { sizes, cells: v.cells };
    results.failures.push(...v.failures);
  });
  if (only.includes('http')) await timed('http', async () => {
    log('\n# http (servers and load generator are child processes on 127.0.0.1)');
    const { runHttpSection } = await import('./http/section.mjs');
    const h = await runHttpSection({ quick, diag: flag('http-diag'), log });
    results.http = { options: h.options, rows: h.rows, ratio: h.ratio };
    results.failures.push(...h.failures);
  });
  if (only.includes('store')) await timed('store', async () => {
    log('\n# replay stores');
    const { runStoreSection } = await import('./store/section.mjs');
    const s = await runStoreSection({ quick, log });
    results.store = { memory: s.memory, redis: s.redis, postgres: s.postgres };
    results.failures.push(...s.failures);
  });
  if (only.includes('mtls')) await timed('mtls', async () => {
    log('\n# mTLS: per-request cost of the certificate check');
    const { runMtlsSection } = await import('./mtls/section.mjs');
    const m = await runMtlsSection({ quick, log });
    results.mtls = { rows: m.rows };
    results.failures.push(...m.failures);
  });
  if (only.includes('web')) await timed('web', async () => {
    log('\n# @hookguard/web: verifyWebhook(request) against core, on Node, Bun, Deno and workerd (one process each)');
    const { runWebSection } = await import('./web/section.mjs');
    const w = await runWebSection({ quick, smoke, log });
    results.web = { rows: w.rows };
    results.failures.push(...w.failures);
  });

  results.meta.loadEnd = os.loadavg();
  results.meta.durationSec = (Date.now() - started) / 1000;
  results.meta.sectionSec = timings;
  mkdirSync(join(benchDir, 'results'), { recursive: true });
  if (smoke) {
    // No targets: a smoke run's figures say nothing about speed, so it judges none.
    writeFileSync(join(benchDir, 'results', 'smoke.json'), `${JSON.stringify({ ...results, progress }, null, 2)}\n`);
    print(renderSmokeLine(results));
    if (results.failures.length) process.exitCode = 1;
    return;
  }
  results.targets = evaluateTargets({ cells: results.verify?.cells ?? [], sizes: results.verify?.sizes ?? [], http: results.http, store: results.store, web: results.web });

  writeFileSync(join(benchDir, 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(`\n${renderMarkdown(results)}\n`);
  log(`results: bench/results/latest.json (${results.meta.durationSec.toFixed(0)} s)`);
  if (results.failures.length) {
    log(`${results.failures.length} correctness failure(s): see above`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  print(`${smoke ? 'bench smoke: FAILED, the run crashed' : 'bench failed'}: ${e?.stack ?? e}`);
  process.exitCode = 1;
});
