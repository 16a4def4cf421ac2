import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sign } from '@hookguard/core';
import { send, whsec } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const server = fileURLToPath(new URL('./runtime/server.js', import.meta.url));
// Bun's postinstall (skipped by npm 11's allowScripts) moves its binary into bun/bin/bun.exe.
const bunBin = [`${root}node_modules/@oven/bun-linux-x64/bin/bun`, `${root}node_modules/bun/bin/bun.exe`].find((p) => existsSync(p)) ?? `${root}node_modules/bun/bin/bun.exe`;
const runtimes = [
  { name: 'bun', bin: bunBin, args: [server] },
  { name: 'deno', bin: `${root}node_modules/@deno/linux-x64-glibc/deno`, args: ['run', '-A', '--no-prompt', server] },
];

function start(bin: string, args: string[], secret: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [...args, secret], { cwd: fileURLToPath(new URL('.', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no "listening" within 20 s; stderr: ${err}`));
    }, 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening; stderr: ${err}`));
    });
  });
}

for (const runtime of runtimes) {
  test(`smoke: withWebhook under ${runtime.name} on 127.0.0.1 (200 signed, 401 MISSING_SIGNATURE unsigned)`, { timeout: 60_000 }, async () => {
    // A devDependency: missing means a broken install, which must fail, never skip.
    assert.ok(existsSync(runtime.bin), `${runtime.bin} is missing: run npm ci (the runtime is a devDependency of @hookguard/web)`);
    const secret = whsec();
    const { child, port } = await start(runtime.bin, runtime.args, secret);
    try {
      const url = `http://127.0.0.1:${port}/hook`;
      const body = JSON.stringify({ hello: runtime.name });
      const ok = await send(url, { body, headers: { 'content-type': 'application/json', ...sign.standardWebhooks({ secret, body }) } });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.json, { got: { hello: runtime.name }, runtime: runtime.name });
      const unsigned = await send(url, { body, headers: { 'content-type': 'application/json' } });
      assert.equal(unsigned.status, 401);
      assert.match(String(unsigned.headers['content-type']), /^application\/problem\+json/);
      assert.equal(unsigned.json.code, 'MISSING_SIGNATURE');
    } finally {
      child.kill();
    }
  });
}
