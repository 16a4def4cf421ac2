// Starts the app scripts of this folder as child processes (node <app>.js), reads the URL each one
// prints, reads their handler counters, and stops them by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { StatsSnapshot } from './app-common.js';

export type AppName = 'express' | 'koa' | 'nestjs';
const SCRIPTS: Record<AppName, string> = { express: 'express-app.js', koa: 'koa-app.js', nestjs: 'nest-app.js' };

// Every app still running when the test process exits is killed by its PID (the apps also exit
// on their own when their stdin, held by this process, closes).
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

export interface AppProcess {
  name: AppName;
  url: string;
  pid: number;
  /** Still running (never restarted: the test checks the same PID answers after a Redis restart). */
  alive(): boolean;
  stats(): Promise<StatsSnapshot>;
  /** SIGTERM by PID, then SIGKILL after 5 s; waits for the exit. */
  stop(): Promise<void>;
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.pid !== undefined && !exited(child)) process.kill(child.pid, 'SIGKILL');
  }, 5_000);
  await gone;
  clearTimeout(timer);
  child.stdin?.destroy();
}

/** Starts one app and resolves once it printed its URL (at most `readyTimeoutMs`). */
export async function startApp(name: AppName, env: Record<string, string>, readyTimeoutMs = 30_000): Promise<AppProcess> {
  const script = fileURLToPath(new URL(SCRIPTS[name], import.meta.url));
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.NODE_TEST_CONTEXT; // the app is not a test file
  const child = spawn(process.execPath, [script], { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  let timer: NodeJS.Timeout | undefined;
  try {
    const ready = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        try {
          const msg = JSON.parse(line) as { ready?: boolean; url?: string; pid?: number };
          if (msg.ready && msg.url && msg.pid) resolve({ url: msg.url, pid: msg.pid });
        } catch {
          // not our line
        }
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => reject(new Error(`${name} app exited (${code ?? signal}) before it was ready:\n${stderr}`)));
      timer = setTimeout(() => reject(new Error(`${name} app not ready after ${readyTimeoutMs} ms:\n${stderr}`)), readyTimeoutMs);
    });
    return {
      name,
      url: ready.url,
      pid: ready.pid,
      alive: () => !exited(child),
      stats: async () => {
        const res = await fetch(`${ready.url}/_stats`, { signal: AbortSignal.timeout(10_000) });
        if (res.status !== 200) throw new Error(`${name} /_stats answered ${res.status}`);
        return (await res.json()) as StatsSnapshot;
      },
      stop: () => stopChild(child),
    };
  } catch (e) {
    await stopChild(child);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** Sums one counter for one message id over every process. */
export function total(snapshots: StatsSnapshot[], counter: 'runs' | 'successes' | 'failures', id: string): number {
  return snapshots.reduce((sum, s) => sum + (s[counter][id] ?? 0), 0);
}
