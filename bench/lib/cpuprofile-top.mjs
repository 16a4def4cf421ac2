// Top self-time functions of a V8 .cpuprofile (from `node --cpu-prof`):
//   node bench/lib/cpuprofile-top.mjs <file.cpuprofile> [count] [--by=file]
// --by=file adds up self time per source file (package file, node internal module, or native).
// --per=<N> prints µs per unit instead of percentages (e.g. N = requests the profiled server saw).
import { readFileSync } from 'node:fs';

const byFile = process.argv.includes('--by=file');
const per = Number(process.argv.find((a) => a.startsWith('--per='))?.slice(6) ?? 0);
const [file, countArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!file) throw new Error('usage: cpuprofile-top.mjs <file.cpuprofile> [count]');
const profile = JSON.parse(readFileSync(file, 'utf8'));
const count = Number(countArg ?? 25);

// Self time per node = samples attributed to it × the sampling interval.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const hits = new Map();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const total = profile.samples.length;
const self = new Map();
for (const [id, n] of hits) {
  const f = byId.get(id).callFrame;
  const where = f.url.startsWith('node:') ? `${f.url}:${f.lineNumber + 1}` : f.url ? `${f.url.replace(/^file:\/\//, '').replace(/.*\/(node_modules|packages|bench)\//, '$1/')}:${f.lineNumber + 1}` : '(native)';
  const key = byFile ? where.replace(/:\d+$/, '') : `${f.functionName || '(anonymous)'}  ${where}`;
  self.set(key, (self.get(key) ?? 0) + n);
}
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, count);
const usPerSample = (profile.endTime - profile.startTime) / total;
for (const [key, n] of rows)
  console.log(per > 0 ? `${((n * usPerSample) / per).toFixed(2).padStart(7)} µs  ${key}` : `${((100 * n) / total).toFixed(1).padStart(5)}%  ${key}`);
