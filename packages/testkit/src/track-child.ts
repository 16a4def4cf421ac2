import type { ChildProcess } from 'node:child_process';

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

// Every tracked child still running when the test process exits gets its signal by its PID, and
// its cleanup runs (a server's temp folder): nothing a test started outlives the test process.
const tracked = new Map<ChildProcess, { signal: NodeJS.Signals; cleanup: (() => void) | undefined }>();
process.once('exit', () => {
  for (const [child, { signal, cleanup }] of tracked) {
    if (child.pid !== undefined && !exited(child)) {
      try {
        process.kill(child.pid, signal);
      } catch {
        // already gone
      }
    }
    cleanup?.();
  }
});

/** Keeps `child` in the exit-time sweep (default signal SIGKILL) until it exits. */
export function trackChild(child: ChildProcess, options: { signal?: NodeJS.Signals; cleanup?: () => void } = {}): void {
  tracked.set(child, { signal: options.signal ?? 'SIGKILL', cleanup: options.cleanup });
  child.once('exit', () => tracked.delete(child));
}
