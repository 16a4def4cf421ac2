// `hookguard explain` on deliveries a real receiver (Express + @hookguard/express) rejected and
// logged: each staged mistake is sent with `hookguard send` (or curl, or a re-serialising proxy),
// the receiver's record of the rejected request is explained offline, and the cause is asserted.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { standardWebhooks, stripe, type TenantConfig } from '@hookguard/core';
import { hookguard, type Run } from './lib/cli.js';
import { startReceiver, type Receiver } from './lib/receiver.js';

const SECRET = {
  acme: `whsec_${randomBytes(24).toString('base64')}`,
  globex: `whsec_${randomBytes(24).toString('base64')}`,
  stripe: `whsec_${randomBytes(16).toString('hex')}`,
};
const PRETTY = '{\n  "type": "invoice.paid",\n  "id": "evt_1",\n  "amount": 4200,\n  "customer": "Zoë"\n}\n';

let work: string;
let standard: Receiver;
let stripeReceiver: Receiver;
let proxy: Server;
let proxyUrl: string;
let bodyFile: string;

function tenants(extra: [string, TenantConfig][] = []) {
  return new Map<string, TenantConfig>([['acme', { secrets: [SECRET.acme] }], ['globex', { secrets: [SECRET.globex] }], ...extra]);
}

async function lastCapture(r: Receiver, name: string, code: string) {
  assert.equal(r.rejections.at(-1)?.code, code, `the receiver rejected with ${code}`);
  return r.saveLastRejection(work, name);
}

async function explainCapture(files: { headers: string; body: string }, scheme: string, secret: string, extra: string[] = []): Promise<Run> {
  return hookguard(['explain', '--scheme', scheme, '--secret-env', 'HG_SECRET', '--headers', files.headers, '--body', files.body, '--json', ...extra], { cwd: work, env: { HG_SECRET: secret } });
}

async function send(url: string, scheme: string, secret: string, extra: string[] = []): Promise<Run> {
  return hookguard(['send', url, '--scheme', scheme, '--secret-env', 'HG_SECRET', '--body', bodyFile, '--json', ...extra], { cwd: work, env: { HG_SECRET: secret } });
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'hookguard-explain-'));
  bodyFile = join(work, 'event.json');
  await writeFile(bodyFile, PRETTY);
  standard = await startReceiver({ scheme: standardWebhooks(), tenants: tenants() });
  // A Stripe tenant whose secret was stored without its whsec_ prefix, and one whose secret has a trailing newline.
  stripeReceiver = await startReceiver({
    scheme: stripe(),
    tenants: new Map<string, TenantConfig>([
      ['noprefix', { secrets: [SECRET.stripe.slice(6)] }],
      ['newline', { secrets: [`${SECRET.stripe}\n`] }],
    ]),
  });
  // A proxy in front of the receiver that parses JSON bodies and re-serialises them, as a
  // middleware that logs and forwards `JSON.stringify(req.body)` would.
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.from(JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      const up = request({ host: '127.0.0.1', port: standard.port, path: req.url, method: 'POST', headers: { ...req.headers, 'content-length': String(body.length) } }, (u) => {
        res.writeHead(u.statusCode ?? 502, u.headers);
        u.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

after(async () => {
  await standard.close();
  await stripeReceiver.close();
  proxy.closeAllConnections();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await rm(work, { recursive: true, force: true });
});

describe('explain names the cause of a rejected delivery', () => {
  test('clock skew: signed 15 minutes in the past, by how much', async () => {
    const s = await send(`${standard.origin}/hooks/acme`, 'standard-webhooks', SECRET.acme, ['--timestamp', 'now-900']);
    assert.equal(s.json.code, 'TIMESTAMP_OUT_OF_TOLERANCE');
    assert.equal(s.json.cause, 'clock-skew');
    const run = await explainCapture(await lastCapture(standard, 'skew', 'TIMESTAMP_OUT_OF_TOLERANCE'), 'standard-webhooks', SECRET.acme);
    assert.equal(run.code, 1);
    assert.equal(run.json.cause, 'clock-skew');
    assert.ok(run.json.skewSeconds <= -895 && run.json.skewSeconds >= -1000, `skew ${run.json.skewSeconds}`);
    assert.match(run.json.why, /15 min/);
    assert.equal(run.json.evidence, 'the signature is valid: only the timestamp is refused');
  });

  test('the same capture judged at the time it was received (--at) verifies', async () => {
    const files = await standard.saveLastRejection(work, 'skew-at');
    const signedAt = Number(/webhook-timestamp: (\d+)/.exec(await readFile(files.headers, 'utf8'))![1]);
    const run = await explainCapture(files, 'standard-webhooks', SECRET.acme, ['--at', String(signedAt + 5)]);
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.json.verified, true);
  });

  test('timestamp in milliseconds', async () => {
    const s = await send(`${standard.origin}/hooks/acme`, 'standard-webhooks', SECRET.acme, ['--timestamp', String(Date.now())]);
    assert.equal(s.json.code, 'TIMESTAMP_OUT_OF_TOLERANCE');
    assert.match(s.json.hint, /looks like milliseconds/, "core's hint reaches the sender with the problem's detail");
    const run = await explainCapture(await lastCapture(standard, 'ms', 'TIMESTAMP_OUT_OF_TOLERANCE'), 'standard-webhooks', SECRET.acme);
    assert.equal(run.json.cause, 'timestamp-milliseconds');
    assert.match(run.json.fix, /Math\.floor\(Date\.now\(\) \/ 1000\)/);
  });

  test("the secret of another tenant, found in the keyring", async () => {
    const s = await send(`${standard.origin}/hooks/acme`, 'standard-webhooks', SECRET.globex);
    assert.equal(s.json.code, 'SIGNATURE_MISMATCH');
    const files = await lastCapture(standard, 'cross-tenant', 'SIGNATURE_MISMATCH');
    const keyring = join(work, 'keyring.json');
    await writeFile(keyring, JSON.stringify({ acme: { secrets: [SECRET.acme] }, globex: [SECRET.globex] }));
    const run = await explainCapture(files, 'standard-webhooks', SECRET.acme, ['--keyring', keyring]);
    assert.equal(run.json.cause, 'secret-of-another-tenant');
    assert.match(run.json.why, /"globex"/);
    const without = await explainCapture(files, 'standard-webhooks', SECRET.acme);
    assert.equal(without.json.cause, 'secret-mismatch', 'without a keyring it can only say the secret differs');
    for (const r of [run, without]) for (const secret of Object.values(SECRET)) assert.ok(!r.stdout.includes(secret.slice(6, 20)), 'no secret in the output');
  });

  test('body re-serialised by a proxy (JSON whitespace)', async () => {
    const s = await send(`${proxyUrl}/hooks/acme`, 'standard-webhooks', SECRET.acme);
    assert.equal(s.json.code, 'SIGNATURE_MISMATCH');
    const files = await lastCapture(standard, 'reserialised', 'SIGNATURE_MISMATCH');
    const run = await explainCapture(files, 'standard-webhooks', SECRET.acme);
    assert.equal(run.json.cause, 'body-reserialised');
    assert.match(run.json.fix, /express\.json/);
    assert.ok(run.json.tried <= 20, `a small fixed set of readings (tried ${run.json.tried})`);
  });

  test('a secret stored without its whsec_ prefix (Stripe signs with the whole string)', async () => {
    const s = await send(`${stripeReceiver.origin}/hooks/noprefix`, 'stripe', SECRET.stripe);
    assert.equal(s.json.code, 'SIGNATURE_MISMATCH');
    const run = await explainCapture(await lastCapture(stripeReceiver, 'noprefix', 'SIGNATURE_MISMATCH'), 'stripe', SECRET.stripe.slice(6));
    assert.equal(run.json.cause, 'secret-prefix-missing');
  });

  test('a secret with a trailing newline in the receiver: 503 from the receiver, secret-whitespace from explain', async () => {
    const s = await send(`${stripeReceiver.origin}/hooks/newline`, 'stripe', SECRET.stripe);
    assert.equal(s.json.code, 'TENANT_LOOKUP_FAILED');
    assert.equal(s.json.cause, 'tenant-misconfigured');
    const run = await explainCapture(await lastCapture(stripeReceiver, 'newline', 'TENANT_LOOKUP_FAILED'), 'stripe', `${SECRET.stripe}\n`);
    assert.equal(run.json.cause, 'secret-whitespace');
    assert.equal(run.json.code, 'CONFIG');
  });

  test('secret encoding: a sender that uses the whsec_ string as raw text instead of decoding its base64', async () => {
    const id = 'msg_encoding1';
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = createHmac('sha256', Buffer.from(SECRET.acme, 'utf8')).update(`${id}.${ts}.`).update(PRETTY).digest('base64');
    const status = await new Promise<number>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port: standard.port, path: '/hooks/acme', method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,${sig}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      r.on('error', reject);
      r.end(PRETTY);
    });
    assert.equal(status, 401);
    const run = await explainCapture(await lastCapture(standard, 'encoding', 'SIGNATURE_MISMATCH'), 'standard-webhooks', SECRET.acme);
    assert.equal(run.json.cause, 'secret-encoding');
    assert.match(run.json.why, /raw UTF-8/);
  });

  test('the signature header of another scheme: a Stripe delivery at a Standard Webhooks route', async () => {
    const s = await send(`${standard.origin}/hooks/acme`, 'stripe', SECRET.acme);
    assert.equal(s.json.code, 'MISSING_SIGNATURE');
    const run = await explainCapture(await lastCapture(standard, 'other-scheme', 'MISSING_SIGNATURE'), 'standard-webhooks', SECRET.acme);
    assert.equal(run.json.cause, 'other-scheme');
    assert.match(run.json.why, /verifies as stripe\(\)/);
  });

  test('curl -d @file strips the newlines the signature covers (real curl), named from the curl command', async () => {
    const signed = await hookguard(['sign', 'standard-webhooks', '--secret-env', 'HG_SECRET', '--body', bodyFile, '--json'], { cwd: work, env: { HG_SECRET: SECRET.acme } });
    assert.equal(signed.code, 0);
    const headers = Object.entries(signed.json.headers as Record<string, string>).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const args = ['-sS', '-o', '/dev/null', '-w', '%{http_code}', ...headers, '-H', 'content-type: application/json', '-d', `@${bodyFile}`, `${standard.origin}/hooks/acme`];
    const code = await new Promise<string>((resolve, reject) => execFile('curl', args, { timeout: 60_000 }, (e, out) => (e ? reject(e) : resolve(out))));
    assert.equal(code, '401');
    assert.equal(standard.rejections.at(-1)?.code, 'SIGNATURE_MISMATCH');
    const command = ['curl', ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const run = await hookguard(['explain', '--scheme', 'standard-webhooks', '--secret-env', 'HG_SECRET', '--curl', command, '--json'], { cwd: work, env: { HG_SECRET: SECRET.acme } });
    assert.equal(run.json.cause, 'curl-data-strips-newlines');
    assert.match(run.json.fix, /--data-binary/);
    // The same command with --data-binary verifies (and the text output says so).
    const binary = command.replace("'-d'", "'--data-binary'");
    const ok = await hookguard(['explain', '--scheme', 'standard-webhooks', '--secret-env', 'HG_SECRET', '--curl', binary], { cwd: work, env: { HG_SECRET: SECRET.acme } });
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.stdout, /^ok {3}verifies as Standard Webhooks/);
  });
});

describe('explain, offline readings', () => {
  async function signedFiles(body: string, secret = SECRET.acme) {
    const b = join(work, `b-${randomBytes(4).toString('hex')}`);
    await writeFile(b, body);
    const s = await hookguard(['sign', 'standard-webhooks', '--secret-env', 'HG_SECRET', '--body', b, '--id', 'msg_offline', '--json'], { cwd: work, env: { HG_SECRET: secret } });
    const h = join(work, `h-${randomBytes(4).toString('hex')}.json`);
    await writeFile(h, JSON.stringify(s.json.headers));
    return { headers: h, body: b };
  }

  test('a body that was parsed before verification ("[object Object]")', async () => {
    const f = await signedFiles(PRETTY);
    await writeFile(f.body, '[object Object]');
    const run = await explainCapture(f, 'standard-webhooks', SECRET.acme);
    assert.equal(run.json.cause, 'body-parsed');
  });

  test('JSON key order, a trailing newline, a BOM, a charset change: each named', async () => {
    const cases: [string, (s: string) => Buffer, string][] = [
      // A sender that sorts keys (Python's sort_keys), a receiver that re-serialises in another order.
      ['{"a":2,"b":1}', () => Buffer.from('{"b":1,"a":2}'), 'body-key-order'],
      ['{"a":1}', (s) => Buffer.from(`${s}\n`), 'body-trailing-newline'],
      ['{"a":1}', (s) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)]), 'body-bom'],
      ['{"name":"Zoë"}', (s) => Buffer.from(Buffer.from(s, 'utf8').toString('latin1'), 'utf8'), 'body-charset'],
    ];
    for (const [signed, received, cause] of cases) {
      const f = await signedFiles(signed);
      await writeFile(f.body, received(signed));
      const run = await explainCapture(f, 'standard-webhooks', SECRET.acme);
      assert.equal(run.json.cause, cause, `${JSON.stringify(signed)}: ${run.stdout}`);
    }
  });

  test('a Stripe API key given as the secret is recognised', async () => {
    const f = await signedFiles(PRETTY);
    const run = await explainCapture(f, 'stripe', 'sk_test_51Habcdefghijklmnop');
    assert.equal(run.json.cause, 'other-scheme-header');
    const stripeSigned = await hookguard(['sign', 'stripe', '--secret-env', 'HG_SECRET', '--body', f.body, '--json'], { cwd: work, env: { HG_SECRET: SECRET.stripe } });
    const h = join(work, 'stripe-headers.json');
    await writeFile(h, JSON.stringify(stripeSigned.json.headers));
    const wrongKind = await explainCapture({ headers: h, body: f.body }, 'stripe', 'sk_test_51Habcdefghijklmnop');
    assert.equal(wrongKind.json.cause, 'secret-of-another-kind');
    assert.match(wrongKind.json.why, /Stripe API key/);
  });

  test('a delivery that verifies: exit 0, and the text says so', async () => {
    const f = await signedFiles(PRETTY);
    const run = await hookguard(['explain', '--scheme', 'standard-webhooks', '--secret-env', 'HG_SECRET', '--headers', f.headers, '--body', f.body], { cwd: work, env: { HG_SECRET: SECRET.acme } });
    assert.equal(run.code, 0);
    assert.match(run.stdout, /verifies as Standard Webhooks with the given secret/);
  });

  test('usage errors exit 2: no capture, both --headers and --curl, an unknown scheme', async () => {
    const f = await signedFiles(PRETTY);
    const env = { HG_SECRET: SECRET.acme };
    assert.equal((await hookguard(['explain', '--scheme', 'standard-webhooks', '--secret-env', 'HG_SECRET', '--body', f.body], { cwd: work, env })).code, 2);
    assert.equal((await hookguard(['explain', '--scheme', 'standard-webhooks', '--secret-env', 'HG_SECRET', '--headers', f.headers, '--curl', 'curl x', '--body', f.body], { cwd: work, env })).code, 2);
    const unknown = await hookguard(['explain', '--scheme', 'nope', '--secret-env', 'HG_SECRET', '--headers', f.headers, '--body', f.body, '--json'], { cwd: work, env });
    assert.equal(unknown.code, 2);
    assert.match(unknown.json.error.message, /--scheme must be one of/);
  });
});
