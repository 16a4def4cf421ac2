// Which rejection codes each adapter answered in this test file, written to
// .test-results/codes-<suite>.json; scripts/test.mjs then checks that the contract and mTLS suites
// together produced every code of core's WEBHOOK_ERROR_CODES through every adapter.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const seen = new Map<string, Set<string>>();

/** Adapter names as the contract suite has them (express5, express4, koa, nestjs). */
export function recordCode(adapter: string, code: string): void {
  const name = adapter === 'express' ? 'express5' : adapter;
  let codes = seen.get(name);
  if (!codes) seen.set(name, (codes = new Set()));
  codes.add(code);
}

export function writeCodes(suite: string): void {
  const dir = fileURLToPath(new URL('../../.test-results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const out = Object.fromEntries([...seen].map(([adapter, codes]) => [adapter, [...codes].sort()]));
  writeFileSync(`${dir}codes-${suite}.json`, `${JSON.stringify(out, null, 2)}\n`);
}
