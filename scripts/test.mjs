// The one test command: builds every package, runs each package's tests through turbo, then
// prints one plain closing line "N passed, N failed" summed over all packages.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const workspaces = pkg.workspaces.filter((w) => {
  const p = join(root, w, 'package.json');
  return existsSync(p) && JSON.parse(readFileSync(p, 'utf8')).scripts?.test;
});
for (const w of workspaces) rmSync(join(root, w, '.test-results'), { recursive: true, force: true });

const turbo = spawnSync('npx', ['turbo', 'run', 'test', '--continue', '--concurrency=2', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
});

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

// The benchmark suite's smoke mode (a few seconds), so it cannot rot: it checks that every measured
// case verifies before timing it, and fails on a wrong verdict, never on a missed speed target.
if (process.env.HOOKGUARD_SKIP_BENCH_SMOKE !== '1') {
  console.log('');
  const bench = spawnSync(process.execPath, ['bench/run.mjs', '--smoke', '--no-build'], { cwd: root, stdio: 'inherit', timeout: 300_000 });
  if (bench.status === 0) passed++;
  else {
    failed++;
    failures.push('bench: node bench/run.mjs --smoke --no-build failed');
  }
}
// Every rejection code of core must be produced through every adapter: the e2e contract and mTLS
// suites record which codes each adapter answered (test/lib/code-coverage.ts); a code added to core
// without a test that produces it everywhere fails here.
const e2e = join(root, 'test', '.test-results');
if (existsSync(join(e2e, 'summary.json'))) {
  const label = 'every rejection code produced through every adapter (contract + mTLS + runtimes suites)';
  try {
    const { WEBHOOK_ERROR_CODES } = await import(pathToFileURL(join(root, 'packages', 'core', 'dist', 'esm', 'index.js')).href);
    const seen = {};
    for (const suite of ['contract', 'mtls']) {
      const file = join(e2e, `codes-${suite}.json`);
      if (!existsSync(file)) throw new Error(`${suite} suite wrote no code record`);
      for (const [adapter, codes] of Object.entries(JSON.parse(readFileSync(file, 'utf8')))) {
        seen[adapter] ??= new Set();
        for (const c of codes) seen[adapter].add(c);
      }
    }
    const adapters = ['express5', 'express4', 'koa', 'nestjs', 'nestjs-fastify', 'fastify5', 'fastify4'];
    const missing = adapters.flatMap((a) => WEBHOOK_ERROR_CODES.filter((c) => !seen[a]?.has(c)).map((c) => `${a}: ${c}`));
    // @hookguard/web on its four runtimes (runtimes suite): every code but the certificate ones,
    // which need a TLS socket's peer certificate (mTLS is Node-only, and the web README says so).
    const runtimesFile = join(e2e, 'codes-runtimes.json');
    if (!existsSync(runtimesFile)) throw new Error('runtimes suite wrote no code record');
    const runtimes = JSON.parse(readFileSync(runtimesFile, 'utf8'));
    const webCodes = WEBHOOK_ERROR_CODES.filter((c) => !c.startsWith('CERT_'));
    const webAdapters = ['web-node', 'web-bun', 'web-deno', 'web-workerd'];
    for (const a of webAdapters) missing.push(...webCodes.filter((c) => !runtimes[a]?.includes(c)).map((c) => `${a}: ${c}`));
    if (missing.length) throw new Error(`not produced: ${missing.join(', ')}`);
    passed++;
    console.log(`\n✔ ${label}: ${WEBHOOK_ERROR_CODES.length} codes × ${adapters.length} adapters; ${webCodes.length} codes × ${webAdapters.length} web runtimes`);
  } catch (e) {
    failed++;
    failures.push(`${label}: ${e.message}`);
  }
}

for (const w of workspaces) {
  const file = join(root, w, '.test-results', 'summary.json');
  if (!existsSync(file)) {
    failed++;
    failures.push(`${w}: no test results (build or runner failed)`);
    continue;
  }
  const s = JSON.parse(readFileSync(file, 'utf8').trim() || '{}');
  passed += s.passed ?? 0;
  failed += s.failed ?? 0;
  skipped += s.skipped ?? 0;
  for (const f of s.failures ?? []) failures.push(`${w}: ${f}`);
}
if (failures.length) {
  console.log('\nFailures:');
  for (const f of failures) console.log(`  - ${f}`);
}
console.log('');
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(turbo.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
