// Starts and stops real PostgreSQL servers for the tests: initdb into a temp folder, the postmaster
// as our own child process (so its PID is ours to signal and its exit is ours to see), loopback TCP
// only, no Unix socket, fsync off. initdb refuses to run as root: as root, both run as the
// `postgres` OS user.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describeIfFound, freePort, relaunch, sleep } from './lib/processes.js';
import { stopChild } from './stop-child.js';
import { trackChild } from './track-child.js';

const isExecutable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The folder holding initdb and postgres: $POSTGRES_BIN when set (and only it), else the newest
 * /usr/lib/postgresql/<major>/bin (Debian's layout), else the first folder on PATH with both.
 */
export function findPostgresBin(): string | undefined {
  const has = (dir: string) => isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'postgres'));
  const explicit = process.env.POSTGRES_BIN;
  if (explicit) return has(explicit) ? explicit : undefined;
  let majors: string[] = [];
  try {
    majors = readdirSync('/usr/lib/postgresql').filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
  } catch {
    // not Debian's layout
  }
  for (const dir of [...majors.map((m) => `/usr/lib/postgresql/${m}/bin`), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)]) if (has(dir)) return dir;
  return undefined;
}

const MISSING = process.env.POSTGRES_BIN
  ? `PostgreSQL not found: POSTGRES_BIN=${process.env.POSTGRES_BIN} holds no executable initdb and postgres`
  : 'PostgreSQL not found (set POSTGRES_BIN to the folder with initdb and postgres, or install it: apt-get install -y postgresql)';

/**
 * describe() for tests that need a PostgreSQL server. Without the binaries: in CI (CI=true) one
 * test fails with the reason; locally the suite is skipped and the reason is printed.
 */
export function describeWithPostgres(name: string, fn: () => void): void {
  describeIfFound(name, findPostgresBin() !== undefined, MISSING, 'PostgreSQL', fn);
}

/** True once something accepts TCP connections on the port (the postmaster listens before it is ready; see #launch). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => finish(true));
  });
}

/** As root, the `postgres` OS user's uid and gid (initdb and postgres refuse to run as root). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0 || !Number.isInteger(gid)) throw new Error('running as root, and there is no `postgres` OS user to run initdb and postgres as');
  return { uid, gid };
}

export interface PostgresServerOptions {
  /** Extra `-c name=value` settings for the postmaster. */
  settings?: Readonly<Record<string, string>>;
}

export class PostgresServer {
  #child: ChildProcess | undefined;
  #output = '';

  private constructor(
    readonly bin: string,
    readonly port: number,
    readonly dir: string,
    readonly options: PostgresServerOptions,
  ) {}

  /** Superuser `hookguard`, trust authentication on loopback, database `postgres`. */
  get url(): string {
    return `postgres://hookguard@127.0.0.1:${this.port}/postgres`;
  }

  /** The postmaster's PID (undefined when stopped). */
  get pid(): number | undefined {
    const child = this.#child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /** The server's log so far (its last 8 000 characters), for failure messages. */
  get log(): string {
    return this.#output;
  }

  /** initdb into a fresh temp folder, then starts the server on a free loopback port and waits until it takes queries. */
  static async start(options: PostgresServerOptions = {}): Promise<PostgresServer> {
    const bin = findPostgresBin();
    if (!bin) throw new Error(MISSING);
    const user = serverUser();
    const dir = mkdtempSync(join(tmpdir(), 'hookguard-pg-'));
    if (user) chownSync(dir, user.uid, user.gid);
    const data = join(dir, 'data');
    const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'hookguard', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'], {
      ...user,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (init.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`initdb failed (${init.status ?? init.signal ?? init.error?.message}):\n${(init.stderr ?? '').slice(-4000)}`);
    }
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const server = new PostgresServer(bin, await freePort(), dir, options);
      try {
        await server.#launch(user);
        return server;
      } catch (e) {
        // Another process may have taken the port between probing and binding: try another.
        lastError = e;
        await server.kill('SIGQUIT');
      }
    }
    rmSync(dir, { recursive: true, force: true });
    throw lastError;
  }

  async #launch(user = serverUser()): Promise<void> {
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: '',
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_connections: '200',
      ...this.options.settings,
    };
    const args = ['-D', join(this.dir, 'data'), '-p', String(this.port)];
    for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
    this.#output = '';
    const child = spawn(join(this.bin, 'postgres'), args, { ...user, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    // Left running when the test process exits: an immediate shutdown by PID (SIGQUIT, which ends
    // the backends too), and the folder goes.
    const dir = this.dir;
    trackChild(child, { signal: 'SIGQUIT', cleanup: () => rmSync(dir, { recursive: true, force: true }) });
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    // 'ready to accept connections' is logged once recovery is over; a TCP accept alone comes earlier.
    for (let i = 0; i < 400; i++) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      const failed = await Promise.race([spawnError, sleep(0).then(() => undefined)]);
      if (failed) throw failed;
      if (this.#output.includes('ready to accept connections') && (await accepts(this.port))) return;
      await sleep(25);
    }
    throw new Error(`postgres on port ${this.port} did not become ready:\n${this.#output}`);
  }

  /**
   * Signals the postmaster by PID and waits for it to exit (bounded: SIGKILL after 10 s).
   * SIGINT: fast shutdown (backends end, clients are disconnected); SIGQUIT: immediate shutdown.
   */
  async kill(signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
    await stopChild(this.#child, { signal, graceMs: 10_000 });
  }

  /** Starts the server again on the same port and data folder (after kill()); committed data is kept. */
  async restart(): Promise<void> {
    await this.kill('SIGINT');
    await relaunch(() => this.#launch(), () => this.kill('SIGQUIT'));
  }

  /** Fast shutdown by PID, then the temp folder is removed. */
  async stop(): Promise<void> {
    await this.kill('SIGINT');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
