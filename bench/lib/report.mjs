// Ratios, targets (PASS/MISS) and the markdown tables printed at the end of a run.
import { CASES, floorOf, LIST_PRESETS, PRESETS } from '../verify/cases.mjs';
import { sizeLabel } from './body.mjs';
import { HS_ALGORITHMS, PUBLIC_KEY_TARGETS } from '../verify/public-key-cases.mjs';

const fmtNs = (ns) => (ns === undefined ? '—' : Math.round(ns).toLocaleString('en-US'));
const fmtX = (x) => (x === undefined || !Number.isFinite(x) ? '—' : `${x.toFixed(2)}x`);
const fmtInt = (n) => (n === undefined ? '—' : Math.round(n).toLocaleString('en-US'));

function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((h, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/** ns[case][size] from the verify cells. */
function index(cells) {
  const ns = {};
  for (const c of cells) (ns[c.case] ??= {})[c.size] = c.ns;
  return ns;
}

/** Fastest other row of the same group (same scheme, same work), and its ns. */
function bestPeer(caseId, size, ns) {
  const me = CASES.find((c) => c.id === caseId);
  let best;
  for (const c of CASES) {
    if (c.id === caseId || c.group !== me.group) continue;
    const v = ns[c.id]?.[size];
    if (v !== undefined && (best === undefined || v < best.ns)) best = { id: c.id, ns: v };
  }
  return best;
}

export function verifyRatios(cells, sizes) {
  const ns = index(cells);
  const rows = [];
  for (const c of CASES) {
    if (!ns[c.id]) continue;
    const row = { case: c.id, label: c.label, kind: c.kind, group: c.group, bySize: {} };
    for (const size of sizes) {
      const v = ns[c.id][size];
      if (v === undefined) continue;
      const floor = c.kind === 'floor' ? undefined : ns[floorOf(c.group)]?.[size];
      const peer = bestPeer(c.id, size, ns);
      row.bySize[size] = { ns: v, xFloor: floor ? v / floor : undefined, xPeer: peer ? v / peer.ns : undefined, peer: peer?.id };
    }
    rows.push(row);
  }
  return rows;
}

const VENDOR_PAIRS = [
  ['hookguard-sw-v1-payload', 'standardwebhooks'],
  ['hookguard-sw-v1', 'standardwebhooks-noparse'],
  ['hookguard-sw-v1-payload', 'svix'],
  ['hookguard-stripe-payload', 'stripe'],
  ['hookguard-github', 'octokit'],
  ['hookguard-github-payload', 'octokit-json'],
  ['hookguard-paddle-payload', 'paddle-sdk'],
  ['hookguard-paddle', 'paddle-sdk-noparse'],
  ['hookguard-square', 'square-sdk'],
  ['hookguard-square', 'square-legacy'],
  // twilio-node's validateRequest needs the parameters as an object: its row parses the form, so it is
  // measured against hookguard's verify + payload (which parses it too).
  ['hookguard-twilio-payload', 'twilio-sdk'],
  ['hookguard-twilio-json', 'twilio-sdk-json'],
];
// Linear's freshness and Mailgun's signature are inside the body, so their verify reads it (a scan, a
// fraction of a JSON.parse): not an HMAC-floor job. GitLab computes no HMAC at all.
const VERIFY_ONLY = ['sw-v1', 'sw-v1a', 'stripe', 'github', 'slack', 'shopify', ...PRESETS.filter((p) => !['linear', 'mailgun', 'gitlab'].includes(p))];
const WORST = ['sw-v1', 'sw-v1a', 'stripe', 'github', 'slack', 'shopify', ...LIST_PRESETS, ...HS_ALGORITHMS.map((alg) => `hs-${alg}`)];

/** Every target of the issue, with the measured ratio and PASS/MISS (a MISS never fails the run). */
export function evaluateTargets({ cells, sizes, http, store, web }) {
  const ns = index(cells);
  const targets = [];
  const add = (t) => targets.push({ ...t, result: t.value === undefined ? 'n/a' : t.value <= t.limit ? 'PASS' : 'MISS' });

  for (const scheme of VERIFY_ONLY) {
    const id = `hookguard-${scheme}`;
    const floorId = floorOf(`${scheme}:verify`);
    for (const size of sizes) {
      const limit = size <= 1024 ? 1.3 : size >= 256 * 1024 ? 1.05 : undefined;
      if (limit === undefined) continue;
      const v = ns[id]?.[size];
      const f = ns[floorId]?.[size];
      add({ target: 'verify-only vs floor', subject: id, against: floorId, size, value: v && f ? v / f : undefined, limit });
    }
  }
  for (const scheme of WORST) {
    for (const size of sizes) {
      const w = ns[`worst-${scheme}`]?.[size];
      const h = ns[`hookguard-${scheme}`]?.[size];
      add({ target: 'worst unauthenticated request vs honest verify', subject: `worst-${scheme}`, against: `hookguard-${scheme}`, size, value: w && h ? w / h : undefined, limit: 2 });
    }
  }
  for (const size of sizes) {
    const v = ns['hookguard-sw-v1-payload']?.[size];
    const h = ns['hand-sw-json']?.[size];
    add({ target: 'verify+payload vs hand-written + JSON.parse', subject: 'hookguard-sw-v1-payload', against: 'hand-sw-json', size, value: v && h ? v / h : undefined, limit: 1.05 });
  }
  for (const [hg, vendor] of VENDOR_PAIRS) {
    for (const size of sizes) {
      const v = ns[hg]?.[size];
      const p = ns[vendor]?.[size];
      // "Faster than": a ratio below 1 (equal is not faster).
      add({ target: 'faster than the vendor library', subject: hg, against: vendor, size, value: v && p ? v / p : undefined, limit: 0.999999 });
    }
  }
  // discord(), sendgrid(), httpSignature(): at most 1.1x the crypto floor at 1 KiB, faster than the vendor library at every size.
  for (const t of PUBLIC_KEY_TARGETS) {
    for (const size of sizes) {
      const v = ns[t.subject]?.[size];
      const f = ns[t.floor]?.[size];
      if (size === 1024) add({ target: 'public-key verify vs crypto floor', subject: t.subject, against: t.floor, size, value: v && f ? v / f : undefined, limit: 1.1 });
      const p = ns[t.vendor]?.[size];
      add({ target: 'faster than the vendor library', subject: t.subject, against: t.vendor, size, value: v && p ? v / p : undefined, limit: 0.999999 });
    }
  }
  if (http) {
    for (const [fw, min] of [
      ['koa', 0.9],
      ['express', 0.95],
      ['fastify', 0.9],
    ]) {
      const hg = http.rows.find((r) => r.variant === `${fw}-hookguard`);
      const hand = http.rows.find((r) => r.variant === `${fw}-hand`);
      // Expressed as hand/hookguard so that, like the others, lower is better and the limit is a maximum.
      // The median of the per-round ratios (each hookguard run against the hand run beside it).
      const ratio = http.ratio?.[fw]?.median ?? (hg && hand ? hg.rps / hand.rps : undefined);
      targets.push({
        target: `HTTP ${fw}: req/s of hookguard / hand verify`,
        subject: `${fw}-hookguard`,
        against: `${fw}-hand`,
        value: ratio,
        limit: min,
        direction: 'min',
        result: ratio === undefined ? 'n/a' : ratio >= min ? 'PASS' : 'MISS',
      });
    }
  }
  if (store?.memory) {
    const m = store.memory;
    targets.push({
      target: `memory store reserve+commit per second (${m.keys.toLocaleString('en-US')} keys, as the verifier calls it)`,
      value: m.opsPerSec,
      limit: 1_000_000,
      direction: 'min',
      result: m.opsPerSec === undefined ? 'n/a' : m.opsPerSec >= 1_000_000 ? 'PASS' : 'MISS',
    });
    add({ target: `memory store bytes per key (${m.keys.toLocaleString('en-US')} keys)`, value: m.bytesPerKey, limit: 150 });
  }
  // Issue 14: @hookguard/web on Node within noise of core's verify of the same delivery. The same
  // delivery is a Fetch Request, so core's verify of it starts with reading its body; against a
  // Buffer already in memory (web/core, in the table) the ratio measures undici's body read (~8x
  // core's whole verify at 1 KiB), which no adapter can skip.
  const webNode = web?.rows?.find((r) => r.runtime === 'node');
  if (web) add({ target: "@hookguard/web verifyWebhook(request) on Node vs arrayBuffer() + core's verify of the same Request (1 KiB)", value: webNode?.webOverGlue, limit: 1.1 });
  return targets;
}

export function renderMarkdown(results) {
  const { meta, verify, http, store, targets } = results;
  const out = [];
  out.push(`# hookguard benchmark (${meta.mode})`);
  out.push('');
  out.push(`${meta.date} · node ${meta.node} · ${meta.cpu} × ${meta.cores} · load average ${meta.loadStart.map((l) => l.toFixed(2)).join(' ')} at start, ${meta.loadEnd.map((l) => l.toFixed(2)).join(' ')} at end · commit ${meta.commit}`);
  if (meta.mode === 'quick')
    out.push('\n> quick mode is a smoke run (a few samples per cell, 20 000 store keys, 1-second HTTP runs): it checks that every case verifies and rejects, not the speed. Its ratios and PASS/MISS mean nothing; `npm run bench` measures the targets.');
  if (meta.warnings.length) for (const w of meta.warnings) out.push(`\n> warning: ${w}`);

  if (verify) {
    const sizes = verify.sizes;
    const rows = verifyRatios(verify.cells, sizes);
    const rounds = Math.max(1, ...verify.cells.map((c) => c.rounds?.length ?? 1));
    out.push(`\n## Verify: ns/op (median of mitata samples in a fresh process per cell${rounds > 1 ? `; median of ${rounds} rounds` : ''})\n`);
    const spread = (id) => Math.max(...verify.cells.filter((c) => c.case === id).map((c) => c.spread ?? 1));
    out.push(
      table(
        ['case', ...sizes.map(sizeLabel), ...(rounds > 1 ? ['worst round spread'] : [])],
        rows.map((r) => [r.label, ...sizes.map((s) => fmtNs(r.bySize[s]?.ns)), ...(rounds > 1 ? [`${spread(r.case).toFixed(2)}x`] : [])]),
      ),
    );
    out.push('\n## Verify: ratio to the floor (HMAC floor; Ed25519 floor for v1a)\n');
    out.push(table(['case', ...sizes.map(sizeLabel)], rows.filter((r) => r.kind !== 'floor').map((r) => [r.label, ...sizes.map((s) => fmtX(r.bySize[s]?.xFloor))])));
    out.push('\n## Verify: ratio to the best peer (fastest other row doing the same job: same scheme, same parse)\n');
    const peerRows = rows.filter((r) => sizes.some((s) => r.bySize[s]?.peer));
    out.push(
      table(
        ['case', ...sizes.map(sizeLabel), 'best peer'],
        peerRows.map((r) => [r.label, ...sizes.map((s) => fmtX(r.bySize[s]?.xPeer)), [...new Set(sizes.map((s) => r.bySize[s]?.peer).filter(Boolean))].join(', ')]),
      ),
    );
  }

  if (http) {
    const o = http.options;
    out.push(
      `\n## HTTP: 1 KiB signed Standard Webhooks body, autocannon -c ${o.connections} -d ${o.seconds} (${o.warmSeconds > 0 ? `after ${o.warmSeconds} s of warm-up` : 'no warm-up'}), replay check on a memory store; ` +
        `${o.rounds ?? 1} round(s), medians${o.pinned ? '; server pinned to CPU 0, autocannon to CPU 1' : ''}\n`,
    );
    out.push(
      table(
        ['server', 'req/s', 'each round', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'server CPU %', 'client CPU %', '2xx', 'handled'],
        http.rows.map((r) => [
          r.label,
          fmtInt(r.rps),
          (r.rpsEach ?? [r.rps]).map(fmtInt).join(' / '),
          String(r.p50Ms),
          String(r.p99Ms),
          r.cpuUsPerReq?.toFixed(1) ?? '—',
          r.serverCpuPct?.toFixed(0) ?? '—',
          r.clientCpuPct?.toFixed(0) ?? '—',
          fmtInt(r.ok2xx),
          fmtInt(r.handled),
        ]),
      ),
    );
  }

  if (store) {
    out.push('\n## Replay stores\n');
    const m = store.memory;
    const lines = [];
    if (m)
      lines.push([
        `memory (MemoryReplayStore), ${fmtInt(m.keys)} keys: reserveSync + commit, as the verifier calls it`,
        fmtInt(m.opsPerSec),
        m.bytesPerKey?.toFixed(1) ?? '—',
        m.keyStringBytes !== undefined ? `key string (${m.keyLength} chars) ${m.keyStringBytes.toFixed(1)} + store ${m.storeOverheadBytes.toFixed(1)}` : '—',
      ]);
    if (m?.opsPerSecAwaited !== undefined) lines.push([`memory, same keys: reserve + commit, each promise awaited (the interface of every store)`, fmtInt(m.opsPerSecAwaited), '—', '—']);
    const r = store.redis;
    if (r?.skipped) lines.push([`redis: skipped: ${r.skipped}`, '—', '—', '—']);
    else if (r?.failed) lines.push([`redis: FAILED: ${r.failed}`, '—', '—', '—']);
    else if (r) lines.push([`redis (RedisReplayStore), ${r.concurrency} concurrent, ${fmtInt(r.pairs)} pairs`, fmtInt(r.opsPerSec), '—', `p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms per pair`]);
    const p = store.postgres;
    if (p?.skipped) lines.push([`postgres: skipped: ${p.skipped}`, '—', '—', '—']);
    else if (p?.failed) lines.push([`postgres: FAILED: ${p.failed}`, '—', '—', '—']);
    else if (p) {
      const trips = (x) => `${x.roundTripsPerDelivery.toFixed(2)} round trips per delivery`;
      lines.push([`postgres (PostgresReplayStore), ${p.concurrency} concurrent, ${fmtInt(p.pairs)} pairs, pool of ${p.pool}`, fmtInt(p.opsPerSec), '—', `p50 ${p.p50Ms.toFixed(2)} ms, p99 ${p.p99Ms.toFixed(2)} ms per pair; ${trips(p)}`]);
      lines.push([`postgres, same, pool of ${p.poolN.pool}`, fmtInt(p.poolN.opsPerSec), '—', `p50 ${p.poolN.p50Ms.toFixed(2)} ms, p99 ${p.poolN.p99Ms.toFixed(2)} ms per pair`]);
      lines.push([
        `postgres transactional inbox: verify + withWebhookTransaction inserting one row, ${fmtInt(p.inbox.deliveries)} deliveries, pool of ${p.inbox.pool}`,
        `${fmtInt(p.inbox.opsPerSec)} deliveries/s`,
        '—',
        `p50 ${p.inbox.p50Ms.toFixed(2)} ms, p99 ${p.inbox.p99Ms.toFixed(2)} ms; ${trips(p.inbox)} (reserve, BEGIN, INSERT, done row, COMMIT)`,
      ]);
    }
    out.push(table(['store', 'reserve+commit/s', 'bytes/key', 'notes'], lines));
  }

  const mtlsRows = results.mtls?.rows ?? [];
  if (mtlsRows.length) {
    out.push('\n## mTLS: per-request cost of the certificate check (1 KiB body, Standard Webhooks v1 + mtls())\n');
    const base = mtlsRows[0].nsPerOp;
    out.push(table(['case', 'ns/op', 'added by mTLS'], mtlsRows.map((r, i) => [r.name, fmtInt(r.nsPerOp), i === 0 ? '—' : `+${fmtInt(r.nsPerOp - base)} ns`])));
  }

  const webRows = results.web?.rows ?? [];
  if (webRows.length) {
    const r0 = webRows[0];
    out.push(`\n## @hookguard/web: 1 KiB Standard Webhooks v1, replay off (median of ${r0.rounds} rounds of ${r0.n}; each runtime one process, the same bundled loop)\n`);
    const x = (v) => (v === undefined ? '—' : `${v.toFixed(2)}x`);
    out.push(
      table(
        ['runtime', 'core verify (Buffer) ns/op', 'arrayBuffer() + core ns/op', 'web verifyWebhook ns/op', 'web / core', 'web / arrayBuffer() + core', "web / Node's web", 'worst round spread'],
        webRows.map((r) => [`${r.runtime} ${r.version}`, fmtInt(r.core.nsPerOp), fmtInt(r.glue.nsPerOp), fmtInt(r.web.nsPerOp), x(r.webOverCore), x(r.webOverGlue), x(r.webOverNodeWeb), x(Math.max(r.core.spread, r.glue.spread, r.web.spread))]),
      ),
    );
  }

  if (targets?.length) {
    out.push('\n## Targets (a MISS is reported, never fails the run)\n');
    const sized = targets.filter((t) => t.size !== undefined);
    const sizes = [...new Set(sized.map((t) => t.size))].sort((a, b) => a - b);
    const keyOf = (t) => `${t.target}|${t.subject}|${t.against}`;
    const groups = new Map();
    for (const t of sized) {
      if (!groups.has(keyOf(t))) groups.set(keyOf(t), []);
      groups.get(keyOf(t)).push(t);
    }
    if (sized.length) out.push(
      table(
        ['target', 'row', 'vs', 'limit', ...sizes.map(sizeLabel)],
        [...groups.values()].map((ts) => {
          const t0 = ts[0];
          const limit = t0.target.startsWith('faster') ? '< 1x' : t0.target.startsWith('verify-only') ? '≤ 1.3x (≤1 KiB), ≤ 1.05x (≥256 KiB)' : `≤ ${t0.limit}x`;
          return [t0.target, t0.subject, t0.against, limit, ...sizes.map((s) => {
            const t = ts.find((x) => x.size === s);
            return t ? `${fmtX(t.value)} ${t.result}` : '';
          })];
        }),
      ),
    );
    const other = targets.filter((t) => t.size === undefined);
    if (other.length) {
      if (sized.length) out.push('');
      out.push(
        table(
          ['target', 'measured', 'limit', 'result'],
          other.map((t) => [
            t.target,
            t.target.startsWith('HTTP') || t.target.startsWith('@hookguard/web') ? fmtX(t.value) : t.target.includes('bytes') ? (t.value?.toFixed(1) ?? '—') : fmtInt(t.value),
            t.direction === 'min' ? `≥ ${t.target.startsWith('HTTP') ? `${t.limit}x` : fmtInt(t.limit)}` : `≤ ${t.limit}`,
            t.result,
          ]),
        ),
      );
    }
    const missed = targets.filter((t) => t.result === 'MISS').length;
    out.push(`\n${targets.length - missed - targets.filter((t) => t.result === 'n/a').length} PASS, ${missed} MISS`);
  }

  if (results.failures.length) {
    out.push('\n## Correctness failures\n');
    for (const f of results.failures) out.push(`- ${f}`);
  }
  return out.join('\n');
}

/**
 * The whole output of `--smoke`: one line saying what ran and that every correctness check passed
 * (exit 0), or which checks failed (exit 1), one per line below it. No figures and no targets: a
 * smoke run checks that the bench works, not the speed.
 */
export function renderSmokeLine(results) {
  const { verify, http, store, mtls, failures, meta } = results;
  const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const ran = [];
  if (verify) ran.push(plural(verify.cells.length, 'verify cell'));
  if (http) ran.push(plural(http.rows.length, 'HTTP server'));
  if (store) {
    const shared = (name, r) => (r?.skipped ? ` (${name} skipped: ${r.skipped})` : r?.failed ? ` + ${name} failed` : r ? ` + ${name}` : '');
    ran.push(`store: ${store.memory?.opsPerSec !== undefined ? 'memory' : 'memory failed'}${shared('redis', store.redis)}${shared('postgres', store.postgres)}`);
  }
  if (mtls) ran.push(plural(mtls.rows.length, 'mTLS case'));
  if (results.web) ran.push(`web on ${results.web.rows.map((r) => r.runtime).join(', ') || 'no runtime'}`);
  const built = meta.warnings.some((w) => w.startsWith('the build failed')) ? '; the build failed, the existing dist/ was run' : '';
  const took = `${Math.round(meta.durationSec)} s`;
  if (failures.length === 0) return `bench smoke: ${ran.join(', ') || 'nothing selected'}; correctness checks passed${built} (${took})`;
  return [
    `bench smoke: ${plural(failures.length, 'correctness check')} FAILED (ran ${ran.join(', ')}${built}; ${took}; details in bench/results/smoke.json):`,
    ...failures.map((f) => `  - ${f}`),
  ].join('\n');
}
