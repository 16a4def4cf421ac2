// A benchmark server, started by the runner as a child process with an IPC channel:
//   BENCH_WHSEC=whsec_... node bench/http/server.mjs <express-hookguard|express-hand|koa-hookguard|koa-hand>
// Listens on 127.0.0.1 (free port), sends { type: 'ready', port }. On 'begin' it takes a
// process.cpuUsage() baseline and zeroes its counters; on 'end' it answers { type: 'stats' } with
// the CPU time and request counts since 'begin'. Stopped by the runner by PID (SIGTERM).
import http from 'node:http';
import { handVerifyStandardWebhooks } from '../lib/hand-verify.mjs';

const variant = process.argv[2];
const secret = process.env.BENCH_WHSEC;
if (!secret) throw new Error('BENCH_WHSEC is required');
const TOLERANCE_SEC = 10 * 365 * 24 * 3600;
// Enough for every request of a full run, warm-up included: a full store would answer 503.
const MAX_KEYS = 4_000_000;
const LIMIT = 1024 * 1024;

let requests = 0;
let handled = 0;
// Since start, warm-up included (for profiles of a whole server run).
let requestsSinceStart = 0;

// ---- hand-written path: what an application without hookguard would write ----------------------
const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
// id -> 1 (being handled) | 2 (done): set-if-absent before the handler, done after it.
const seen = new Map();

/** Verify, de-duplicate, parse: returns [status, body object] for the rejections, or the payload. */
function handHandle(headers, body) {
  const id = handVerifyStandardWebhooks(headers, body, key, TOLERANCE_SEC, Date.now() / 1000);
  if (id === undefined) return { status: 401, answer: { code: 'SIGNATURE_MISMATCH' } };
  const state = seen.get(id);
  if (state === 2) return { status: 200, answer: { received: true, duplicate: true } };
  if (state === 1) return { status: 409, answer: { code: 'REPLAY_IN_FLIGHT' } };
  if (seen.size >= MAX_KEYS) return { status: 503, answer: { code: 'REPLAY_STORE_UNAVAILABLE' } };
  let payload;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    return { status: 400, answer: { code: 'MALFORMED_PAYLOAD' } };
  }
  seen.set(id, 1);
  return { id, payload };
}

/** raw-body-style read: chunks up to a limit, then one Buffer. */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let length = 0;
    req.on('data', (c) => {
      length += c.length;
      if (length > limit) {
        reject(Object.assign(new Error('too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length)));
    req.on('error', reject);
  });
}

// ---- the four apps ------------------------------------------------------------------------------
async function hookguardVerifier({ replay = true } = {}) {
  const core = await import('@hookguard/core');
  return core.createVerifier({
    scheme: core.standardWebhooks({ secret }),
    toleranceSec: TOLERANCE_SEC,
    replay: replay ? { store: new core.MemoryReplayStore({ maxKeys: MAX_KEYS }) } : false,
  });
}

async function expressApp(hand, mode) {
  const { default: express } = await import('express');
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  if (hand) {
    app.post('/webhooks', express.raw({ type: () => true, limit: LIMIT }), (req, res) => {
      const r = handHandle(req.headers, req.body);
      if (r.status) return res.status(r.status).json(r.answer);
      handled++;
      res.json({ received: true });
      seen.set(r.id, 2);
    });
  } else if (mode === 'core') {
    // Diagnostic: express.raw, then core's verify and settle called directly, without the adapter.
    const verifier = await hookguardVerifier();
    app.post('/webhooks', express.raw({ type: () => true, limit: LIMIT }), async (req, res) => {
      let webhook;
      try {
        webhook = await verifier.verify({ method: req.method, url: req.url, headers: req.headers, body: req.body }, { parse: true });
      } catch (e) {
        res.status(e.code === 'DUPLICATE' ? 200 : (e.status ?? 500)).json(e.code === 'DUPLICATE' ? { received: true, duplicate: true } : { code: e.code });
        return;
      }
      handled++;
      res.json({ received: true });
      await webhook.settle({ status: 200 });
    });
  } else {
    const { verifyWebhook } = await import('@hookguard/express');
    // mode 'raw' (diagnostic): express.raw reads the body, the adapter takes req.body.
    const before = mode === 'raw' ? [express.raw({ type: () => true, limit: LIMIT })] : [];
    app.post('/webhooks', ...before, verifyWebhook({ verifier: await hookguardVerifier({ replay: mode !== 'noreplay' }) }), (req, res) => {
      handled++;
      res.json({ received: true });
    });
  }
  return app;
}

async function koaApp(hand, mode) {
  const { default: Koa } = await import('koa');
  const { default: Router } = await import('@koa/router');
  const app = new Koa();
  const router = new Router();
  if (hand) {
    router.post('/webhooks', async (ctx) => {
      let body;
      try {
        body = await readBody(ctx.req, LIMIT);
      } catch (e) {
        ctx.status = e.status ?? 400;
        ctx.body = { code: 'BODY' };
        return;
      }
      const r = handHandle(ctx.req.headers, body);
      if (r.status) {
        ctx.status = r.status;
        ctx.body = r.answer;
        return;
      }
      handled++;
      ctx.body = { received: true };
      seen.set(r.id, 2);
    });
  } else if (mode === 'core') {
    // Diagnostic: the hand-written body read, then core's verify (replay on) and settle, without
    // the adapter: separates the adapter's cost from core's.
    const verifier = await hookguardVerifier();
    router.post('/webhooks', async (ctx) => {
      const body = await readBody(ctx.req, LIMIT);
      let webhook;
      try {
        webhook = await verifier.verify({ method: ctx.method, url: ctx.url, headers: ctx.req.headers, body }, { parse: true });
      } catch (e) {
        ctx.status = e.code === 'DUPLICATE' ? 200 : (e.status ?? 500);
        ctx.body = e.code === 'DUPLICATE' ? { received: true, duplicate: true } : { code: e.code };
        return;
      }
      handled++;
      ctx.body = { received: true };
      await webhook.settle({ status: 200 });
    });
  } else {
    const { verifyWebhook } = await import('@hookguard/koa');
    router.post('/webhooks', verifyWebhook({ verifier: await hookguardVerifier({ replay: mode !== 'noreplay' }) }), (ctx) => {
      handled++;
      ctx.body = { received: true };
    });
  }
  app.use(router.routes());
  return app.callback();
}

async function fastifyApp(hand, mode) {
  const { default: Fastify } = await import('fastify');
  let app;
  // The runner counts requests on this server's 'request' event, as for the other frameworks.
  const fastify = Fastify({ bodyLimit: LIMIT, serverFactory: (handler) => (app = http.createServer(handler)) });
  if (hand) {
    // What a Fastify app without hookguard writes: a buffer parser that keeps the bytes, then verify.
    fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    fastify.post('/webhooks', async (request, reply) => {
      const r = handHandle(request.headers, request.body);
      if (r.status) return reply.code(r.status).send(r.answer);
      handled++;
      seen.set(r.id, 2);
      return { received: true };
    });
  } else {
    const { verifyWebhook } = await import('@hookguard/fastify');
    fastify.post('/webhooks', verifyWebhook({ verifier: await hookguardVerifier({ replay: mode !== 'noreplay' }) }, async () => {
      handled++;
      return { received: true };
    }));
  }
  await fastify.ready();
  return { server: app };
}

const builders = {
  'express-hookguard': () => expressApp(false),
  'express-hand': () => expressApp(true),
  'express-core': () => expressApp(false, 'core'),
  'express-hookguard-raw': () => expressApp(false, 'raw'),
  'express-hookguard-noreplay': () => expressApp(false, 'noreplay'),
  'koa-hookguard': () => koaApp(false),
  'koa-hand': () => koaApp(true),
  // Diagnostics (`--http-diag`): where the Koa adapter's cost goes.
  'koa-core': () => koaApp(false, 'core'),
  'koa-hookguard-noreplay': () => koaApp(false, 'noreplay'),
  'fastify-hookguard': () => fastifyApp(false),
  'fastify-hand': () => fastifyApp(true),
  'fastify-hookguard-noreplay': () => fastifyApp(false, 'noreplay'),
};
if (!builders[variant]) throw new Error(`unknown variant ${variant}`);

const built = await builders[variant]();
// Fastify builds its own http.Server (serverFactory); the others hand over a request listener.
const server = built.server ?? http.createServer(built);
server.keepAliveTimeout = 30_000;
server.on('request', () => {
  requests++;
  requestsSinceStart++;
});

// BENCH_PROFILE_DIR=<dir>: a CPU profile of the measured window only, written as <variant>.cpuprofile
// (inspect with bench/lib/cpuprofile-top.mjs --per=<requests>).
const profileDir = process.env.BENCH_PROFILE_DIR;
let profiler;
if (profileDir) {
  const { Session } = await import('node:inspector/promises');
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
}

let cpu0 = process.cpuUsage();
let t0 = process.hrtime.bigint();
process.on('message', async (m) => {
  if (m?.type === 'begin') {
    if (profiler) void profiler.post('Profiler.start');
    requests = 0;
    handled = 0;
    cpu0 = process.cpuUsage();
    t0 = process.hrtime.bigint();
    process.send({ type: 'begun' });
  } else if (m?.type === 'end') {
    const cpu = process.cpuUsage(cpu0);
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(`${profileDir}/${variant}.cpuprofile`, JSON.stringify(profile));
      console.error(`profile: ${profileDir}/${variant}.cpuprofile (${requests} requests)`);
    }
    process.send({ type: 'stats', userUs: cpu.user, systemUs: cpu.system, requests, handled, requestsSinceStart, elapsedMs: Number(process.hrtime.bigint() - t0) / 1e6, heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20 });
  }
});
// The runner went away: do not linger.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
});

server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
