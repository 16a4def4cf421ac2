// The verification loop of the web section, runtime-neutral (bundled by section.mjs with esbuild
// from the BUILT @hookguard/core and @hookguard/web, then run by Node, Bun, Deno and workerd).
// One 1 KiB Standard Webhooks delivery; `core`: core's verifier.verify() of it as a raw-body
// middleware holds it (Buffer body); `web`: @hookguard/web's verifyWebhook(request) of the same
// delivery as a Fetch Request (its body read by the adapter); `glue`: request.arrayBuffer() then
// core's verify, the least any Fetch glue does (what the runtime's body read costs). All three with
// replay off, as the verify section's rows (the store is measured in its own section), and all
// three parse the payload, as every adapter asks core to ({ parse: true }).
import { Buffer } from 'node:buffer';
import { createVerifier, sign, standardWebhooks } from '@hookguard/core';
import { verifyWebhook } from '@hookguard/web';

const SECRET = 'whsec_' + Buffer.alloc(24, 7).toString('base64');
const text = JSON.stringify({ type: 'invoice.paid', data: { invoiceId: 'in_1', pad: '' } });
const body = Buffer.from(text.replace('"pad":""', `"pad":"${'x'.repeat(1024 - text.length)}"`));
// A fixed timestamp (2026-01-01): a Worker's clock reads 0 at module load; the tolerance covers it.
const headers = { 'content-type': 'application/json', ...sign.standardWebhooks({ secret: SECRET, body, id: 'msg_bench', timestamp: 1_767_225_600 }) };
const URL_ = 'http://127.0.0.1/webhooks';
// One options object: verifyWebhook builds its verifier once per options object.
const options = { scheme: standardWebhooks({ secret: SECRET }), replay: false, toleranceSec: 1e9 };
const core = createVerifier(options);
const PARSE = { parse: true };
const coreRequest = { method: 'POST', url: '/webhooks', headers, body };
const tampered = Buffer.from(body);
tampered[tampered.length - 3] ^= 1;

/** What a Fetch server hands the handler; built before timing (the runtime's cost, not ours). */
const webRequest = (b = body) => new Request(URL_, { method: 'POST', headers, body: b });

/** Asserts both paths accept the delivery and refuse it with one body byte changed; throws otherwise. */
export async function check() {
  const a = await core.verify(coreRequest, PARSE);
  const b = await verifyWebhook(webRequest(), options);
  if (a.id !== 'msg_bench' || b.id !== 'msg_bench') throw new Error('the signed delivery did not verify');
  for (const [name, f] of [['core', () => core.verify({ ...coreRequest, body: tampered }, PARSE)], ['web', () => verifyWebhook(webRequest(tampered), options)]]) {
    const code = await f().then(() => 'accepted', (e) => e?.code);
    if (code !== 'SIGNATURE_MISMATCH') throw new Error(`${name}: a tampered body gave ${code}, not SIGNATURE_MISMATCH`);
  }
}

let batch = [];
export const KINDS = ['core', 'glue', 'web'];

/** Builds the next `n` inputs of `kind` (untimed). */
function prepare(kind, n) {
  batch = kind === 'core' ? Array.from({ length: n }, () => coreRequest) : Array.from({ length: n }, () => webRequest());
}

/** Verifies the prepared inputs, one after the other (the timed part). */
async function run(kind) {
  if (kind === 'web') for (const r of batch) await verifyWebhook(r, options);
  else if (kind === 'glue')
    // The least a hand-written Fetch glue does: the runtime's own body read, then core (no bound on the body).
    for (const r of batch) await core.verify({ method: r.method, url: '/webhooks', headers: Object.fromEntries(r.headers), body: Buffer.from(await r.arrayBuffer()) }, PARSE);
  else for (const r of batch) await core.verify(r, PARSE);
  const n = batch.length;
  batch = [];
  return n;
}

/**
 * Median ns/op of each kind over `rounds` rounds of `n`, timed with `now()` (ms) — for runtimes
 * whose clock advances while code runs. Each round times every kind, so a slow patch of the
 * machine hits both; `spread` is the slowest round over the fastest.
 */
export async function measure(n, rounds, now) {
  const samples = Object.fromEntries(KINDS.map((k) => [k, []]));
  for (let r = -1; r < rounds; r++) {
    for (const kind of KINDS) {
      prepare(kind, n);
      const t0 = now();
      await run(kind);
      if (r >= 0) samples[kind].push(((now() - t0) * 1e6) / n); // round -1: warm-up
    }
  }
  const stat = (s) => (s.sort((x, y) => x - y), { nsPerOp: s[s.length >> 1], spread: s[s.length - 1] / s[0] });
  return Object.fromEntries(KINDS.map((k) => [k, stat(samples[k])]));
}
