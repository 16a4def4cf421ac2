// Properties of the replay identity across every scheme: whatever keeps a signature valid keeps the
// replay key — the set and order of our keys (rotation), the tenant's spelling, the header spelling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { createVerifier, fromParam, github, hmac, shopify, sign, slack, standardWebhooks, stripe, type Scheme, type TenantConfig } from '@hookguard/core';

const whsec = () => `whsec_${randomBytes(24).toString('base64')}`;
const plain = () => randomBytes(12).toString('hex');
const HM = { header: 'x-sig', idHeader: 'x-id' } as const;
const HM_ID = { header: 'x-sig', idHeader: 'x-id', template: '{id}:{body}' } as const;

interface Case {
  name: string;
  scheme: () => Scheme;
  secret: () => string;
  sign: (secret: string, body: Buffer) => Record<string, string>;
}
const CASES: Case[] = [
  { name: 'standardWebhooks', scheme: () => standardWebhooks(), secret: whsec, sign: (s, body) => sign.standardWebhooks({ secret: s, body, id: 'msg_prop' }) },
  { name: 'stripe', scheme: () => stripe(), secret: () => `whsec_${plain()}`, sign: (s, body) => sign.stripe({ secret: s, body }) },
  { name: 'github', scheme: () => github(), secret: plain, sign: (s, body) => sign.github({ secret: s, body }) },
  { name: 'slack', scheme: () => slack(), secret: plain, sign: (s, body) => sign.slack({ secret: s, body }) },
  { name: 'shopify', scheme: () => shopify(), secret: plain, sign: (s, body) => sign.shopify({ secret: s, body }) },
  { name: 'hmac {body}', scheme: () => hmac(HM), secret: plain, sign: (s, body) => sign.hmac({ scheme: HM, secret: s, body, id: 'unsigned-id' }) },
  { name: 'hmac {id}:{body}', scheme: () => hmac(HM_ID), secret: plain, sign: (s, body) => sign.hmac({ scheme: HM_ID, secret: s, body, id: 'signed-id' }) },
];

for (const c of CASES) {
  test(`${c.name}: the replay key is the same under any key set that verifies, any key order, any tenant spelling`, async () => {
    const signer = c.secret();
    const others = [c.secret(), c.secret(), c.secret()];
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.shuffledSubarray(others, { minLength: 0, maxLength: 3 }),
        fc.nat(3),
        fc.constantFrom('acme', 'ACME', 'Acme', 'aCmE'),
        async (bytes, extra, at, spelling) => {
          // A body that is JSON for Stripe and Slack (no event id: the digest path), raw otherwise.
          const body = Buffer.from(JSON.stringify({ data: Buffer.from(bytes).toString('base64') }));
          const headers = c.sign(signer, body);
          const keys = [...extra];
          keys.splice(Math.min(at, keys.length), 0, signer);
          const rows = new Map<string, TenantConfig>([['acme', { id: 'acme', secrets: keys }]]);
          const reference = createVerifier({ scheme: c.scheme(), tenants: { resolve: fromParam(), lookup: () => ({ id: 'acme', secrets: [signer] }) } });
          const rotated = createVerifier({ scheme: c.scheme(), tenants: { resolve: fromParam(), lookup: (id) => rows.get(id.toLowerCase()) } });
          const a = await reference.verify({ method: 'POST', url: '/', headers, body, params: { tenant: 'acme' } });
          const b = await rotated.verify({ method: 'POST', url: '/', headers, body, params: { tenant: spelling } });
          assert.equal(b.replayKey, a.replayKey);
          assert.equal(b.tenant, 'acme');
        },
      ),
      { numRuns: 40 },
    );
  });
}

test('header name spelling and svix-* vs webhook-* keep the key', async () => {
  const secret = whsec();
  const body = Buffer.from('{"x":1}');
  const v = createVerifier({ scheme: standardWebhooks({ secret }), replay: { store: { reserve: async () => ({ state: 'reserved', token: 't' }), commit: async () => {}, release: async () => {} } } });
  const h = sign.standardWebhooks({ secret, body, id: 'msg_spell', timestamp: Math.floor(Date.now() / 1000) });
  const svix = Object.fromEntries(Object.entries(h).map(([k, val]) => [k.replace('webhook-', 'svix-'), val]));
  const upper = Object.fromEntries(Object.entries(h).map(([k, val]) => [k.toUpperCase(), val]));
  const keys = await Promise.all([h, svix, upper].map(async (headers) => (await v.verify({ method: 'POST', url: '/', headers, body })).replayKey));
  assert.equal(new Set(keys).size, 1, keys.join(' '));
});
