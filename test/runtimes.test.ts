// @hookguard/web on real runtimes: Node 20 (node:http bridged to Fetch), Bun (Bun.serve), Deno
// (Deno.serve) and workerd (a module Worker with nodejs_compat). Each runs the contract app
// (lib/runtime-app.ts: the fixture's routes and routeOptions() behind withWebhook), bundled by
// esbuild at test time from the BUILT @hookguard/web and @hookguard/core (packages/*/dist/esm —
// what npm pack ships), on 127.0.0.1. Every shared contract case must get the status, code and
// handler runs Express, Koa and NestJS give it; then the replay semantics of contract.test.ts,
// exactly-once under concurrent copies, and the body limit with and without Content-Length.
// A runtime whose binary is missing fails its tests: the runtimes are devDependencies.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { MAX_BODY } from './lib/fixture.js';
import { nextId, send, standard, tenantBody, type Answer, type Delivery } from './lib/deliveries.js';
import { assertAnswer, cases } from './lib/contract-cases.js';
import { recordCode, writeCodes } from './lib/code-coverage.js';
import { Collector, RUNTIMES, startRuntime, tempDir, type RunningRuntime, type RuntimeName } from './lib/runtime-hosts.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Every test is bounded, and so is the run: the runtimes' processes and the collector keep this
// process alive, so a wait that never ended (a handler run that never came) used to hang the run
// with after() never reached. Now such a test fails, and after() stops them. Start-up (at most
// 40 s) and the tests share one deadline; after() then takes a few seconds at most.
const TEST_MS = 20_000;
const RUN_MS = 80_000;
const deadline = Date.now() + RUN_MS;

/** `promise`, or a failure after `ms` (the timer does not outlive the wait). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** assertAnswer, and for an answer that is not a rejection, that it carries no problem document and no code. */
function expectAnswer(a: Answer, status: number, code: string | undefined, what: string): void {
  assertAnswer(a, status, code, what);
  if (code !== undefined) return;
  assert.doesNotMatch(a.contentType, /problem\+json/, `${what}: not a rejection`);
  assert.equal(a.body?.code, undefined, `${what}: no error code`);
}

const collector = new Collector();
const temp = tempDir();
const started = new Map<RuntimeName, Promise<RunningRuntime>>();

before(async () => {
  await collector.start();
  // All at once: bundling and start-up overlap (each bounded to 20 s).
  for (const spec of RUNTIMES) {
    const p = startRuntime(spec, collector, temp.dir);
    p.catch(() => undefined); // reported by the runtime's own tests
    started.set(spec.name, p);
  }
  await Promise.allSettled(started.values());
}, { timeout: 40_000 });

after(async () => {
  writeCodes('runtimes');
  await Promise.allSettled([...started.values()].map(async (p) => (await p).stop()));
  await collector.close();
  temp.remove();
}, { timeout: 15_000 });

/** Where a case's web form differs from the Node adapters', said in its test name. */
const NOTES: Record<string, string> = {
  'body already parsed by another parser': ' (web: an earlier middleware read await request.text())',
};

/** Waits (bounded: 2 s) until the runtime's onSettleFailed hook has reported `n` failures. */
async function settleFailures(rt: RunningRuntime, n: number): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const { settleFailed } = await rt.remoteLog();
    if (settleFailed.length >= n) return settleFailed;
    await sleep(20);
  }
  return (await rt.remoteLog()).settleFailed;
}

/** The status and problem code of an HTTP/1.1 answer once it is complete (Content-Length or chunked framing), else undefined. */
function completeAnswer(raw: Buffer): { status: number; code?: string } | undefined {
  const head = raw.indexOf('\r\n\r\n');
  if (head < 0) return undefined;
  const lines = raw.subarray(0, head).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const field = (name: string) => lines.find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
  let rest = raw.subarray(head + 4);
  let body: Buffer;
  const length = field('content-length');
  if (length !== undefined) {
    if (rest.length < Number(length)) return undefined;
    body = rest.subarray(0, Number(length));
  } else if (field('transfer-encoding')?.toLowerCase() === 'chunked') {
    const parts: Buffer[] = [];
    for (;;) {
      const eol = rest.indexOf('\r\n');
      if (eol < 0) return undefined;
      const n = parseInt(rest.subarray(0, eol).toString('latin1'), 16);
      if (n === 0) break;
      if (rest.length < eol + 2 + n + 2) return undefined;
      parts.push(rest.subarray(eol + 2, eol + 2 + n));
      rest = rest.subarray(eol + 2 + n + 2);
    }
    body = Buffer.concat(parts);
  } else return undefined;
  let code: string | undefined;
  try {
    code = (JSON.parse(body.toString('utf8')) as { code?: string }).code;
  } catch {
    code = undefined;
  }
  return { status, ...(code ? { code } : {}) };
}

const PACE_MS = 20;

/**
 * A POST of `size` bytes on a raw socket, with Content-Length or chunked (none), reading while it
 * writes: a server may answer 413 and close on the unread upload (Bun does, and node:http on a
 * request it has answered), and the kernel then fails the sender's next write. Node destroys the
 * socket on that EPIPE, discarding the answer it had not read yet. So this sender lets the reads
 * come first: after the head and after each 64 KiB chunk it waits 20 ms (far longer than these
 * servers take to answer) before writing more. An answer complete before the upload finishes is the
 * outcome; writing stops there. Bounded: 10 s.
 */
function upload(base: string, d: Delivery, size: number, chunked: boolean): Promise<{ status?: number; code?: string; error?: string }> {
  return new Promise((resolve) => {
    const url = new URL(d.path, base);
    const socket = net.connect({ host: url.hostname, port: Number(url.port) });
    const received: Buffer[] = [];
    let writeError: string | undefined;
    let settled = false;
    const timers = new Set<NodeJS.Timeout>();
    const later = (ms: number, fn: () => void) => {
      const t = setTimeout(() => (timers.delete(t), fn()), ms);
      timers.add(t);
    };
    const finish = (outcome: { status?: number; code?: string; error?: string }) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      socket.destroy();
      resolve(outcome);
    };
    later(10_000, () => finish({ error: 'no answer in 10 s' }));
    socket.on('data', (c: Buffer) => {
      received.push(c);
      const answer = completeAnswer(Buffer.concat(received));
      if (answer) finish(answer);
    });
    // A reset after the answer still leaves the answer; without one, what failed is the outcome.
    socket.on('error', (e: NodeJS.ErrnoException) => (writeError ??= e.code ?? e.message));
    socket.on('close', () => finish(completeAnswer(Buffer.concat(received)) ?? { error: writeError ?? 'closed without an answer' }));
    const head = [`POST ${url.pathname} HTTP/1.1`, `host: ${url.host}`, chunked ? 'transfer-encoding: chunked' : `content-length: ${size}`];
    for (const [name, value] of Object.entries(d.headers)) head.push(`${name}: ${value}`);
    socket.write(head.join('\r\n') + '\r\n\r\n');
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const framed = chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk;
    let sent = 0;
    const next = () => {
      if (settled || !socket.writable) return;
      if (sent >= size) return void (chunked && socket.write('0\r\n\r\n'));
      sent += chunk.length;
      socket.write(framed, () => later(PACE_MS, next));
    };
    later(PACE_MS, next);
  });
}

const isDuplicateAck = (a: Answer) => a.status === 200 && a.body?.received === true && a.body?.duplicate === true;

/** A redelivery's answer: 200, no error code, acknowledged as a duplicate. */
function expectDuplicateAck(a: Answer, what: string): void {
  expectAnswer(a, 200, undefined, what);
  assert.ok(isDuplicateAck(a), `${what}: ${JSON.stringify(a.body)}`);
}

for (const spec of RUNTIMES) {
  describe(`runtime: ${spec.name} (client address from ${spec.address})`, () => {
    let rt: RunningRuntime;
    // Each test awaits its runtime: one that did not start (a missing binary) fails every test with
    // the reason, where a failing before() would only cancel them.
    const check = (name: string, fn: () => Promise<void>) =>
      test(name, async () => {
        const left = Math.min(TEST_MS, deadline - Date.now());
        if (left <= 0) throw new Error(`the run's ${RUN_MS / 1000} s are spent`);
        await within(
          (async () => {
            rt = await started.get(spec.name)!;
            await fn();
          })(),
          left,
          name,
        );
      });

    check('runs a bundle of the built @hookguard/web and @hookguard/core (packages/*/dist/esm, what npm pack ships): unsigned -> 401 MISSING_SIGNATURE from it', async () => {
      assert.ok(rt.inputs.some((p) => p.includes('packages/web/dist/esm/with-webhook.js')), rt.inputs.join('\n'));
      assert.ok(rt.inputs.some((p) => p.includes('packages/core/dist/esm/')));
      assert.deepEqual(rt.inputs.filter((p) => /packages\/[^/]+\/src\//.test(p)), []);
      expectAnswer(await send(rt.url, { path: '/webhooks/acme', headers: { 'content-type': 'application/json' }, body: '{}' }), 401, 'MISSING_SIGNATURE', 'unsigned');
    });

    for (const c of cases) {
      check(`${c.name}${NOTES[c.name] ?? ''} -> ${c.status}${c.code ? ` ${c.code}` : ''}`, async () => {
        const d = await c.delivery();
        const calls = rt.log.calls.length;
        const rejected = (await rt.remoteLog()).rejected.length;
        const a = await send(rt.url, d);
        expectAnswer(a, c.status, c.code, `${spec.name}: ${c.name}`);
        for (const [name, value] of Object.entries(c.headers ?? {})) assert.equal(a.headers.get(name), value, `${c.name}: header ${name}`);
        if (c.json !== undefined) assert.deepEqual(a.body, c.json);
        assert.equal(rt.log.calls.length - calls, c.handled ? 1 : 0, 'handler runs');
        assert.deepEqual((await rt.remoteLog()).rejected.slice(rejected), c.code ? [c.code] : []);
        if (c.code) recordCode(`web-${spec.name}`, c.code);
      });
    }

    check('duplicate of a processed message -> 200 ack, handler not run again', async () => {
      const d = standard();
      expectAnswer(await send(rt.url, d), 200, undefined, 'first');
      const rejected = (await rt.remoteLog()).rejected.length;
      expectDuplicateAck(await send(rt.url, d), 'duplicate');
      // The answer carries no code (an acknowledgement); the runtime's onRejected hook names it.
      assert.deepEqual((await rt.remoteLog()).rejected.slice(rejected), ['DUPLICATE']);
      recordCode(`web-${spec.name}`, 'DUPLICATE');
      assert.equal(rt.log.count('tenants', d.headers['webhook-id']!), 1);
    });

    check("duplicate with duplicates: 'reject' -> 409 REPLAYED", async () => {
      const d = standard({ path: '/strict/:tenant' });
      d.headers['x-tenant'] = 'acme';
      expectAnswer(await send(rt.url, d), 200, undefined, 'first');
      expectAnswer(await send(rt.url, d), 409, 'REPLAYED', 'duplicate');
      recordCode(`web-${spec.name}`, 'REPLAYED');
      assert.equal(rt.log.count('strict', d.headers['webhook-id']!), 1);
    });

    check('8 concurrent copies while the first is in the handler: 1 x 200 handled, 7 x 409 REPLAY_IN_FLIGHT; a later copy is acknowledged', async () => {
      const id = nextId();
      const d = standard({ id, body: tenantBody('acme', { behavior: 'slow' }) });
      const running = rt.log.whenRunning('tenants', id);
      const answered: Answer[] = [];
      const copies = Array.from({ length: 8 }, () => send(rt.url, d).then((a) => (answered.push(a), a)));
      await within(running, 10_000, 'the first copy reaching the handler');
      // The 7 that found the reservation are answered while the first is held (the gate opens by itself after 5 s).
      for (let i = 0; i < 200 && answered.length < 7; i++) await sleep(20);
      rt.log.open('tenants', id);
      const all = await Promise.all(copies);
      const handled = all.filter((a) => a.status === 200 && a.body?.ok === true);
      const inFlight = all.filter((a) => a.status === 409 && a.body?.code === 'REPLAY_IN_FLIGHT');
      assert.equal(handled.length, 1, JSON.stringify(all.map((a) => [a.status, a.body])));
      assert.equal(inFlight.length, 7, JSON.stringify(all.map((a) => [a.status, a.body])));
      recordCode(`web-${spec.name}`, 'REPLAY_IN_FLIGHT');
      expectDuplicateAck(await send(rt.url, d), 'later copy');
      assert.equal(rt.log.count('tenants', id), 1);
    });

    check('8 identical deliveries at once: the handler runs exactly once, every other copy is 409 REPLAY_IN_FLIGHT or a 200 duplicate ack', async () => {
      const d = standard();
      const all = await Promise.all(Array.from({ length: 8 }, () => send(rt.url, d)));
      const report = JSON.stringify(all.map((a) => [a.status, a.body]));
      assert.equal(all.filter((a) => a.status === 200 && a.body?.ok === true).length, 1, report);
      assert.equal(all.filter((a) => (a.status === 409 && a.body?.code === 'REPLAY_IN_FLIGHT') || isDuplicateAck(a)).length, 7, report);
      assert.equal(rt.log.count('tenants', d.headers['webhook-id']!), 1);
    });

    check('handler answers 500 -> the retry is processed, then acknowledged as duplicate', async () => {
      const id = nextId();
      const d = standard({ id, body: tenantBody('acme', { behavior: 'fail' }) });
      const failed = await send(rt.url, d);
      expectAnswer(failed, 500, undefined, 'first');
      assert.equal(failed.body?.ok, false, JSON.stringify(failed.body));
      expectAnswer(await send(rt.url, d), 200, undefined, 'retry');
      expectDuplicateAck(await send(rt.url, d), 'duplicate');
      assert.equal(rt.log.count('tenants', id), 2);
    });

    check('handler throws -> 500 from the app, the retry is processed', async () => {
      const id = nextId();
      const d = standard({ id, body: tenantBody('acme', { behavior: 'throw' }) });
      const thrown = await send(rt.url, d);
      expectAnswer(thrown, 500, undefined, 'first');
      assert.deepEqual(thrown.body, { error: 'handler failed' });
      expectAnswer(await send(rt.url, d), 200, undefined, 'retry');
      assert.equal(rt.log.count('tenants', id), 2);
    });

    check('handler throws an HTTP 422 error -> that answer is final: the redelivery is acknowledged, not run again', async () => {
      const id = nextId();
      const d = standard({ id, body: tenantBody('acme', { behavior: 'reject' }) });
      expectAnswer(await send(rt.url, d), 422, undefined, 'first');
      expectDuplicateAck(await send(rt.url, d), 'redelivery');
      assert.equal(rt.log.count('tenants', id), 1);
    });

    check(`the store fails after the handler ran -> the answer stands, onSettleFailed reports it${spec.name === 'workerd' ? ' (settled under ctx.waitUntil)' : ''}`, async () => {
      const id = `${nextId()}_settle_down`;
      const before = (await rt.remoteLog()).settleFailed.length;
      const a = await send(rt.url, standard({ id, path: '/down/:tenant' }));
      expectAnswer(a, 200, undefined, 'answer');
      assert.equal(rt.log.count('down', id), 1);
      assert.deepEqual((await settleFailures(rt, before + 1)).slice(before), ['REPLAY_STORE_UNAVAILABLE acme standardWebhooks']);
    });

    check('the handler sees the verified tenant', async () => {
      const a = await send(rt.url, standard({ tenant: 'globex' }));
      expectAnswer(a, 200, undefined, 'answer');
      assert.equal(a.body.tenant, 'globex');
    });

    for (const chunked of [false, true]) {
      check(`${chunked ? 'chunked, without Content-Length' : 'with Content-Length'}: 1 MiB to the ${MAX_BODY / 1024} KiB limit -> 413 BODY_TOO_LARGE, the handler does not run`, async () => {
        const calls = rt.log.calls.length;
        const rejected = (await rt.remoteLog()).rejected.length;
        const outcome = await upload(rt.url, standard(), 1024 * 1024, chunked);
        assert.deepEqual(outcome, { status: 413, code: 'BODY_TOO_LARGE' });
        assert.equal(rt.log.calls.length, calls);
        assert.deepEqual((await rt.remoteLog()).rejected.slice(rejected), ['BODY_TOO_LARGE']);
        recordCode(`web-${spec.name}`, 'BODY_TOO_LARGE');
      });
    }
  });
}
