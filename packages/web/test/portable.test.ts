import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

test('CommonJS: require("@hookguard/web") and require("@hookguard/web/hono")', () => {
  const web = require('@hookguard/web') as typeof import('@hookguard/web');
  const hono = require('@hookguard/web/hono') as typeof import('@hookguard/web/hono');
  assert.equal(typeof web.withWebhook, 'function');
  assert.equal(typeof web.verifyWebhook, 'function');
  assert.equal(typeof hono.webhook, 'function');
});

test('the bundle of @hookguard/web and core imports no Node module but node:crypto and node:buffer (what Workers, Bun and Deno provide)', async () => {
  const entry = fileURLToPath(new URL('../dist/esm/index.js', import.meta.url));
  const result = await build({ entryPoints: [entry], bundle: true, write: false, format: 'esm', platform: 'neutral', metafile: true, external: ['node:*'], logLevel: 'silent' });
  const imported = new Set<string>();
  for (const file of Object.values(result.metafile.inputs)) for (const i of file.imports) if (i.path.startsWith('node:')) imported.add(i.path);
  // node:stream appears only as `import type` in core and is erased.
  assert.deepEqual([...imported].filter((p) => p !== 'node:crypto' && p !== 'node:buffer'), []);
});
