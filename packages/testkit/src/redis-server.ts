// Starts and stops real redis-server processes for the tests: loopback only, no persistence,
// a free port each, stopped by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describeIfFound, freePort, relaunch, sleep } from './lib/processes.js';
import { stopChild } from './stop-child.js';
import { trackChild } from './track-child.js';

/** The redis-server binary: $REDIS_SERVER when set (and only it), else the first on PATH, else /usr/bin/redis-server. */
export function findRedisServer(): string | undefined {
  const explicit = process.env.REDIS_SERVER;
  const candidates = explicit ? [explicit] : [...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'redis-server')), '/usr/bin/redis-server'];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return undefined;
}

const MISSING = process.env.REDIS_SERVER
  ? `redis-server not found: REDIS_SERVER=${process.env.REDIS_SERVER} is not an executable file`
  : 'redis-server not found (set REDIS_SERVER, put it on PATH, or install it: apt-get install -y redis-server)';

/**
 * describe() for tests that need redis-server. Without the binary: in CI (CI=true) one test fails
 * with the reason; locally the suite is skipped and the reason is printed.
 */
export function describeWithRedis(name: string, fn: () => void): void {
  describeIfFound(name, findRedisServer() !== undefined, MISSING, 'Redis', fn);
}

/** One PING over a raw socket: true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      data += chunk.toString();
      if (data.includes('\r\n')) finish(data.startsWith('+PONG'));
    });
  });
}

export interface RedisServerOptions {
  /** Start in cluster mode (one node holding all 16 384 slots). */
  cluster?: boolean;
  /** More redis-server arguments, after ours (`--replicaof`, `--cluster-node-timeout`, ...). */
  args?: readonly string[];
  /**
   * Run as a Sentinel (`redis-server <conf> --sentinel`) with these config lines (`sentinel monitor
   * ...`). The file is written once, in the server's own folder: Sentinel rewrites it as it learns.
   */
  sentinel?: string;
}

export class RedisServer {
  #child: ChildProcess | undefined;
  #output = '';
  #dir: string | undefined;

  private constructor(
    readonly binary: string,
    readonly port: number,
    readonly options: RedisServerOptions,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The process is up (started and not exited). */
  get running(): boolean {
    const child = this.#child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Starts redis-server on a free loopback port and waits until it answers PING. */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const binary = findRedisServer();
    if (!binary) throw new Error(MISSING);
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const server = new RedisServer(binary, await freePort(), options);
      try {
        await server.#launch();
        return server;
      } catch (e) {
        // Another process may have taken the port between probing and binding: try another.
        lastError = e;
        await server.stop();
      }
    }
    throw lastError;
  }

  async #launch(): Promise<void> {
    // Its own folder, always: a replica writes the RDB of a full sync to its --dir even with
    // `--save ''`, and a server loads any dump.rdb it finds there at start (the cwd, by default).
    const dir = (this.#dir ??= mkdtempSync(join(tmpdir(), 'hookguard-redis-')));
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', dir];
    if (this.options.sentinel !== undefined) {
      const conf = join(dir, 'sentinel.conf');
      if (!existsSync(conf)) writeFileSync(conf, `${this.options.sentinel}\n`);
      args.unshift(conf, '--sentinel');
    } else {
      // A restart comes back empty, as documented: no persistence, and no RDB left from a sync.
      rmSync(join(dir, 'dump.rdb'), { force: true });
      // No 5 s wait before a full sync to a replica (Redis' default, for more replicas to join it).
      args.push('--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0');
    }
    if (this.options.cluster) {
      rmSync(join(dir, 'nodes.conf'), { force: true });
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-announce-ip', '127.0.0.1');
    }
    if (this.options.args) args.push(...this.options.args);
    this.#output = '';
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    // Left running when the test process exits: SIGKILL by PID, and its folder goes.
    trackChild(child, { cleanup: () => rmSync(dir, { recursive: true, force: true }) });
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      const failed = await Promise.race([spawnError, sleep(0).then(() => undefined)]);
      if (failed) throw failed;
      if (await ping(this.port)) return;
      await sleep(25);
    }
    throw new Error(`redis-server on port ${this.port} did not answer PING:\n${this.#output}`);
  }

  /** Sends a signal by PID and waits for the process to exit (bounded; SIGKILL after 5 s). */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await stopChild(this.#child, { signal, graceMs: 5_000 });
  }

  /** Starts the server again on the same port (after kill()). Data is gone: there is no persistence. */
  async restart(): Promise<void> {
    await this.kill('SIGKILL');
    await relaunch(() => this.#launch(), () => this.kill('SIGKILL'));
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
  }
}
