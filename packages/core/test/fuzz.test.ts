// The fuzz campaign's quick mode (the full one: `npm run fuzz`): seeded mutations of signed
// deliveries for every scheme, any()/all() combination and tenants — no crash, no forged accept,
// no replay-key change, no secret in a rejection. HOOKGUARD_FUZZ_SEED / HOOKGUARD_FUZZ_COUNT vary it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz, table, targetNames } from './lib/fuzz.js';

const SEED = Number(process.env.HOOKGUARD_FUZZ_SEED ?? 20261202);
const COUNT = Number(process.env.HOOKGUARD_FUZZ_COUNT ?? 2000);

test(`fuzz quick mode: ${COUNT} mutated requests per scheme (seed ${SEED})`, async () => {
  const totals = await fuzz({ seed: SEED, count: COUNT });
  console.log(table(totals));
  assert.equal(totals.length, targetNames().length);
  assert.ok(totals.length >= 14);
  for (const t of totals) {
    assert.equal(t.requests, COUNT);
    assert.deepEqual(t.failures, [], `${t.scheme} (reproduce: npm run fuzz -- --seed=${SEED} --count=${COUNT} --only='${t.scheme}')`);
    assert.equal(t.crashes, 0, `${t.scheme}: crashes`);
    assert.equal(t.forged, 0, `${t.scheme}: forged accepts`);
    assert.equal(t.keyChanged, 0, `${t.scheme}: replay key changed`);
    assert.equal(t.leaks, 0, `${t.scheme}: leaks`);
    // The mutations reach the checks: most are refused, with several codes, and some are legit accepts.
    assert.ok(Object.keys(t.rejections).length >= 3, `${t.scheme}: ${JSON.stringify(t.rejections)}`);
    assert.ok(t.legitAccepts > 0, `${t.scheme}: no legit accept (the oracle or the base deliveries are broken)`);
  }
});
