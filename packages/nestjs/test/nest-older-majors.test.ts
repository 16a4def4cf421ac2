// Runtime smoke test against NestJS 10 and 11: the packed @hookguard/core and @hookguard/nestjs,
// unpacked into a scratch folder under the OS temp dir, beside the NestJS 10 / 11 that `npm ci`
// installed for the type tests (typecheck/peers/nest10, nest11; nothing is downloaded here), and a
// small app run there through require() and through import.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newSecret } from './helpers.js';

const packages = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

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

const MAJORS = [10, 11];
const SMOKE_CJS = `require('reflect-metadata');
const main = require('./app.cjs');
main({ ...require('@nestjs/common'), ...require('@nestjs/core'), ...require('@hookguard/nestjs'), ...require('@hookguard/core') })
  .then((out) => process.stdout.write(JSON.stringify(out)), (e) => { console.error(e); process.exit(1); });
`;
const SMOKE_MJS = `import 'reflect-metadata';
import { createRequire } from 'node:module';
import * as common from '@nestjs/common';
import * as core from '@nestjs/core';
import * as nestjs from '@hookguard/nestjs';
import * as hookguard from '@hookguard/core';
const main = createRequire(import.meta.url)('./app.cjs');
process.stdout.write(JSON.stringify(await main({ ...common, ...core, ...nestjs, ...hookguard })));
`;
const repo = resolve(packages, '..');
const dirs = new Map<number, string>();

before(async () => {
  const packs = await mkdtemp(join(tmpdir(), 'hookguard-nest-packs-'));
  try {
    for (const pkg of ['core', 'nestjs']) await run('npm', ['pack', '--silent', '--pack-destination', packs], { cwd: join(packages, pkg), timeout: 60_000 });
    const tarballs = (await readdir(packs)).filter((f) => f.endsWith('.tgz'));
    assert.equal(tarballs.length, 2);
    for (const major of MAJORS) {
      const peers = join(repo, 'typecheck', 'peers', `nest${major}`, 'node_modules', '@nestjs');
      if (!existsSync(join(peers, 'core'))) throw new Error(`NestJS ${major} is not installed at ${peers}: run npm ci at the repository root`);
      const dir = await mkdtemp(join(tmpdir(), `hookguard-nest${major}-`));
      dirs.set(major, dir);
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `hookguard-nest${major}-smoke`, private: true }));
      for (const tgz of tarballs) {
        const target = join(dir, 'node_modules', '@hookguard', tgz.startsWith('hookguard-nestjs-') ? 'nestjs' : 'core');
        await mkdir(target, { recursive: true });
        await run('tar', ['-xzf', join(packs, tgz), '-C', target, '--strip-components=1'], { cwd: dir, timeout: 30_000 });
      }
      await mkdir(join(dir, 'node_modules', '@nestjs'), { recursive: true });
      for (const p of ['common', 'core', 'platform-express']) await symlink(await realpath(join(peers, p)), join(dir, 'node_modules', '@nestjs', p), 'dir');
      for (const p of ['reflect-metadata', 'rxjs']) await symlink(await realpath(join(repo, 'node_modules', p)), join(dir, 'node_modules', p), 'dir');
      await writeFile(join(dir, 'app.cjs'), APP);
      await writeFile(join(dir, 'smoke.cjs'), SMOKE_CJS);
      await writeFile(join(dir, 'smoke.mjs'), SMOKE_MJS);
    }
  } finally {
    await rm(packs, { recursive: true, force: true });
  }
});

after(async () => {
  for (const dir of dirs.values()) await rm(dir, { recursive: true, force: true });
});

for (const major of MAJORS) for (const entry of ['smoke.cjs', 'smoke.mjs']) {
  test(`NestJS ${major} (${entry === 'smoke.cjs' ? 'require' : 'import'}): verify, reject, duplicate, malformed, release`, { timeout: 60_000 }, async () => {
    const dir = dirs.get(major)!;
    for (const p of ['common', 'core', 'platform-express']) {
      const version = await run(process.execPath, ['-p', `require('@nestjs/${p}/package.json').version`], { cwd: dir, timeout: 10_000 });
      assert.match(version.stdout.trim(), new RegExp(`^${major}\\.`));
    }
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
