// Every TypeScript block of every README compiles (strict, skipLibCheck false) against the built
// packages, with the latest TypeScript and the lowest one the packages declare (5.0).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ROOT } from './lib/pack.mjs';

const { checkReadmeBlocks } = await import(pathToFileURL(join(ROOT, 'scripts', 'check-readme-blocks.mjs')).href);

// @hookguard/postgres needs TypeScript >= 5.7: pg's own declarations (pg-protocol) use the generic
// Buffer<...> of @types/node, which older compilers do not have. Its README says so. Likewise
// @hookguard/fastify with Fastify 5, whose declarations use NoInfer (TypeScript >= 5.4).
// And @hookguard/web's README, for its Hono block: Hono 4.13's declarations use the generic
// Uint8Array<...> (TypeScript >= 5.7). Its Bun, Deno and Workers recipes compile against the
// minimal globals of scripts/readme-blocks/runtimes.d.ts (no type packages for them here).
for (const [label, typescript, exclude] of [
  ['TypeScript 7 (latest)', 'typescript', []],
  ['TypeScript 5.0 (lowest declared)', join(ROOT, 'typecheck', 'peers', 'ts5', 'node_modules', 'typescript'), ['packages/postgres/README.md', 'packages/fastify/README.md', 'packages/web/README.md']],
]) {
  test(`every \`\`\`ts block of every README compiles with ${label}`, async () => {
    const r = await checkReadmeBlocks({ root: ROOT, typescript, exclude });
    assert.ok(r.checked >= 20, `only ${r.checked} blocks found`);
    const diagnostics = r.readmes.flatMap((m) => m.diagnostics.map((d) => `${d.where}: ${d.code ?? ''} ${d.message ?? d.text ?? ''}`));
    assert.deepEqual([...diagnostics, ...(r.other ?? []).map((o) => JSON.stringify(o))], []);
    assert.equal(r.failed, 0);
    assert.match(r.typescript, label.startsWith('TypeScript 5.0') ? /^Version 5\.0\./ : /^Version 7\./);
  });
}
