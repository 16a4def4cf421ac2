// Section 5: @hookguard/web. On Node, verifyWebhook(request) of a Fetch Request against core's
// verify of the same delivery (same process, rounds interleaved: the ratio is the adapter's cost);
// then the same loop (loop.mjs) on Bun, Deno and workerd, each a ratio to Node's. loop.mjs is
// bundled once with esbuild from the built packages (packages/*/dist/esm, as the runtime tests
// do), so all four run the same code. The runtimes are @hookguard/web's devDependencies; nothing
// is downloaded. Each runtime is one child process, run one after the other, bounded in time and
// stopped by its PID.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimeBinary, runtimeBinaryCandidates } from '@hookguard/testkit';
import { RESULT_PREFIX, killPid } from '../lib/child.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const RUN_MS = 60_000; // per runtime, start-up included

// Each runtime's binary, where npm put it (testkit's runtimeBinary, shared with test/lib/runtime-hosts.ts).
const RUNTIMES = ['node', 'bun', 'deno', 'workerd'].map((name) => ({ name }));
const binaryOf = (spec) => runtimeBinary(spec.name);

const versionOf = (name, bin) => {
  if (name === 'node') return process.version;
  try {
    const line = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 }).split('\n')[0].trim();
    return line.replace(/^(deno|workerd) /, '').replace(/ \(.*$/, '');
  } catch {
    return 'unknown';
  }
};

/** Runs `bin args` to completion (killed by PID after RUN_MS); the parsed result line or { error }. */
function runChild(bin, args, cwd) {
  return new Promise((done) => {
    const child = spawn(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => err.length < 8000 && (err += d));
    const timer = setTimeout(() => killPid(child.pid, 'SIGKILL'), RUN_MS);
    child.on('error', (e) => done({ error: e.message }));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (line) return done(JSON.parse(line.slice(RESULT_PREFIX.length)));
      done({ error: `exit ${code ?? signal}, no result: ${err.trim().split('\n').slice(-3).join(' | ')}` });
    });
  });
}

const freePort = () =>
  new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

/** workerd: `workerd serve` of the bundled worker.mjs on 127.0.0.1; one GET /measure runs the loop. */
async function runWorkerd(bin, dir, n, rounds) {
  const port = await freePort();
  const date = /(\d{4}-\d{2}-\d{2})/.exec(versionOf('workerd', bin))?.[1] ?? '2025-09-01';
  writeFileSync(
    join(dir, 'bench.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.mjs", esModule = embed "worker.mjs")],
  compatibilityDate = "${date}",
  compatibilityFlags = ["nodejs_compat"],
);
`,
  );
  const child = spawn(bin, ['serve', join(dir, 'bench.capnp')], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => err.length < 8000 && (err += d));
  const deadline = Date.now() + RUN_MS;
  const get = async (path) => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${(await r.text()).slice(0, 300)}`);
    return r;
  };
  try {
    for (;;) {
      try {
        await get('/noop');
        break;
      } catch (e) {
        if (Date.now() > deadline - 40_000 || child.exitCode !== null) throw new Error(`not serving within 20 s (${e.message}); stderr: ${err.trim().slice(-300)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return await (await get(`/measure?n=${n}&rounds=${rounds}`)).json();
  } catch (e) {
    return { error: e.message };
  } finally {
    const exited = new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
    killPid(child.pid, 'SIGTERM');
    const t = setTimeout(() => killPid(child.pid, 'SIGKILL'), 3_000);
    await exited;
    clearTimeout(t);
  }
}

export async function runWebSection({ quick, smoke = false, log }) {
  // --smoke checks that each runtime verifies and refuses (check()), timing next to nothing.
  const n = smoke ? 50 : quick ? 300 : 4000;
  const rounds = smoke ? 1 : quick ? 3 : 9;
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-bench-web-'));
  const failures = [];
  const rows = [];
  try {
    const { build } = await import('esbuild');
    for (const entry of ['cli', 'worker'])
      await build({ entryPoints: [join(here, `${entry}.mjs`)], bundle: true, outfile: join(dir, `${entry}.mjs`), format: 'esm', platform: 'neutral', external: ['node:*'], logLevel: 'silent' });
    for (const spec of RUNTIMES) {
      const bin = binaryOf(spec);
      if (!bin) {
        failures.push(`web: ${spec.name}: no binary at ${runtimeBinaryCandidates(spec.name).join(' or ')} (a devDependency of @hookguard/web: broken install)`);
        continue;
      }
      const version = versionOf(spec.name, bin);
      const cli = join(dir, 'cli.mjs');
      const r =
        spec.name === 'workerd'
          ? await runWorkerd(bin, dir, smoke ? n : Math.max(n, 3000), rounds) // 1 ms clock steps: batches of >= ~20 ms
          : await runChild(bin, spec.name === 'deno' ? ['run', '-A', '--no-prompt', cli, String(n), String(rounds)] : [cli, String(n), String(rounds)], dir);
      if (r.error) {
        failures.push(`web: ${spec.name}: ${r.error.split('\n')[0]}`);
        log(`  ${spec.name}: FAILED ${r.error.split('\n')[0]}`);
        continue;
      }
      rows.push({ runtime: spec.name, version, n: spec.name === 'workerd' && !smoke ? Math.max(n, 3000) : n, rounds, core: r.core, glue: r.glue, web: r.web });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const node = rows.find((r) => r.runtime === 'node');
  for (const r of rows) {
    r.webOverCore = r.web.nsPerOp / r.core.nsPerOp;
    r.webOverGlue = r.web.nsPerOp / r.glue.nsPerOp;
    if (node) r.webOverNodeWeb = r.web.nsPerOp / node.web.nsPerOp;
    const ns = (x) => Math.round(x).toLocaleString('en-US').padStart(7);
    log(
      `  ${`${r.runtime} ${r.version}`.padEnd(20)} core ${ns(r.core.nsPerOp)}  glue ${ns(r.glue.nsPerOp)}  web ${ns(r.web.nsPerOp)} ns/op` +
        `  web/core ${r.webOverCore.toFixed(2)}x  web/glue ${r.webOverGlue.toFixed(2)}x${node ? `  web/Node's web ${r.webOverNodeWeb.toFixed(2)}x` : ''}` +
        `  spread ${Math.max(r.core.spread, r.glue.spread, r.web.spread).toFixed(2)}`,
    );
  }
  return { rows, failures };
}
