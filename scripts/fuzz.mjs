// The full fuzz campaign: `npm run fuzz [-- --seed=N --count=N --only=<scheme>]`. Seeded and
// reproducible; exits 1 on any crash, forged accept or replay-key change. Builds core first.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const option = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const seed = Number(option('seed') ?? 20261202);
const count = Math.min(Number(option('count') ?? 100_000), 10_000_000);
const only = option('only');

if (!process.argv.includes('--no-build')) {
  const b = spawnSync('npm', ['run', 'build', '-w', '@hookguard/core'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}
const { fuzz } = await import(pathToFileURL(join(root, 'packages/core/dist-test/lib/fuzz.js')).href);
const started = Date.now();
console.log(`fuzz: ${count.toLocaleString('en-US')} mutated requests per scheme, seed ${seed}\n`);
const totals = await fuzz({ seed, count, only });
console.log('| scheme | requests | crashes | forged accepts | replay key changed | legit accepts | worst CPU µs | p99 CPU µs | top rejections |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
let bad = 0;
for (const t of totals) {
  bad += t.crashes + t.forged + t.keyChanged;
  const top = Object.entries(t.rejections).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([c, n]) => `${c} ${n}`).join(', ');
  console.log(`| ${t.scheme} | ${t.requests.toLocaleString('en-US')} | ${t.crashes} | ${t.forged} | ${t.keyChanged} | ${t.legitAccepts} | ${t.worstCpuUs} | ${t.p99CpuUs} | ${top} |`);
  for (const f of t.failures) console.log(`    ${f}`);
}
console.log(`\n${bad === 0 ? 'no crash, no forged accept, no replay-key change' : `${bad} failures`} (${Math.round((Date.now() - started) / 1000)} s)`);
process.exit(bad === 0 ? 0 : 1);
