#!/usr/bin/env node
// Memory per replay key in Redis: INFO memory used_memory before and after N keys, in flight
// and then done. Starts its own redis-server on a free loopback port (or uses REDIS_URL, which it
// FLUSHES: never point it at a Redis that holds data you need).
//
//   npm run build && node scripts/measure-memory.mjs [count=100000]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { RedisReplayStore } from '@hookguard/redis';

const count = Number(process.argv[2] ?? 100_000);
const BATCH = 1_000;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A Svix / Standard Webhooks style id: msg_ + 27 characters. */
function messageId() {
  const bytes = randomBytes(27);
  let id = 'msg_';
  for (const b of bytes) id += ALPHABET[b % ALPHABET.length];
  return id;
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

async function usedMemory(redis) {
  await redis.call('MEMORY', 'PURGE').catch(() => {});
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)[1]);
}

let child;
let url = process.env.REDIS_URL;
if (!url) {
  const port = await freePort();
  child = spawn(process.env.REDIS_SERVER ?? 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  url = `redis://127.0.0.1:${port}`;
}
const admin = new Redis(url, { retryStrategy: (n) => (n > 100 ? null : 50) });
admin.on('error', () => {});
const store = new RedisReplayStore({ url, commandTimeoutMs: 10_000 });
try {
  await admin.ping();
  const version = /redis_version:(\S+)/.exec(await admin.info('server'))[1];
  await admin.flushall();
  const keys = Array.from({ length: count }, () => `acme:standardWebhooks:${messageId()}`);
  const tokens = new Array(count);

  const empty = await usedMemory(admin);
  for (let i = 0; i < count; i += BATCH) {
    const results = await Promise.all(keys.slice(i, i + BATCH).map((k) => store.reserve(k, 3_600_000)));
    results.forEach((r, j) => (tokens[i + j] = r.token));
  }
  const inFlight = await usedMemory(admin);
  for (let i = 0; i < count; i += BATCH) {
    await Promise.all(keys.slice(i, i + BATCH).map((k, j) => store.commit(k, 86_400_000, tokens[i + j])));
  }
  const done = await usedMemory(admin);
  const dbsize = await admin.dbsize();
  if (dbsize !== count) throw new Error(`expected ${count} keys, found ${dbsize}`);

  const perKey = (bytes) => (bytes / count).toFixed(1);
  console.log(`redis ${version}, ${count} keys like ${store.keyFor(keys[0]).replace(/msg_.*/, 'msg_<27 chars>')} (${store.keyFor(keys[0]).length} bytes)`);
  console.log(`in flight ("f:<16-char token>", PX 1 h):  ${perKey(inFlight - empty)} bytes per key`);
  console.log(`done      ("d", PX 24 h):                 ${perKey(done - empty)} bytes per key`);
  console.log(`total for ${count} done keys: ${((done - empty) / 1024 / 1024).toFixed(1)} MiB`);
} finally {
  await store.close();
  admin.disconnect();
  if (child?.pid) process.kill(child.pid, 'SIGTERM');
}
