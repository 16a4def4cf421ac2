// A/B of two builds of @hookguard/core on verify cells, for tuning the core on a shared machine:
//   node bench/ab.mjs --a=<dist/esm/index.js> --b=<dist/esm/index.js> [--cases=hookguard-sw-v1,...]
//                     [--sizes=256,1024] [--pairs=8]
// Each pair runs A then B (then B then A on the next pair) in fresh processes, back to back, and
// the verdict is the median of the per-pair ratios B/A: load from other processes drifts slowly,
// so it hits both halves of a pair alike.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCell } from './lib/child.mjs';
import { sizeLabel } from './lib/body.mjs';
import { CELL_NODE_FLAGS } from './verify/section.mjs';

const argv = process.argv.slice(2);
const option = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const a = option('a');
const b = option('b');
if (!a || !b) {
  console.error('usage: node bench/ab.mjs --a=<core dist/esm/index.js> --b=<core dist/esm/index.js> [--cases=...] [--sizes=...] [--pairs=8]');
  process.exit(2);
}
const cases = (option('cases') ?? 'hookguard-sw-v1,hookguard-sw-v1-payload').split(',');
const sizes = (option('sizes') ?? '256,1024').split(',').map(Number);
const pairs = Math.min(Number(option('pairs') ?? 8), 50);
const CELL = fileURLToPath(new URL('./verify/cell.mjs', import.meta.url));
const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function once(core, id, size) {
  const r = await runCell(CELL, [id, String(size), '--time=150'], { execArgv: CELL_NODE_FLAGS, env: { BENCH_CORE: resolve(core) }, timeoutMs: 60_000 });
  if (!r.result || r.result.error) throw new Error(`${id} @ ${size} with ${core}: ${r.result?.error ?? r.stderr.trim().split('\n').pop()}`);
  return r.result.ns;
}

let failed = false;
for (const size of sizes) {
  for (const id of cases) {
    const as = [];
    const bs = [];
    const ratios = [];
    try {
      for (let i = 0; i < pairs; i++) {
        // Alternate which half goes first, so a steady drift does not favour either.
        const [x, y] = i % 2 === 0 ? [await once(a, id, size), await once(b, id, size)] : (([q, p]) => [p, q])([await once(b, id, size), await once(a, id, size)]);
        as.push(x);
        bs.push(y);
        ratios.push(y / x);
      }
    } catch (e) {
      failed = true;
      console.log(`${sizeLabel(size).padStart(7)}  ${id.padEnd(30)} FAILED: ${e.message}`);
      continue;
    }
    console.log(
      `${sizeLabel(size).padStart(7)}  ${id.padEnd(30)} A ${Math.round(median(as)).toLocaleString('en-US').padStart(10)} ns  B ${Math.round(median(bs)).toLocaleString('en-US').padStart(10)} ns  B/A ${median(ratios).toFixed(3)} (pairs ${Math.min(...ratios).toFixed(2)}..${Math.max(...ratios).toFixed(2)})`,
    );
  }
}
process.exitCode = failed ? 1 : 0;
