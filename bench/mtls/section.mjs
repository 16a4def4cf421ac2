// Section 4: mTLS, the per-request cost of the certificate check (see cell.mjs).
import { fileURLToPath } from 'node:url';
import { runCell } from '../lib/child.mjs';

const CELL = fileURLToPath(new URL('./cell.mjs', import.meta.url));

export async function runMtlsSection({ quick, log }) {
  const iterations = quick ? 500 : 20_000;
  const run = await runCell(CELL, [String(iterations)], { timeoutMs: 180_000 });
  if (!run.result || run.result.error || run.code !== 0) {
    const why = run.result?.error ?? (run.timedOut ? 'timed out' : `exit ${run.code}: ${run.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    log(`  mTLS cell failed: ${why}`);
    return { rows: [], failures: [`mtls: ${why}`] };
  }
  const base = run.result.rows[0]?.nsPerOp ?? 0;
  for (const r of run.result.rows) log(`  ${r.name.padEnd(76)} ${Math.round(r.nsPerOp).toLocaleString('en-US').padStart(10)} ns/op  (+${Math.round(r.nsPerOp - base).toLocaleString('en-US')} ns)`);
  return { rows: run.result.rows, failures: [] };
}
