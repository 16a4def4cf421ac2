import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createVerifier, github, shopify, slack, standardWebhooks, type Scheme } from '@hookguard/core';
import { request, rejectsWith, vectors } from './helpers.js';

interface Case {
  secret: string;
  body: string;
  headers: Record<string, string>;
  expected?: string;
}

/** Every single-byte change of a string: one position at a time, a different printable byte. */
function* mutations(s: string): Generator<string> {
  const b = Buffer.from(s);
  for (let i = 0; i < b.length; i++) {
    const m = Buffer.from(b);
    m[i] = m[i] === 0x41 ? 0x42 : 0x41;
    yield m.toString('latin1');
  }
}

function run(file: string, make: (secret: string) => Scheme, at: (c: Case) => number) {
  const v = vectors<{ cases: Case[] }>(file);
  describe(file, () => {
    for (const [i, c] of v.cases.entries()) {
      const headers = { ...c.headers, ...(c.expected ? { 'webhook-signature': c.expected } : {}) };
      const verifier = () => createVerifier({ scheme: make(c.secret), now: () => at(c), replay: false });

      test(`case ${i} verifies`, async () => {
        const w = await verifier().verify(request(headers, c.body));
        assert.equal(w.rawBody.toString(), c.body);
        assert.equal(w.keyId, 'key-0');
      });

      test(`case ${i}: every single-byte change of the body is rejected`, async () => {
        const v = verifier();
        let n = 0;
        for (const body of mutations(c.body)) {
          await rejectsWith(v.verify(request(headers, Buffer.from(body, 'latin1'))), 'SIGNATURE_MISMATCH');
          n++;
        }
        assert.equal(n, Buffer.byteLength(c.body));
      });

      test(`case ${i}: every single-byte change of each header value is rejected`, async () => {
        const v = verifier();
        for (const [name, value] of Object.entries(headers)) {
          for (const changed of mutations(value)) {
            try {
              await v.verify(request({ ...headers, [name]: changed }, c.body));
              assert.fail(`${name}=${changed} verified`);
            } catch (e) {
              const code = (e as { code?: string }).code;
              // A changed signature or id fails the comparison; a broken encoding or timestamp fails parsing;
              // a shifted timestamp may also land outside the tolerance. Never an accept.
              assert.ok(
                ['SIGNATURE_MISMATCH', 'MALFORMED_SIGNATURE', 'MISSING_SIGNATURE', 'TIMESTAMP_OUT_OF_TOLERANCE'].includes(code ?? ''),
                `${name}: unexpected ${code}`,
              );
            }
          }
        }
      });
    }
  });
}

run('standard-webhooks.json', (secret) => standardWebhooks({ secret }), (c) => Number(c.headers['webhook-timestamp']) * 1000);
run('github.json', (secret) => github({ secret }), () => Date.now());
run('shopify.json', (secret) => shopify({ secret }), () => Date.now());
run('slack.json', (secret) => slack({ secret }), (c) => Number(c.headers['x-slack-request-timestamp']) * 1000);

test('standard webhooks vector: a changed timestamp is a mismatch even inside the tolerance', async () => {
  const c = vectors<{ cases: Case[] }>('standard-webhooks.json').cases[0]!;
  const ts = Number(c.headers['webhook-timestamp']);
  const v = createVerifier({ scheme: standardWebhooks({ secret: c.secret }), now: () => ts * 1000, replay: false });
  await rejectsWith(
    v.verify(request({ ...c.headers, 'webhook-timestamp': String(ts + 1), 'webhook-signature': c.expected! }, c.body)),
    'SIGNATURE_MISMATCH',
  );
});
