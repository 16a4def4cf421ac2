// One verify cell (one case, one body size) in a fresh process:
//   node bench/verify/cell.mjs <case-id> <bytes> [--quick] [--time=<ms of samples, default 640>]
// Asserts the case verifies (and rejects a tampered body) before timing it with mitata, then
// prints one result line. The runner starts it with `node --min-semi-space-size=16` (see
// section.mjs); profile a single cell with `node --min-semi-space-size=16 --cpu-prof ...`.
import { measure, do_not_optimize } from 'mitata';
import { emitResult } from '../lib/child.mjs';
import { caseById, setupCase } from './cases.mjs';

const [id, sizeArg] = process.argv.slice(2);
const quick = process.argv.includes('--quick');
const size = Number(sizeArg);

// --clock=cpu: time samples by this process's CPU time (user + system, all threads, from
// getrusage) instead of the wall clock, so time the process spent preempted by other processes
// on a shared machine is not counted. GC helper threads' CPU is counted: it is a real cost.
const clock = process.argv.find((a) => a.startsWith('--clock='))?.slice(8) ?? 'wall';
function cpuNow() {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1e3;
}

async function rejects(fn) {
  try {
    const r = await fn();
    return r === false;
  } catch {
    return true;
  }
}

async function main() {
  if (!id || !Number.isInteger(size) || size <= 0) throw new Error('usage: cell.mjs <case-id> <bytes> [--quick]');
  const c = caseById(id);
  const { fn, tampered, ok } = await setupCase(id, size);

  // Correctness first: a row that accepts anything would be the fastest row of all.
  const first = await fn();
  if (!ok(first)) {
    emitResult({ case: id, size, error: 'the signed delivery did not verify' });
    process.exitCode = 1;
    return;
  }
  if (!(await rejects(tampered))) {
    emitResult({ case: id, size, error: 'a tampered body was accepted' });
    process.exitCode = 1;
    return;
  }

  // Quick: a smoke run of a few ms. Full: mitata's warm-up, then at least 0.6 s of samples;
  // small batches so the median is taken over hundreds of samples, not a few dozen.
  const timeMs = Number(process.argv.find((a) => a.startsWith('--time='))?.slice(7) ?? 640);
  const opts = quick
    ? { min_cpu_time: 15e6, min_samples: 5, batch_samples: 64, warmup_samples: 1 }
    : { min_cpu_time: timeMs * 1e6, min_samples: 50, batch_samples: 256, warmup_samples: 4 };
  const probe = fn();
  const isAsync = probe instanceof Promise;
  if (isAsync) await probe;
  // Explicit warm-up (mitata skips its own for calls slower than 0.5 ms): optimised code and a
  // heap that has grown to the workload before the first sample. At least 100 ms, and at least
  // 2,000 calls where they fit in 400 ms: a row whose work is a JavaScript loop over the body (Twilio's
  // form read at 16 KiB) was still being optimised after 100 ms (~1,000 calls) and measured 1.5-4x
  // its steady state. Bounded by count and time.
  const start = Date.now();
  const warmUntil = start + (quick ? 5 : 100);
  const warmCap = start + (quick ? 5 : 400);
  for (let i = 0; i < 100_000 && (i < 5 || Date.now() < warmUntil || (i < 2000 && Date.now() < warmCap)); i++) {
    const r = fn();
    if (isAsync) await r;
  }
  const timed = isAsync ? async () => do_not_optimize(await fn()) : () => do_not_optimize(fn());
  if (clock === 'cpu') opts.now = cpuNow;
  const stats = await measure(timed, opts);

  // Once more after timing: the timed calls were verifying, not failing fast.
  if (!ok(await fn())) {
    emitResult({ case: id, size, error: 'verification failed after timing' });
    process.exitCode = 1;
    return;
  }
  emitResult({
    case: id,
    kind: c.kind,
    group: c.group,
    size,
    ns: stats.p50,
    avg: stats.avg,
    p99: stats.p99,
    min: stats.min,
    samples: stats.samples.length,
    ticks: stats.ticks,
  });
}

main().catch((e) => {
  emitResult({ case: id, size, error: String(e?.stack ?? e).split('\n').slice(0, 3).join(' | ') });
  process.exitCode = 1;
});
