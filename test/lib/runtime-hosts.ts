// Starts the contract app (runtime-app.ts) on real runtimes — Node, Bun, Deno, workerd — for
// runtimes.test.ts: each entry point of runtime-entries/ is bundled with esbuild into a temporary
// folder, from the compiled test files and the BUILT @hookguard/web and @hookguard/core
// (packages/*/dist/esm, resolved through their exports maps: what npm pack ships), then run by the
// runtime's own binary on 127.0.0.1. The handler runs of every runtime come back to one collector
// server in this process (see runtime-app.ts).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { runtimeBinary, runtimeBinaryCandidates, type RuntimeName } from '@hookguard/testkit';
import { HandlerLog } from './fixture.js';
import type { RuntimeLog } from './runtime-app.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const ENTRIES = fileURLToPath(new URL('./runtime-entries/', import.meta.url));
const START_MS = 20_000;

export type { RuntimeName };

interface RuntimeSpec {
  name: RuntimeName;
  /** Where the client's address comes from, for the test names. */
  address: string;
  /** esbuild's platform for the bundle. */
  platform: 'node' | 'neutral';
}

export const RUNTIMES: RuntimeSpec[] = [
  { name: 'node', address: "the socket's remoteAddress", platform: 'node' },
  { name: 'bun', address: 'server.requestIP(request)', platform: 'neutral' },
  { name: 'deno', address: 'info.remoteAddr', platform: 'neutral' },
  {
    name: 'workerd',
    address: "CF-Connecting-IP, set on every request by the workerd socket (injectRequestHeaders) as Cloudflare's edge sets it",
    platform: 'neutral',
  },
];

/** The binary (testkit's runtimeBinary), or an error that says the install is broken. */
export function binaryOf(spec: RuntimeSpec): string {
  const bin = runtimeBinary(spec.name);
  if (bin !== undefined) return bin;
  throw new Error(
    `${spec.name}: no executable at ${runtimeBinaryCandidates(spec.name).join(' or ')}. ${spec.name} is a devDependency of @hookguard/web (hoisted to the root node_modules), ` +
      `so a missing binary means a broken install (its platform package was not installed, or its postinstall failed): reinstall, do not skip.`,
  );
}

export interface RunningRuntime {
  name: RuntimeName;
  url: string;
  /** The handler runs, counted in this process. */
  log: HandlerLog;
  /** What the runtime's verifier hooks saw (GET /__log). */
  remoteLog(): Promise<RuntimeLog>;
  /** The bundle's inputs, relative to the e2e workspace. */
  inputs: string[];
  stderr(): string;
  stop(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

/** The collector: POST /<runtime>/run { route, id, behavior } runs the fixture's HandlerLog and says what to answer. */
export class Collector {
  readonly logs = new Map<string, HandlerLog>();
  #server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  log(runtime: string): HandlerLog {
    let log = this.logs.get(runtime);
    if (!log) this.logs.set(runtime, (log = new HandlerLog()));
    return log;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/(\w+)\/run$/.exec(req.url ?? '');
    if (!m || req.method !== 'POST') return json(res, 404, { error: 'not found' });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { route, id, behavior } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { route: string; id?: string; behavior?: string };
    try {
      json(res, 200, { status: await this.log(m[1]!).run(route, id, { behavior }) });
    } catch (e) {
      const status = (e as { status?: unknown }).status;
      json(res, 200, { throw: { message: (e as Error).message, ...(typeof status === 'number' ? { status } : {}) } });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#server) return resolve();
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The workerd config: one worker with nodejs_compat, one socket on 127.0.0.1, fetch() allowed to loopback (the collector). */
function workerdConfig(port: number, compatibilityDate: string, collector: string): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # The default global outbound allows public addresses only; the collector is on 127.0.0.1.
    (name = "internet", network = (allow = ["public", "local"])),
  ],
  sockets = [
    ( name = "http", address = "127.0.0.1:${port}", service = "main",
      http = (injectRequestHeaders = [(name = "CF-Connecting-IP", value = "127.0.0.1")]) ),
  ],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.mjs", esModule = embed "workerd.mjs")],
  compatibilityDate = "${compatibilityDate}",
  compatibilityFlags = ["nodejs_compat"],
  bindings = [(name = "COLLECTOR", text = ${JSON.stringify(collector)})],
);
`;
}

/** Bounded: resolves with the port from `listening <port>`, or once `ready` answers; rejects after START_MS. */
function waitForStart(child: ChildProcess, name: string, err: () => string, ready?: () => Promise<boolean>): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    let out = '';
    let settled = false;
    const finish = (e: Error | undefined, port?: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (e) reject(e);
      else resolve(port);
    };
    const timer = setTimeout(() => finish(new Error(`${name}: not listening within ${START_MS / 1000} s; stderr: ${err()}`)), START_MS);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) finish(undefined, Number(m[1]));
    });
    child.once('error', (e) => finish(e));
    child.once('exit', (code, signal) => finish(new Error(`${name}: exited (${code ?? signal}) before listening; stderr: ${err()}`)));
    if (ready) {
      const poll = async () => {
        for (let i = 0; i < START_MS / 100 && !settled; i++) {
          if (await ready()) return finish(undefined, undefined);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      void poll();
    }
  });
}

/** Bundles the runtime's entry point into `dir` and starts it; bounded by START_MS. */
export async function startRuntime(spec: RuntimeSpec, collector: Collector, dir: string): Promise<RunningRuntime> {
  const bin = binaryOf(spec);
  const outfile = join(dir, `${spec.name}.mjs`);
  const result = await build({
    entryPoints: [join(ENTRIES, `${spec.name}.js`)],
    bundle: true,
    outfile,
    format: 'esm',
    platform: spec.platform,
    external: ['node:*'],
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const collectorUrl = `${collector.url}/${spec.name}`;
  let port: number | undefined;
  let args: string[];
  if (spec.name === 'workerd') {
    port = await freePort();
    const date = /(\d{4}-\d{2}-\d{2})/.exec(execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 }))?.[1] ?? '2025-09-01';
    writeFileSync(join(dir, 'workerd.capnp'), workerdConfig(port, date, collectorUrl));
    args = ['serve', join(dir, 'workerd.capnp')];
  } else if (spec.name === 'deno') args = ['run', '-A', '--no-prompt', outfile, collectorUrl];
  else args = [outfile, collectorUrl];

  const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (err.length < 20_000) err += d.toString();
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const ready =
      port === undefined
        ? undefined
        : async () => {
            try {
              return (await fetch(`http://127.0.0.1:${port}/__log`, { signal: AbortSignal.timeout(1_000) })).status === 200;
            } catch {
              return false;
            }
          };
    port = (await waitForStart(child, spec.name, () => err, ready)) ?? port;
  } catch (e) {
    await stop();
    throw e;
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    name: spec.name,
    url,
    log: collector.log(spec.name),
    remoteLog: async () => (await (await fetch(`${url}/__log`, { signal: AbortSignal.timeout(5_000) })).json()) as RuntimeLog,
    inputs,
    stderr: () => err,
    stop,
  };
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-runtimes-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
