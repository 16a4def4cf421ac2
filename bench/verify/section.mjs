// Section 1: verify throughput. One fresh process per (case, size) cell, run one after another
// (never in parallel: this machine has 2 cores). A full run measures every cell in 5 rounds, each
// round over the whole matrix, and keeps the median of the round medians: a burst of load from
// another process then hits every row alike instead of one row's only sample.
import { fileURLToPath } from 'node:url';
import { runCell } from '../lib/child.mjs';
import { sizeLabel } from '../lib/body.mjs';
import { CASES } from './cases.mjs';

const CELL = fileURLToPath(new URL('./cell.mjs', import.meta.url));
// A long-running server's young generation grows to its maximum (16 MiB on 64-bit) under steady
// traffic. A fresh process starts small and grows at some point of its short run, which made the
// JSON.parse rows of 256 KiB+ bimodal (1.5x apart from one process to the next); starting at the
// size a server reaches removes that.
export const CELL_NODE_FLAGS = ['--min-semi-space-size=16'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function runVerifySection({ quick, sizes, caseFilter, log }) {
  const cases = caseFilter ? CASES.filter((c) => caseFilter.some((f) => c.id.includes(f))) : CASES;
  const rounds = quick ? 1 : 5;
  const timeMs = 150;
  const runs = new Map();
  const failures = [];
  for (let round = 1; round <= rounds; round++) {
    if (rounds > 1) log(`  round ${round} of ${rounds}`);
    for (const size of sizes) {
      for (const c of cases) {
        const key = `${c.id}@${size}`;
        if (failures.some((f) => f.key === key)) continue;
        // Large bodies get longer rounds: a JSON.parse of 256 KiB takes milliseconds, and the
        // young generation needs time to settle to it.
        const args = [c.id, String(size), quick ? '--quick' : `--time=${size >= 256 * 1024 ? 2 * timeMs : timeMs}`];
        const run = await runCell(CELL, args, { execArgv: CELL_NODE_FLAGS, timeoutMs: quick ? 30_000 : 120_000 });
        const r = run.result;
        if (!r || r.error || run.code !== 0) {
          const reason = r?.error ?? (run.timedOut ? 'timed out' : `exit ${run.code ?? run.signal}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
          failures.push({ key, message: `verify ${c.id} @ ${sizeLabel(size)}: ${reason}` });
          log(`  ${sizeLabel(size).padStart(7)}  ${c.label.padEnd(58)} FAILED: ${reason}`);
          continue;
        }
        if (!runs.has(key)) runs.set(key, { c, size, results: [] });
        runs.get(key).results.push(r);
        log(`  ${sizeLabel(size).padStart(7)}  ${c.label.padEnd(58)} ${Math.round(r.ns).toLocaleString('en-US').padStart(11)} ns/op  (${r.samples} samples)`);
      }
    }
  }
  const cells = [];
  for (const { c, size, results } of runs.values()) {
    const ns = results.map((r) => r.ns);
    cells.push({
      case: c.id,
      label: c.label,
      kind: c.kind,
      group: c.group,
      size,
      ns: median(ns),
      rounds: ns,
      spread: Math.max(...ns) / Math.min(...ns),
      samples: results.reduce((a, r) => a + r.samples, 0),
      p99: median(results.map((r) => r.p99)),
    });
  }
  return { cells, failures: failures.map((f) => f.message) };
}
