// Child processes for the benchmark: every cell runs in a fresh node process, and every
// process started here is stopped by its PID (never by name).
import { spawn, fork } from 'node:child_process';

export const RESULT_PREFIX = '@@bench-result ';

/** Print the result of a cell for the parent (one line, JSON). */
export function emitResult(value) {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(value)}\n`);
}

/**
 * Runs `node [execArgv] script args` to completion (or kills it after timeoutMs) and returns the
 * parsed result line, the exit code and the captured stderr.
 */
export function runCell(script, args, { execArgv = [], timeoutMs = 60_000, env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...execArgv, script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: env ? { ...process.env, ...env } : process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killPid(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      let result;
      try {
        result = line ? JSON.parse(line.slice(RESULT_PREFIX.length)) : undefined;
      } catch {
        result = undefined;
      }
      resolve({ result, code, signal, timedOut, stderr: stderr.slice(-4000) });
    });
  });
}

/** Sends a signal to one PID; an already gone process is not an error. */
export function killPid(pid, signal = 'SIGTERM') {
  if (!pid) return;
  try {
    process.kill(pid, signal);
  } catch {
    // Already exited.
  }
}

/** Forks a node script with an IPC channel (servers, load generators). */
export function forkChild(script, args = [], { env, execArgv = [] } = {}) {
  return fork(script, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: env ? { ...process.env, ...env } : process.env, execArgv });
}

/** The next IPC message of `type` from a child, or a rejection after timeoutMs or on exit. */
export function nextMessage(child, type, timeoutMs) {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (m) => {
      if (m && m.type === type) {
        cleanup();
        resolve(m);
      } else if (m && m.type === 'error') {
        cleanup();
        reject(new Error(m.message));
      }
    };
    const onExit = (code, signal) => {
      cleanup();
      reject(new Error(`child exited (code ${code}, signal ${signal}) while waiting for '${type}'`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no '${type}' message within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Stops a child by PID: SIGTERM, then SIGKILL if it has not exited after graceMs. */
export function stopChild(child, graceMs = 3_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => killPid(child.pid, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    killPid(child.pid, 'SIGTERM');
  });
}
