// Starts app.js processes (fork, with an IPC channel), restarts one on its port after a kill,
// and stops them by PID. Every app still running when the test process exits is SIGKILLed by PID.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild, trackChild } from '@hookguard/testkit';

const SCRIPT = fileURLToPath(new URL('./app.js', import.meta.url));

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

export interface CrashReport {
  crash: 'before-write' | 'after-write' | 'after-commit';
  id: string;
  pid: number;
}

/**
 * One app, across restarts: `url` stays the same (the same port), `pid` changes. `onCrash` is
 * called when the app reports it reached a delivery's crash point; the test then kills it.
 */
export class AppProcess {
  #child: ChildProcess | undefined;
  #port = 0;
  url = '';
  onCrash: ((report: CrashReport, app: AppProcess) => void) | undefined;

  constructor(
    readonly name: string,
    readonly env: Record<string, string>,
  ) {}

  get pid(): number | undefined {
    const child = this.#child;
    return child && !exited(child) ? child.pid : undefined;
  }

  /** Starts the app (on its old port after a kill) and resolves once it listens (at most 30 s). */
  async start(): Promise<void> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.env, APP_NAME: this.name, PORT: String(this.#port) };
    delete env.NODE_TEST_CONTEXT; // the app is not a test file
    for (let attempt = 0; ; attempt++) {
      const child = fork(SCRIPT, [], { env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      this.#child = child;
      trackChild(child);
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
      });
      child.on('message', (m: Partial<CrashReport>) => {
        if (m.crash && this.onCrash) this.onCrash(m as CrashReport, this);
      });
      let timer: NodeJS.Timeout | undefined;
      try {
        const url = await new Promise<string>((resolve, reject) => {
          child.on('message', (m: { ready?: boolean; url?: string }) => {
            if (m.ready && m.url) resolve(m.url);
          });
          child.once('error', reject);
          child.once('exit', (code, signal) => reject(new Error(`${this.name} exited (${code ?? signal}) before it listened:\n${stderr}`)));
          timer = setTimeout(() => reject(new Error(`${this.name} not listening after 30 s:\n${stderr}`)), 30_000);
        });
        this.url = url;
        this.#port = Number(new URL(url).port);
        return;
      } catch (e) {
        await this.kill();
        // The old port can take a moment to be free after a kill (EADDRINUSE): try again, bounded.
        if (attempt >= 10 || this.#port === 0) throw e;
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** SIGKILL by PID; resolves once the process is gone. */
  kill(): Promise<void> {
    return stopChild(this.#child, { signal: 'SIGKILL', graceMs: 5_000 });
  }

  /** SIGTERM by PID (SIGKILL after 5 s); resolves once the process is gone. */
  stop(): Promise<void> {
    return stopChild(this.#child, { signal: 'SIGTERM', graceMs: 5_000 });
  }
}
