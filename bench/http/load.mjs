// The load generator, a child of the runner (IPC):
//   BENCH_WHSEC=whsec_... node bench/http/load.mjs <connections> <seconds> <warmup-seconds>
// Started beside the server (both boot at once); the runner then sends { type: 'target', url }.
// 1. correctness: a signed delivery is handled (200), the same again is a duplicate (200
//    {duplicate:true}, handler not run), a tampered body is refused (401);
// 2. warm-up run, then { type: 'warmed' }; waits for { type: 'go' };
// 3. the measured autocannon run, then { type: 'result' }.
// Every request carries its own message id, signed before the run (replay protection is on in the
// server, so a repeated id would be answered as a duplicate instead of being handled).
import { createHmac, randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { makeBody } from '../lib/body.mjs';

const [connArg, secondsArg, warmArg] = process.argv.slice(2);
let url;
const connections = Number(connArg);
const seconds = Number(secondsArg);
const warmSeconds = Number(warmArg);
const secret = process.env.BENCH_WHSEC;
const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
const body = makeBody(1024, 'evt_http_0001');
const tag = randomBytes(4).toString('hex');
const ts = String(Math.floor(Date.now() / 1000));

let next = 0;
function signed(n) {
  const id = `msg_${tag}_${n}`;
  const sig = createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest('base64');
  return [id, `v1,${sig}`];
}

// Pre-signed pool; refilled ahead of each run from the rate seen so far. If a run still outruns
// it, ids are signed on the fly (counted in `signedDuringRun`): never repeated.
let pool = [];
let poolStart = 0;
let signedDuringRun = 0;
function fillPool(count) {
  poolStart = next;
  pool = new Array(count);
  for (let i = 0; i < count; i++) pool[i] = signed(next + i);
}
function take() {
  const n = next++;
  const i = n - poolStart;
  if (i < pool.length) return pool[i];
  signedDuringRun++;
  return signed(n);
}

function post(headers, payload) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });
}

async function correctness() {
  const [id, sig] = take();
  const headers = { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': sig };
  const first = await post(headers, body);
  const firstBody = await first.json();
  if (first.status !== 200 || firstBody.received !== true || firstBody.duplicate) throw new Error(`a signed delivery got ${first.status} ${JSON.stringify(firstBody)}`);
  const again = await post(headers, body);
  const againBody = await again.json();
  // BENCH_REPLAY=off: a diagnostic server without replay protection handles the repeat again.
  const duplicateExpected = process.env.BENCH_REPLAY !== 'off';
  if (again.status !== 200 || (againBody.duplicate === true) !== duplicateExpected) throw new Error(`a duplicate got ${again.status} ${JSON.stringify(againBody)}`);
  const [id2, sig2] = take();
  const bad = Buffer.from(body);
  bad[bad.length - 3] ^= 1;
  const tampered = await post({ 'webhook-id': id2, 'webhook-timestamp': ts, 'webhook-signature': sig2 }, bad);
  await tampered.arrayBuffer();
  if (tampered.status !== 401) throw new Error(`a tampered body got ${tampered.status}`);
}

function run(duration) {
  return autocannon({
    url,
    connections,
    duration,
    timeout: 10,
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest(req) {
          const [id, sig] = take();
          req.headers['webhook-id'] = id;
          req.headers['webhook-timestamp'] = ts;
          req.headers['webhook-signature'] = sig;
          return req;
        },
      },
    ],
  });
}

function waitFor(type) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m?.type === type) {
        process.off('message', on);
        resolve(m);
      }
    };
    process.on('message', on);
  });
}

async function main() {
  const target = waitFor('target');
  process.send({ type: 'booted' });
  url = (await target).url;
  fillPool(1000);
  await correctness();
  let warmRps = 20_000;
  if (warmSeconds > 0) {
    fillPool(Math.ceil(warmSeconds * 40_000) + 1000);
    warmRps = (await run(warmSeconds)).requests.average;
  }
  // Twice the warm-up rate, for the whole measured run.
  fillPool(Math.ceil(Math.max(warmRps, 1000) * seconds * 2) + 1000);
  signedDuringRun = 0;
  process.send({ type: 'warmed', warmRps });
  await waitFor('go');
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = await run(seconds);
  const cpu = process.cpuUsage(cpu0);
  const clientCpuPct = (100 * (cpu.user + cpu.system)) / (Number(process.hrtime.bigint() - t0) / 1e3);
  process.send({
    type: 'result',
    rps: r.requests.average,
    total: r.requests.total,
    ok2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    p50: r.latency.p50,
    p99: r.latency.p99,
    durationSec: r.duration,
    signedDuringRun,
    clientCpuPct,
  });
}

process.on('disconnect', () => process.exit(0));
main().then(
  () => process.disconnect?.(),
  (e) => {
    process.send({ type: 'error', message: String(e?.message ?? e) });
    process.exitCode = 1;
  },
);
