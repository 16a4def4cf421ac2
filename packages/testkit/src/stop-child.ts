import type { ChildProcess } from 'node:child_process';

/** Sends `signal` to the child by its PID and waits for the exit; SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess | undefined, options: { signal: NodeJS.Signals; graceMs: number }): Promise<void> {
  const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;
  if (!child || child.pid === undefined || exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, options.signal);
  const timer = setTimeout(() => {
    if (child.pid !== undefined && !exited(child)) process.kill(child.pid, 'SIGKILL');
  }, options.graceMs);
  await gone;
  clearTimeout(timer);
}
