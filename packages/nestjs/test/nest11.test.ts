// Smoke test against NestJS 11: packs @hookguard/core and @hookguard/nestjs, installs the tarballs
// with @nestjs/*@11 into a scratch folder under the OS temp dir (never the repository's
// node_modules), and runs a small app there through require() and through import.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newSecret } from './helpers.js';

const packages = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
let dir = '';
let skipReason: string | undefined;

function run(cmd: string, args: string[], options: { cwd: string; timeout: number; env?: NodeJS.ProcessEnv }): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    execFile(cmd, args, { ...options, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stdout, stderr }));
      else resolveRun({ stdout, stderr });
    });
  });
}

// The app, written once and loaded as CommonJS (require) and as ESM (import). Decorators are applied
// by hand: this folder has no TypeScript.
const APP = `
module.exports = async function main(lib) {
  const { Controller, Post, HttpCode, Module, NestFactory, WebhookModule, VerifiedWebhook, WebhookPayload, useWebhookBodyParser, standardWebhooks, sign } = lib;
  const secret = process.env.SMOKE_SECRET;
  const runs = new Map();
  class Hooks {
    receive(payload) {
      const n = (runs.get(JSON.stringify(payload)) ?? 0) + 1;
      runs.set(JSON.stringify(payload), n);
      if (payload.fail && n === 1) throw new Error('first attempt fails');
      return { got: payload, runs: n };
    }
  }
  const d = Object.getOwnPropertyDescriptor(Hooks.prototype, 'receive');
  Object.defineProperty(Hooks.prototype, 'receive', Reflect.decorate([Post('hooks'), HttpCode(200), VerifiedWebhook()], Hooks.prototype, 'receive', d));
  WebhookPayload()(Hooks.prototype, 'receive', 0);
  Controller()(Hooks);
  class AppModule {}
  Module({ imports: [WebhookModule.forRoot({ scheme: standardWebhooks({ secret }) })], controllers: [Hooks] })(AppModule);

  const app = await NestFactory.create(AppModule, { rawBody: true, logger: false, abortOnError: false });
  useWebhookBodyParser(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1') + '/hooks';
  const send = async (raw, headers) => {
    const res = await fetch(url, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', ...headers } });
    const text = await res.text();
    let json = {};
    try { json = JSON.parse(text); } catch {}
    return { status: res.status, type: res.headers.get('content-type'), code: json.code, json };
  };
  const signed = (raw, id) => sign.standardWebhooks({ secret, body: raw, id });
  const out = {};
  try {
    const ok = JSON.stringify({ n: 1 });
    out.valid = await send(ok, signed(ok, 'msg_1'));
    out.duplicate = await send(ok, signed(ok, 'msg_1'));
    out.missing = await send(ok, {});
    const bad = '{"n":';
    out.malformed = await send(bad, signed(bad, 'msg_2'));
    const fail = JSON.stringify({ fail: true });
    out.failed = await send(fail, signed(fail, 'msg_3'));
    out.retry = await send(fail, signed(fail, 'msg_3'));
  } finally {
    await app.close();
  }
  return out;
};
`;

before(async () => {
  try {
    await run('npm', ['view', '@nestjs/core@11', 'version', '--json'], { cwd: tmpdir(), timeout: 20_000 });
  } catch {
    skipReason = 'the npm registry is unreachable: cannot install @nestjs/*@11 for the Nest 11 smoke test';
    return;
  }
  dir = await mkdtemp(join(tmpdir(), 'hookguard-nest11-'));
  for (const pkg of ['core', 'nestjs']) await run('npm', ['pack', '--pack-destination', dir], { cwd: join(packages, pkg), timeout: 60_000 });
  const tarballs = (await readdir(dir)).filter((f) => f.endsWith('.tgz')).map((f) => `./${f}`);
  assert.equal(tarballs.length, 2);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'hookguard-nest11-smoke', private: true }));
  await writeFile(join(dir, 'app.cjs'), APP);
  await writeFile(
    join(dir, 'smoke.cjs'),
    `require('reflect-metadata');
const main = require('./app.cjs');
main({ ...require('@nestjs/common'), ...require('@nestjs/core'), ...require('@hookguard/nestjs'), ...require('@hookguard/core') })
  .then((out) => process.stdout.write(JSON.stringify(out)), (e) => { console.error(e); process.exit(1); });
`,
  );
  await writeFile(
    join(dir, 'smoke.mjs'),
    `import 'reflect-metadata';
import { createRequire } from 'node:module';
import * as common from '@nestjs/common';
import * as core from '@nestjs/core';
import * as nestjs from '@hookguard/nestjs';
import * as hookguard from '@hookguard/core';
const main = createRequire(import.meta.url)('./app.cjs');
process.stdout.write(JSON.stringify(await main({ ...common, ...core, ...nestjs, ...hookguard })));
`,
  );
  try {
    await run(
      'npm',
      ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', ...tarballs, '@nestjs/common@11', '@nestjs/core@11', '@nestjs/platform-express@11', 'reflect-metadata', 'rxjs'],
      { cwd: dir, timeout: 180_000 },
    );
  } catch (e) {
    const stderr = String((e as { stderr?: string }).stderr ?? '');
    if (/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|network/i.test(stderr)) {
      skipReason = 'the npm registry became unreachable while installing @nestjs/*@11';
      return;
    }
    throw e;
  }
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

for (const entry of ['smoke.cjs', 'smoke.mjs']) {
  test(`NestJS 11 (${entry === 'smoke.cjs' ? 'require' : 'import'}): verify, reject, duplicate, malformed, release`, { timeout: 60_000 }, async (t) => {
    if (skipReason) {
      t.skip(skipReason);
      return;
    }
    const version = await run(process.execPath, ['-p', "require('@nestjs/core/package.json').version"], { cwd: dir, timeout: 10_000 });
    assert.match(version.stdout.trim(), /^11\./);
    const { stdout } = await run(process.execPath, [entry], { cwd: dir, timeout: 30_000, env: { ...process.env, SMOKE_SECRET: newSecret() } });
    const out = JSON.parse(stdout) as Record<string, { status: number; type: string; code?: string; json: Record<string, unknown> }>;
    assert.equal(out['valid']!.status, 200);
    assert.deepEqual(out['valid']!.json, { got: { n: 1 }, runs: 1 });
    assert.equal(out['duplicate']!.status, 200);
    assert.deepEqual(out['duplicate']!.json, { received: true, duplicate: true });
    assert.equal(out['missing']!.status, 401);
    assert.equal(out['missing']!.code, 'MISSING_SIGNATURE');
    assert.match(out['missing']!.type, /^application\/problem\+json/);
    assert.equal(out['malformed']!.status, 400);
    assert.equal(out['malformed']!.code, 'MALFORMED_PAYLOAD');
    assert.equal(out['failed']!.status, 500);
    assert.equal(out['retry']!.status, 200);
    assert.deepEqual(out['retry']!.json, { got: { fail: true }, runs: 2 });
  });
}
