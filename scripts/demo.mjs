// `npm run demo`: builds the examples, starts each example server, sends a scripted set of
// deliveries, prints one line per delivery (expected vs actual), stops the servers it started,
// and exits 0 only if every outcome matched.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SECRETS = {
  ACME_SECRET: 'whsec_' + Buffer.from('demo-acme-secret-0123456789ab').toString('base64'),
  GLOBEX_SECRET: 'whsec_' + Buffer.from('demo-globex-secret-0123456789').toString('base64'),
  GITHUB_WEBHOOK_SECRET: 'demo-github-secret',
};
const EXAMPLES = [
  { name: 'express', dir: 'examples/express' },
  { name: 'koa', dir: 'examples/koa' },
  { name: 'nestjs', dir: 'examples/nestjs' },
];

function log(line = '') {
  process.stdout.write(line + '\n');
}

// 1. Build what the examples need (packages first; turbo caches what is already built).
log('Building the packages and examples...');
const build = spawnSync('npx', ['turbo', 'run', 'build', '--filter=@hookguard/example-*', '--filter=@hookguard/testkit', '--output-logs=errors-only'], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
});
if (build.status !== 0) {
  log('Build failed: see the errors above.');
  process.exit(1);
}

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

// 2. Start the example servers on free ports.
const children = [];
function stopAll() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  rmSync(mtlsDir, { recursive: true, force: true });
}
process.on('exit', stopAll);
process.on('SIGINT', () => process.exit(130));

function start(example) {
  const main = join(root, example.dir, 'dist', 'main.js');
  if (!existsSync(main)) return Promise.reject(new Error(`${example.dir}/dist/main.js is missing after the build`));
  const child = spawn(process.execPath, [main], { cwd: join(root, example.dir), env: { ...process.env, ...SECRETS, ...MTLS_ENV, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines = [];
  child.stderr.on('data', (d) => lines.push(String(d)));
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`${example.name} did not start within 30 s:\n${lines.join('')}`)), 30_000);
    let buffer = '';
    child.stdout.on('data', (d) => {
      buffer += String(d);
      const http = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(buffer);
      const https = /mtls listening on (https:\/\/localhost:\d+)/.exec(buffer);
      if (http && https) {
        clearTimeout(timer);
        resolveUrl({ http: http[1], https: https[1] });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${example.name} exited with ${code}:\n${lines.join('')}`));
    });
  });
}

// 3. The scripted deliveries.
let seq = 0;
const id = () => `msg_demo_${Date.now()}_${++seq}`;
const now = () => Math.floor(Date.now() / 1000);
const body = (tenant, extra = {}) => JSON.stringify({ type: 'invoice.paid', account: `acct_${tenant}`, amount: 4200, ...extra });
function standard({ tenant = 'acme', signer = tenant, payload = body(tenant), msgId = id(), timestamp } = {}) {
  const secret = signer === 'acme' ? SECRETS.ACME_SECRET : SECRETS.GLOBEX_SECRET;
  const headers = sign.standardWebhooks({ secret, body: payload, id: msgId, ...(timestamp ? { timestamp } : {}) });
  return { path: `/webhooks/${tenant}`, headers: { 'content-type': 'application/json', ...headers }, body: payload };
}

function script() {
  const valid = standard();
  const flaky = standard({ payload: body('acme', { simulate: 'failure' }) });
  const gh = JSON.stringify({ action: 'opened', issue: { number: ++seq } });
  return [
    ['valid delivery', valid, 200, 'processed'],
    ['tampered body', { ...valid, body: valid.body.replace('4200', '9999') }, 401, 'SIGNATURE_MISMATCH'],
    ['stale (10 minutes old)', standard({ timestamp: now() - 600 }), 401, 'TIMESTAMP_OUT_OF_TOLERANCE'],
    ['replayed (same delivery again)', valid, 200, 'duplicate'],
    ["wrong tenant (globex's key, acme's URL)", standard({ tenant: 'acme', signer: 'globex' }), 401, 'SIGNATURE_MISMATCH'],
    ["wrong tenant (acme signs globex's account)", standard({ tenant: 'acme', payload: body('globex') }), 403, 'CLAIM_MISMATCH'],
    ['unknown tenant', { ...standard(), path: '/webhooks/initech' }, 404, 'UNKNOWN_TENANT'],
    ['unsigned', { path: '/webhooks/acme', headers: { 'content-type': 'application/json' }, body: body('acme') }, 401, 'MISSING_SIGNATURE'],
    ['oversized (300 KiB)', standard({ payload: JSON.stringify({ account: 'acct_acme', pad: 'x'.repeat(300 * 1024) }) }), 413, 'BODY_TOO_LARGE'],
    ['handler fails (first attempt)', flaky, 500, 'handler error'],
    ['retry after the failure', flaky, 200, 'processed'],
    ['GitHub delivery', { path: '/github', headers: { 'content-type': 'application/json', 'x-github-event': 'issues', ...sign.github({ secret: SECRETS.GITHUB_WEBHOOK_SECRET, body: gh }) }, body: gh }, 200, 'processed'],
  ];
}

async function deliver(base, d) {
  const res = await fetch(base + d.path, { method: 'POST', headers: d.headers, body: d.body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const outcome = json?.code ?? (json?.duplicate ? 'duplicate' : res.status === 200 && json?.processed ? 'processed' : res.status >= 500 ? 'handler error' : text.slice(0, 40));
  return { status: res.status, outcome };
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
    ["mTLS: globex's CA claiming acme", c.crossTenant, standard({ tenant: 'acme' }), 403, 'CERT_IDENTITY_MISMATCH'],
    ['mTLS: valid certificate, bad signature', c.acme, standard({ tenant: 'acme', signer: 'globex' }), 401, 'SIGNATURE_MISMATCH'],
  ].map(([name, client, d, status, outcome]) => [name, { ...d, path: d.path.replace('/webhooks/', '/mtls/'), client }, status, outcome]);
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
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolveAnswer({ status: res.statusCode, outcome: json?.code ?? (json?.processed ? 'processed' : text.slice(0, 40)) });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(d.body);
  });
}

let failures = 0;
let total = 0;
try {
  for (const example of EXAMPLES) {
    if (!existsSync(join(root, example.dir, 'package.json'))) continue;
    const urls = await start(example);
    log('');
    log(`${example.name} example at ${urls.http} (mTLS at ${urls.https})`);
    log(`  ${'delivery'.padEnd(44)} ${'expected'.padEnd(34)} ${'actual'.padEnd(34)}`);
    const steps = [...script().map((s) => [...s, 'http']), ...mtlsScript().map((s) => [...s, 'https'])];
    for (const [name, d, status, outcome, via] of steps) {
      total++;
      let actual;
      try {
        actual = via === 'https' ? await deliverTls(urls.https, d) : await deliver(urls.http, d);
      } catch (e) {
        actual = { status: 0, outcome: `request failed: ${e.message}` };
      }
      const ok = actual.status === status && actual.outcome === outcome;
      if (!ok) failures++;
      log(`  ${name.padEnd(44)} ${`${status} ${outcome}`.padEnd(34)} ${`${actual.status} ${actual.outcome}`.padEnd(34)} ${ok ? 'ok' : 'MISMATCH'}`);
    }
  }
} catch (e) {
  failures++;
  log(`demo failed: ${e.message}`);
} finally {
  stopAll();
}
log('');
log(failures === 0 ? `All ${total} deliveries got the expected outcome.` : `${failures} of ${total} deliveries did not get the expected outcome.`);
process.exit(failures === 0 ? 0 : 1);
