// Runs every compiled *.test.js below a folder with node's test runner: spec output to the
// terminal, counts to .test-results/summary.json for scripts/test.mjs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? 'dist-test');
const here = dirname(fileURLToPath(import.meta.url));

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...collect(full));
    else if (name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

const files = collect(root).sort();
rmSync('.test-results', { recursive: true, force: true });
mkdirSync('.test-results', { recursive: true });
if (files.length === 0) {
  console.error(`no test files under ${root}`);
  process.exit(1);
}
const concurrency = process.env.HOOKGUARD_TEST_CONCURRENCY ?? '2';
const result = spawnSync(process.execPath, [
  '--test',
  `--test-concurrency=${concurrency}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  `--test-reporter=${join(here, 'summary-reporter.mjs')}`, '--test-reporter-destination=.test-results/summary.json',
  ...files,
], { stdio: 'inherit' });
process.exit(result.status ?? 1);
