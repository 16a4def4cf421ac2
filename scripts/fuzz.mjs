// The full fuzz campaign: `npm run fuzz [-- --seed=N --count=N --only=<name part> --jobs=N --max-seconds=N --no-build]`.
// Seeded and reproducible (packages/core/test/lib/fuzz.ts): every target (scheme, any()/all()
// combination, tenants) runs in its own child process, so process.cpuUsage() around each verify
// measures that target alone; --jobs of them at a time (default: the cores, at most 4). Prints a
// table per target and exits 1 on any crash, forged accept, replay-key change or leak, or when
// the campaign outlives --max-seconds (default 900).
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const engine = pathToFileURL(join(root, 'packages/core/dist-test/lib/fuzz.js')).href;
const option = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const seed = Number(option('seed') ?? 20261202) >>> 0;
const count = Math.min(Math.max(1, Number(option('count') ?? 100_000)), 10_000_000);
const child = option('child');

if (child !== undefined) {
  // One target, in this process: totals as one JSON line.
  const { fuzz, profileReport } = await import(engine);
  const [totals] = await fuzz({ seed, count, exact: child });
  // HOOKGUARD_FUZZ_PROFILE=1: the p99 CPU per mutation kind, to tell an input that costs from noise.
  if (process.env.HOOKGUARD_FUZZ_PROFILE) process.stderr.write(`${child}, p99 CPU per mutation kind:\n${profileReport()}\n`);
  process.stdout.write(`${JSON.stringify(totals)}\n`);
  process.exit(0);
}

const only = option('only');
const jobs = Math.max(1, Number(option('jobs') ?? Math.min(4, availableParallelism())));
const maxSeconds = Number(option('max-seconds') ?? 900);
if (!process.argv.includes('--no-build')) {
  const b = spawnSync('npm', ['run', 'build', '-w', '@hookguard/core'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (b.status !== 0) process.exit(1);
}
const { targetNames, table } = await import(engine);
const names = targetNames().filter((n) => !only || n.includes(only));
if (names.length === 0) {
  console.error(`no target matches --only=${only}; targets: ${targetNames().join(', ')}`);
  process.exit(2);
}
console.log(`fuzz: ${count.toLocaleString('en-US')} mutated requests per target, ${names.length} targets, seed ${seed}, ${jobs} at a time (Node ${process.version})\n`);

const started = Date.now();
const results = new Map();
const running = new Set();
function run(name) {
  return new Promise((done) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), `--child=${name}`, `--seed=${seed}`, `--count=${count}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    running.add(p);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', (code, signal) => {
      running.delete(p);
      try {
        results.set(name, JSON.parse(out.trim().split('\n').pop()));
      } catch {
        results.set(name, { scheme: name, requests: 0, crashes: 1, forged: 0, keyChanged: 0, leaks: 0, legitAccepts: 0, resignedAccepts: 0, rejections: {}, medianCpuUs: 0, p99CpuUs: 0, worstCpuUs: 0, worstRequest: '', failures: [`the child process ended without totals (code ${code}, signal ${signal})`] });
      }
      process.stderr.write(`  ${name}: done (${Math.round((Date.now() - started) / 1000)} s)\n`);
      done();
    });
  });
}
const timer = setTimeout(() => {
  console.error(`\nfuzz: the campaign outlived --max-seconds=${maxSeconds}; stopping`);
  for (const p of running) p.kill('SIGKILL');
}, maxSeconds * 1000);
const queue = [...names];
await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, async () => {
  while (queue.length > 0) await run(queue.shift());
}));
clearTimeout(timer);

const totals = names.map((n) => results.get(n));
console.log(table(totals));
let bad = 0;
for (const t of totals) {
  bad += t.crashes + t.forged + t.keyChanged + t.leaks + (t.requests === count ? 0 : 1);
  for (const f of t.failures) console.log(`  ${f}`);
}
console.log('\nslowest request per target (CPU figures leave out the first 1,000 requests: JIT warm-up):');
for (const t of totals) console.log(`  ${t.scheme}: ${t.worstCpuUs} µs, ${t.worstRequest}`);
const requests = totals.reduce((n, t) => n + t.requests, 0);
console.log(`\n${requests.toLocaleString('en-US')} requests in ${Math.round((Date.now() - started) / 1000)} s: ${bad === 0 ? 'no crash, no forged accept, no replay-key change, no leak' : `${bad} failures`}`);
process.exit(bad === 0 ? 0 : 1);
