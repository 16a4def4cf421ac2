// The fuzz campaign's quick mode (the full one: `npm run fuzz`): seeded mutations of signed
// deliveries for every scheme — 0 crashes, 0 accepts of changed signed material, 0 replay-key changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz } from './lib/fuzz.js';

const SEED = Number(process.env.HOOKGUARD_FUZZ_SEED ?? 20261202);
const COUNT = Number(process.env.HOOKGUARD_FUZZ_COUNT ?? 1500);

test(`fuzz quick mode: ${COUNT} mutated requests per scheme (seed ${SEED})`, async () => {
  const totals = await fuzz({ seed: SEED, count: COUNT });
  assert.equal(totals.length, 9);
  for (const t of totals) {
    assert.equal(t.requests, COUNT);
    assert.deepEqual(t.failures, [], t.scheme);
    assert.equal(t.crashes, 0, `${t.scheme}: crashes`);
    assert.equal(t.forged, 0, `${t.scheme}: forged accepts`);
    assert.equal(t.keyChanged, 0, `${t.scheme}: replay key changed`);
    // The mutations must reach the checks: most are refused, with signature-level codes among them.
    assert.ok(Object.keys(t.rejections).length >= 2, `${t.scheme}: ${JSON.stringify(t.rejections)}`);
  }
});
