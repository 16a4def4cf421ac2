// `npm run demo`: builds the examples (quietly), starts the Express, Koa, Fastify and NestJS example servers,
// sends each the same scripted deliveries, prints one table row per delivery (expected outcome, and
// each server's answer), one rejection as the client received it, and exits 0 only if every answer
// matched. With REDIS_URL set, the servers use the Redis replay store; the demo checks first that
// this Redis answers.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const SECRETS = {
  ACME_SECRET: 'whsec_' + Buffer.from('demo-acme-secret-0123456789ab').toString('base64'),
  GLOBEX_SECRET: 'whsec_' + Buffer.from('demo-globex-secret-0123456789').toString('base64'),
  GITHUB_WEBHOOK_SECRET: 'demo-github-secret',
};
const EXAMPLES = [
  { name: 'express', dir: 'examples/express' },
  { name: 'koa', dir: 'examples/koa' },
  { name: 'fastify', dir: 'examples/fastify' },
  { name: 'nestjs', dir: 'examples/nestjs' },
];
const HTTP_DELIVERIES = 12;
const MTLS_DELIVERIES = 8;
const REDIS_URL = process.env.REDIS_URL || undefined;

function log(line = '') {
  process.stdout.write(line + '\n');
}
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** The URL without its password, for printing. */
function shownUrl(raw) {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return JSON.stringify(raw);
  }
}

// Nothing here may hang: whatever goes wrong, the demo ends within this bound, with exit 1.
const watchdog = setTimeout(() => {
  log('');
  log(`demo: gave up after ${seconds(Date.now() - started)} (something hung; the servers are stopped).`);
  process.exit(1);
}, 120_000);
watchdog.unref();

// 0. What the demo does: the first thing on the screen.
log('hookguard demo');
log('Starts the Express, Koa, Fastify and NestJS examples on 127.0.0.1 and sends each the same');
log(`${HTTP_DELIVERIES + MTLS_DELIVERIES} scripted webhook deliveries (${HTTP_DELIVERIES} over HTTP, ${MTLS_DELIVERIES} over mutual TLS), then compares every answer`);
log('with the expected status and code. acme and globex are the two demo tenants (customers of the');
log('receiver): each has its own signing secret and its own client-certificate CA.');
log(
  REDIS_URL
    ? `Replay store: Redis at ${shownUrl(REDIS_URL)} (REDIS_URL), shared by the three servers.`
    : "Replay store: each server's own memory (set REDIS_URL=redis://127.0.0.1:6379 to share one Redis).",
);
log('');

// 1. With REDIS_URL, check up front that this Redis answers: otherwise every delivery that reaches
// the replay check is a fail-closed 503 and the table is a wall of mismatches.
function redisTarget(raw) {
  let u;
  try {
    u = new URL(raw);
  } catch {
    return { error: 'is not a URL' };
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') return { error: `uses ${u.protocol}// (the examples take redis:// or rediss://)` };
  return {
    tls: u.protocol === 'rediss:',
    host: u.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port: Number(u.port || 6379),
    username: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

const resp = (...args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/** Connects, AUTHs when the URL has a password, PINGs; settles within `timeoutMs`. */
function probeRedis(t, timeoutMs) {
  return new Promise((resolveProbe) => {
    const commands = [...(t.password ? [t.username ? resp('AUTH', t.username, t.password) : resp('AUTH', t.password)] : []), resp('PING')];
    const socket = t.tls ? tls.connect({ host: t.host, port: t.port, servername: net.isIP(t.host) ? undefined : t.host }) : net.connect({ host: t.host, port: t.port });
    let buffer = '';
    const done = (result) => {
      clearTimeout(timer);
      socket.destroy();
      resolveProbe(result);
    };
    const timer = setTimeout(() => done({ reachable: false, reason: `no answer within ${seconds(timeoutMs)}` }), timeoutMs);
    socket.once(t.tls ? 'secureConnect' : 'connect', () => socket.write(commands.join('')));
    socket.on('error', (e) => {
      const why = { ECONNREFUSED: 'connection refused', ENOTFOUND: 'host not found', EHOSTUNREACH: 'host unreachable', ECONNRESET: 'connection reset' }[e.code] ?? e.message;
      done({ reachable: false, reason: why });
    });
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      const replies = buffer.split('\r\n').slice(0, -1);
      const failed = replies.find((r) => r.startsWith('-'));
      if (failed && /^-(NOAUTH|WRONGPASS|ERR invalid password|ERR AUTH)/.test(failed))
        return done({ reachable: true, reason: t.password ? `it refused the credentials in REDIS_URL (${failed.slice(1, 40)})` : 'it requires a password (NOAUTH): put it in the URL, redis://:PASSWORD@host:port' });
      if (replies.length < commands.length) return;
      const last = replies[commands.length - 1];
      done(last === '+PONG' ? { ok: true } : { reachable: true, reason: `it answered ${JSON.stringify(last.slice(0, 40))} to PING: is it a Redis server?` });
    });
  });
}

if (REDIS_URL) {
  const target = redisTarget(REDIS_URL);
  const probe = target.error ? { reason: target.error } : await probeRedis(target, 1_500);
  if (!probe.ok) {
    const port = target.port ?? 6379;
    log(
      probe.reachable
        ? `demo: the Redis at REDIS_URL=${shownUrl(REDIS_URL)} answers, but ${probe.reason}; fix REDIS_URL, or unset it to use each server's own memory.`
        : target.error
          ? `demo: REDIS_URL=${shownUrl(REDIS_URL)} ${target.error}; set it to redis://127.0.0.1:6379, or unset it to use each server's own memory.`
          : `demo: REDIS_URL=${shownUrl(REDIS_URL)} is not reachable (${probe.reason}): start one with \`redis-server --port ${port}\` (install it with \`apt-get install -y redis-server\`), or unset REDIS_URL to use each server's own memory.`,
    );
    process.exit(1);
  }
}

// 2. Build what the examples need (packages first; turbo caches what is already built). Turbo's
// output is kept and shown only if the build fails.
process.stdout.write('Building the packages and examples... ');
const buildStart = Date.now();
const buildArgs = ['turbo', 'run', 'build', '--filter=@hookguard/example-*', '--filter=@hookguard/testkit', '--output-logs=errors-only'];
const build = spawnSync('npx', buildArgs, {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
  timeout: 300_000,
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
});
if (build.status !== 0) {
  log('failed.');
  log('');
  log(`${build.stdout ?? ''}${build.stderr ?? ''}`.trimEnd());
  log('');
  log(
    `demo: the build failed (${build.error ? build.error.message : `npx ${buildArgs.join(' ')} exited with ${build.status ?? build.signal}`}), so no example was started; its output is above.`,
  );
  process.exit(1);
}
log(`done (${seconds(Date.now() - buildStart)}).`);

const { sign } = await import('@hookguard/core');

// A throwaway PKI for the mTLS endpoints: a root, one CA per tenant, a server certificate and the
// client certificates of every case. Written to a temp folder, deleted at the end.
const { createTestPki } = await import('@hookguard/testkit');
const pki = await createTestPki();
const mtlsDir = mkdtempSync(join(tmpdir(), 'hookguard-demo-pki-'));
for (const [file, pem] of [
  ['root.pem', pki.root.cert],
  ['acme-ca.pem', pki.tenantCa.acme.cert],
  ['globex-ca.pem', pki.tenantCa.globex.cert],
  ['server.pem', pki.server.cert],
  ['server.key', pki.server.key],
])
  writeFileSync(join(mtlsDir, file), pem, { mode: 0o600 });
const MTLS_ENV = { MTLS_DIR: mtlsDir, MTLS_PORT: '0', MTLS_REVOKED_SERIALS: pki.clients.revoked.serial };

// 3. The example servers, on free ports; every one started is stopped at exit.
const children = [];
function stopAll() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  rmSync(mtlsDir, { recursive: true, force: true });
}
process.on('exit', stopAll);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

function start(example) {
  const main = join(root, example.dir, 'dist', 'main.js');
  if (!existsSync(main)) return Promise.reject(new Error(`${example.dir}/dist/main.js is missing after the build`));
  const child = spawn(process.execPath, [main], { cwd: join(root, example.dir), env: { ...process.env, ...SECRETS, ...MTLS_ENV, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines = [];
  child.stderr.on('data', (d) => lines.push(String(d)));
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start within 30 s: ${lines.join('').trim().split('\n').slice(-5).join(' | ')}`)), 30_000);
    let buffer = '';
    child.stdout.on('data', (d) => {
      if (buffer === undefined) return; // listening already: the rest is the server's log
      buffer += String(d);
      const http = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(buffer);
      const https = /mtls listening on (https:\/\/localhost:\d+)/.exec(buffer);
      if (http && https) {
        clearTimeout(timer);
        buffer = undefined;
        resolveUrl({ http: http[1], https: https[1] });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code ?? signal} before listening: ${lines.join('').trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

// 4. The scripted deliveries (fresh message ids for each server).
let seq = 0;
const id = () => `msg_demo_${Date.now()}_${++seq}`;
const now = () => Math.floor(Date.now() / 1000);
const body = (tenant, extra = {}) => JSON.stringify({ type: 'invoice.paid', account: `acct_${tenant}`, amount: 4200, ...extra });
function standard({ tenant = 'acme', signer = tenant, payload = body(tenant), msgId = id(), timestamp } = {}) {
  const secret = signer === 'acme' ? SECRETS.ACME_SECRET : SECRETS.GLOBEX_SECRET;
  const headers = sign.standardWebhooks({ secret, body: payload, id: msgId, ...(timestamp ? { timestamp } : {}) });
  return { path: `/webhooks/${tenant}`, headers: { 'content-type': 'application/json', ...headers }, body: payload };
}

function httpScript() {
  const valid = standard();
  const flaky = standard({ payload: body('acme', { simulate: 'failure' }) });
  const gh = JSON.stringify({ action: 'opened', issue: { number: ++seq } });
  return [
    ['valid delivery', valid, 200, 'processed'],
    ['tampered body', { ...valid, body: valid.body.replace('4200', '9999') }, 401, 'SIGNATURE_MISMATCH', 'sample'],
    ['stale (10 minutes old)', standard({ timestamp: now() - 600 }), 401, 'TIMESTAMP_OUT_OF_TOLERANCE'],
    ['replayed (same delivery again)', valid, 200, 'duplicate'],
    ["wrong tenant: globex's key on acme's URL", standard({ tenant: 'acme', signer: 'globex' }), 401, 'SIGNATURE_MISMATCH'],
    ["wrong tenant: acme signs globex's account", standard({ tenant: 'acme', payload: body('globex') }), 403, 'CLAIM_MISMATCH'],
    ['unknown tenant (initech)', { ...standard(), path: '/webhooks/initech' }, 404, 'UNKNOWN_TENANT'],
    ['unsigned', { path: '/webhooks/acme', headers: { 'content-type': 'application/json' }, body: body('acme') }, 401, 'MISSING_SIGNATURE'],
    ['oversized (300 KiB, limit 256 KiB)', standard({ payload: JSON.stringify({ account: 'acct_acme', pad: 'x'.repeat(300 * 1024) }) }), 413, 'BODY_TOO_LARGE'],
    ['handler fails (first attempt)', flaky, 500, 'handler error'],
    ['retry after the failure', flaky, 200, 'processed'],
    ['GitHub delivery', { path: '/github', headers: { 'content-type': 'application/json', 'x-github-event': 'issues', ...sign.github({ secret: SECRETS.GITHUB_WEBHOOK_SECRET, body: gh }) }, body: gh }, 200, 'processed'],
  ].map(([name, d, status, outcome, tag]) => ({ name, d, status, outcome, tag, via: 'http' }));
}

/** The mTLS endpoint: certificate AND signature. */
function mtlsScript() {
  const c = pki.clients;
  return [
    ['mTLS: valid certificate + signature', c.acme, standard({ tenant: 'acme' }), 200, 'processed'],
    ['mTLS: no client certificate', undefined, standard({ tenant: 'acme' }), 401, 'CERT_MISSING'],
    ['mTLS: expired certificate', c.expired, standard({ tenant: 'acme' }), 401, 'CERT_EXPIRED'],
    ['mTLS: unknown CA', c.unknownCa, standard({ tenant: 'acme' }), 401, 'CERT_UNTRUSTED'],
    ['mTLS: not for client auth (serverAuth)', c.serverAuthOnly, standard({ tenant: 'acme' }), 401, 'CERT_WRONG_USAGE'],
    ['mTLS: revoked certificate', c.revoked, standard({ tenant: 'acme' }), 401, 'CERT_REVOKED'],
    ["mTLS: globex's certificate on acme's URL", c.crossTenant, standard({ tenant: 'acme' }), 403, 'CERT_IDENTITY_MISMATCH'],
    ['mTLS: valid certificate, bad signature', c.acme, standard({ tenant: 'acme', signer: 'globex' }), 401, 'SIGNATURE_MISMATCH'],
  ].map(([name, client, d, status, outcome]) => ({ name, d: { ...d, path: d.path.replace('/webhooks/', '/mtls/'), client }, status, outcome, via: 'https' }));
}

const script = () => [...httpScript(), ...mtlsScript()];

/** What the table shows for an answer: the problem's code, else what a 200 or a 5xx says. */
function outcomeOf(status, text) {
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return json?.code ?? (json?.duplicate ? 'duplicate' : status === 200 && json?.processed ? 'processed' : status >= 500 ? 'handler error' : text.slice(0, 40));
}

async function deliver(base, d) {
  const res = await fetch(base + d.path, { method: 'POST', headers: d.headers, body: d.body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { status: res.status, outcome: outcomeOf(res.status, text), raw: { statusLine: `HTTP/1.1 ${res.status} ${res.statusText}`, contentType: res.headers.get('content-type'), text } };
}

function deliverTls(base, d) {
  const u = new URL(base + d.path);
  return new Promise((resolveAnswer, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1', port: u.port, path: u.pathname, method: 'POST', servername: 'localhost', agent: false, timeout: 10_000,
        headers: { ...d.headers, 'content-length': Buffer.byteLength(d.body) },
        ca: pki.root.cert,
        ...(d.client ? { key: d.client.key, cert: d.client.chainPem } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () =>
          resolveAnswer({
            status: res.statusCode,
            outcome: outcomeOf(res.statusCode, text),
            raw: { statusLine: `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}`, contentType: res.headers['content-type'], text },
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out after 10 s')));
    req.on('error', reject);
    req.end(d.body);
  });
}

/** One server: start it, send its deliveries in order (the replay and retry rows depend on it). */
async function runExample(example) {
  const steps = script();
  let urls;
  try {
    urls = await start(example);
  } catch (e) {
    return { example, steps, startError: e.message, answers: steps.map(() => ({ status: 0, outcome: 'not run' })) };
  }
  const answers = [];
  for (const s of steps) {
    try {
      answers.push(s.via === 'https' ? await deliverTls(urls.https, s.d) : await deliver(urls.http, s.d));
    } catch (e) {
      answers.push({ status: 0, outcome: `request failed: ${e.cause?.code ?? e.message}` });
    }
  }
  return { example, steps, answers };
}

process.stdout.write('Starting the three examples and sending the deliveries... ');
const runStart = Date.now();
const runs = await Promise.all(EXAMPLES.map(runExample));
log(`done (${seconds(Date.now() - runStart)}).`);
log('');

// 5. The table: one row per delivery, the expected answer, then each server's ("ok" when it is the expected one).
const rows = runs[0].steps;
const expected = (s) => `${s.status} ${s.outcome}`;
const nameW = Math.max('delivery'.length, ...rows.map((s) => s.name.length));
const expW = Math.max('expected'.length, ...rows.map((s) => expected(s).length));
const colW = runs.map((r) => Math.max(r.example.name.length, 'MISMATCH'.length));
log(`${'delivery'.padEnd(nameW)}  ${'expected'.padEnd(expW)}  ${runs.map((r, i) => r.example.name.padEnd(colW[i])).join('  ')}`.trimEnd());
const mismatches = [];
let total = 0;
rows.forEach((s, i) => {
  const cells = runs.map((r, j) => {
    total++;
    const a = r.answers[i];
    const ok = a.status === r.steps[i].status && a.outcome === r.steps[i].outcome;
    if (!ok) mismatches.push({ example: r.example.name, step: r.steps[i], answer: a });
    return (ok ? 'ok' : 'MISMATCH').padEnd(colW[j]);
  });
  log(`${s.name.padEnd(nameW)}  ${expected(s).padEnd(expW)}  ${cells.join('  ')}`.trimEnd());
});
log(`(ok: that server's answer had the expected status and code)`);

// 6. What the rows mean.
log('');
log('What the rows mean');
const terms = [
  ['wrong tenant',
    "acme's endpoint gets a delivery that belongs to globex. Signed with globex's secret: 401 SIGNATURE_MISMATCH " +
    "(acme's endpoint checks acme's secrets only). Signed by acme but carrying globex's account: 403 " +
    "CLAIM_MISMATCH (below). Over mTLS, a certificate from globex's CA: 403 CERT_IDENTITY_MISMATCH."],
  ['CLAIM_MISMATCH',
    "403: the signature and the timestamp are valid, but the signed payload claims another account than the " +
    'endpoint\'s tenant ("account": "acct_globex" sent to /webhooks/acme, whose account is acct_acme; a payload ' +
    "without an account is refused the same way). The examples check it with accountClaim('account'), after " +
    "the signature: not a forgery, but an authentic sender delivering data that is not this tenant's (a routing " +
    'bug, a confused deputy). The handler does not run.'],
  ['duplicate', 'the same signed delivery again: 200 {"duplicate":true}; the handler does not run twice.'],
];
const termW = Math.max(...terms.map(([t]) => t.length));
/** Words of `text` in lines of at most `width` characters. */
function wrap(text, width) {
  const lines = [''];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last && last.length + 1 + word.length > width) lines.push(word);
    else lines[lines.length - 1] = last ? `${last} ${word}` : word;
  }
  return lines;
}
for (const [term, text] of terms) wrap(text, 94 - termW - 4).forEach((l, i) => log(`  ${(i === 0 ? term : '').padEnd(termW)}  ${l}`));

// 7. One rejection in full, as the client received it. It must hold no secret and no signature
// the server computed: checked here, so the demo would fail rather than show one.
const sampleAt = rows.findIndex((s) => s.tag === 'sample');
const sampleRun = runs.find((r) => r.answers[sampleAt]?.raw);
let leaked;
if (sampleRun) {
  const { raw } = sampleRun.answers[sampleAt];
  const sent = sampleRun.steps[sampleAt].d;
  const recomputed = sign.standardWebhooks({ secret: SECRETS.ACME_SECRET, body: sent.body, id: sent.headers['webhook-id'], timestamp: Number(sent.headers['webhook-timestamp']) });
  const forbidden = [
    ...Object.values(SECRETS),
    ...[SECRETS.ACME_SECRET, SECRETS.GLOBEX_SECRET].map((s) => s.slice('whsec_'.length)),
    ...[SECRETS.ACME_SECRET, SECRETS.GLOBEX_SECRET].map((s) => Buffer.from(s.slice('whsec_'.length), 'base64').toString('latin1')),
    recomputed['webhook-signature'].slice('v1,'.length),
  ];
  const seen = `${raw.contentType ?? ''}\n${raw.text}`;
  leaked = forbidden.some((f) => seen.includes(f));
  log('');
  log(`One rejection as the client received it (${sampleRun.example.name}, "${rows[sampleAt].name}"):`);
  if (leaked) log('  (not shown: it contains a secret or the expected signature; that is a bug, please report it)');
  else {
    log(`  ${raw.statusLine}`);
    log(`  content-type: ${raw.contentType ?? '(none)'}`);
    log('');
    log(`  ${raw.text}`);
    log('');
    log('Every rejection has this shape (RFC 9457 problem+json): branch on `code`; `detail` is');
    log("hookguard's own words and never holds a secret or the expected signature (checked above).");
  }
}

// 8. Mismatches, hints, verdict.
const elapsed = seconds(Date.now() - started);
const failures = mismatches.length + (leaked ? 1 : 0) + (total === 0 ? 1 : 0);
log('');
for (const r of runs) if (r.startError) log(`${r.example.name} example did not start: ${r.startError}`);
const shown = mismatches.filter((m) => m.answer.outcome !== 'not run');
if (shown.length) {
  log('Mismatches (expected -> actual):');
  for (const m of shown.slice(0, 12)) log(`  ${m.example.padEnd(8)} ${m.step.name}: ${expected(m.step)} -> ${m.answer.status} ${m.answer.outcome}`);
  if (shown.length > 12) log(`  ... and ${shown.length - 12} more`);
}
const storeDown = mismatches.filter((m) => m.answer.status === 503 && m.answer.outcome === 'REPLAY_STORE_UNAVAILABLE');
if (storeDown.length) {
  log(
    REDIS_URL
      ? `hint: ${storeDown.length} answers were 503 REPLAY_STORE_UNAVAILABLE: the Redis replay store at ${shownUrl(REDIS_URL)} did not answer the servers' commands (it answered PING when the demo started: did it stop?). hookguard fails closed without its store. Start Redis again, or unset REDIS_URL.`
      : `hint: ${storeDown.length} answers were 503 REPLAY_STORE_UNAVAILABLE: the servers' replay store did not answer, and hookguard fails closed without it.`,
  );
}
log(
  failures === 0
    ? `All ${total} answers were as expected (${rows.length} deliveries x ${runs.length} servers), in ${elapsed}.`
    : `${mismatches.length} of ${total} answers were not as expected${leaked ? ', and the sample rejection leaked a secret' : ''} (${elapsed}).`,
);
stopAll();
process.exit(failures === 0 ? 0 : 1);
