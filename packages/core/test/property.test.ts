import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { adobeSign, createVerifier, discord, httpSignature, github, sendgrid, isWebhookVerificationError, sign, slack, standardWebhooks, stripe, shopify, twilio, any, type Verifier } from '@hookguard/core';
import { SECRET } from './helpers.js';
import { NOW_MS, NOW_S, PRESETS } from './lib/providers.js';

const RUNS = 300;
const ED = generateKeyPairSync('ed25519');
const EC = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const verifiers: Array<[string, Verifier]> = [
  ['standardWebhooks', createVerifier({ scheme: standardWebhooks({ secret: SECRET }), replay: false, toleranceSec: 1e9 })],
  ['stripe', createVerifier({ scheme: stripe({ secret: 'whsec_prop' }), replay: false, toleranceSec: 1e9 })],
  ['github', createVerifier({ scheme: github({ secret: 'prop', allowSha1: true }), replay: false })],
  ['slack', createVerifier({ scheme: slack({ secret: 'prop' }), replay: false, toleranceSec: 1e9 })],
  ['any', createVerifier({ scheme: any(shopify({ secret: 'prop' }), github({ secret: 'prop' })), replay: false })],
  ['twilio', createVerifier({ scheme: twilio({ secret: 'prop', publicUrl: 'https://hooks.example.com' }), replay: false })],
  ['adobeSign', createVerifier({ scheme: adobeSign({ clientId: 'CBJCHBCAABAAprop' }), replay: false })],
  ['discord', createVerifier({ scheme: discord({ publicKey: ED.publicKey }), replay: false, toleranceSec: 1e9 })],
  ['sendgrid', createVerifier({ scheme: sendgrid({ publicKey: EC.publicKey }), replay: false, toleranceSec: 1e9 })],
  ['httpSignature', createVerifier({ scheme: httpSignature({ publicUrl: 'https://hooks.example.com', keys: [{ id: 'ed', publicKey: ED.publicKey }, { id: 'hs', secret: 'prop-secret-0123456789' }] }), replay: false, toleranceSec: 1e9 })],
  ...PRESETS.map((p): [string, Verifier] => [p.name, createVerifier({ scheme: p.make('prop'), replay: false, toleranceSec: 1e9 })]),
];
const headerNames = fc.constantFrom(
  'webhook-id', 'webhook-timestamp', 'webhook-signature', 'svix-signature', 'stripe-signature', 'x-hub-signature-256',
  'x-hub-signature', 'x-slack-signature', 'x-slack-request-timestamp', 'x-shopify-hmac-sha256', 'content-type',
  'x-twilio-signature', 'x-twilio-webhooks-signature-settings', 'x-forwarded-host', 'x-forwarded-proto', 'host', 'x-adobesign-clientid',
  'x-signature-ed25519', 'x-signature-timestamp', 'x-twilio-email-event-webhook-signature', 'x-twilio-email-event-webhook-timestamp',
  'signature-input', 'signature', 'content-digest',
  'x-pagerduty-signature', 'x-docusign-signature-1', 'x-docusign-signature-2', 'paddle-signature', 'x-square-hmacsha256-signature', 'x-zm-signature',
  'x-zm-request-timestamp', 'linear-signature', 'x-gitlab-token', 'idempotency-key',
);
const headerValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('v1,', 'v1a,AAAA', 't=1,v1=', 'sha256=', 'v0=', ' ', ',,,', '=', 'v1,' + 'A'.repeat(44), 'A'.repeat(27) + '=', 'algorithm=HMAC_SHA256', 'CBJCHBCAABAAprop!', '0'.repeat(128), 'MEUCIQ' + 'A'.repeat(90), '1700000000', 'sig1=("@method");created=1', 'sig1=:AAAA:', 'sha-256=:' + 'A'.repeat(43) + '=:', 'sig1=();created=1;keyid="ed";alg="ed25519"', 'ts=1;h1=', 'v1=' + '0'.repeat(64) + ',v1=', 'sha1=', 'prop'),
  fc.array(fc.string(), { maxLength: 3 }),
);
const headers = fc.dictionary(headerNames, headerValue, { maxKeys: 6 });

test('random headers and bodies only ever reject, with a WebhookVerificationError', async () => {
  await fc.assert(
    fc.asyncProperty(headers, fc.uint8Array({ maxLength: 256 }), async (h, body) => {
      for (const [name, v] of verifiers) {
        // GitLab's token is the secret itself: the one header that may verify is that secret, sent as
        // X-Gitlab-Token ('prop' is among the generated values, so the secret shown as a signature is tried too).
        if (name === 'gitlab' && Object.entries(h).some(([k, x]) => k === 'x-gitlab-token' && (x === 'prop' || (Array.isArray(x) && x.includes('prop'))))) continue;
        try {
          await v.verify({ method: 'POST', url: '/', headers: h as never, body });
          assert.fail('a random request verified');
        } catch (e) {
          assert.ok(isWebhookVerificationError(e), `non-verification error: ${String(e)}`);
          assert.ok(e.status >= 400);
        }
      }
    }),
    { numRuns: RUNS },
  );
});

test('a correctly signed message with any one byte of its body changed never verifies', async () => {
  const v = verifiers[0]![1];
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 512 }), fc.nat(), fc.integer({ min: 1, max: 255 }), async (body, at, xor) => {
      const b = Buffer.from(body);
      const h = sign.standardWebhooks({ secret: SECRET, body: b });
      await v.verify({ method: 'POST', url: '/', headers: h, body: b });
      const m = Buffer.from(b);
      const i = at % m.length;
      m[i] = m[i]! ^ xor;
      await assert.rejects(v.verify({ method: 'POST', url: '/', headers: h, body: m }), (e: unknown) => isWebhookVerificationError(e) && e.code === 'SIGNATURE_MISMATCH');
    }),
    { numRuns: RUNS },
  );
});

test('a correctly signed Twilio form or JSON delivery with any one byte of its body, URL or signature changed never verifies', async () => {
  const v = verifiers.find(([n]) => n === 'twilio')![1];
  const param = fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 16 }));
  const delivery = fc.oneof(
    fc.uniqueArray(param, { minLength: 1, maxLength: 8, selector: ([n, x]) => `${n}=${x}` }).map((pairs) => ({ path: '/sms?x=1', body: new URLSearchParams(pairs).toString() })),
    fc.json().map((json) => ({ path: `/events?bodySHA256=${createHash('sha256').update(json).digest('hex')}`, body: json })),
  );
  await fc.assert(
    fc.asyncProperty(delivery, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.constantFrom('body', 'url', 'signature'), async ({ path, body }, at, xor, where) => {
      const b = Buffer.from(body);
      const h = sign.twilio({ secret: 'prop', url: `https://hooks.example.com${path}`, body: b });
      await v.verify({ method: 'POST', url: path, headers: h, body: b });
      const flip = (s: Buffer) => {
        const m = Buffer.from(s);
        const i = at % m.length;
        m[i] = m[i]! ^ xor;
        return m;
      };
      fc.pre(where !== 'body' || b.length > 0);
      const r = { method: 'POST', url: path, headers: h, body: b };
      if (where === 'body') r.body = flip(b);
      else if (where === 'url') r.url = flip(Buffer.from(path, 'latin1')).toString('latin1');
      else r.headers = { ...h, 'x-twilio-signature': flip(Buffer.from(h['x-twilio-signature']!, 'latin1')).toString('latin1') };
      await assert.rejects(v.verify(r), (e: unknown) => isWebhookVerificationError(e) && ['SIGNATURE_MISMATCH', 'MALFORMED_SIGNATURE'].includes(e.code));
    }),
    { numRuns: RUNS },
  );
});

test('a Discord or SendGrid delivery with any one byte of its body, timestamp or signature changed never verifies', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.constantFrom('body', 'timestamp', 'signature'), fc.boolean(), async (body, at, xor, where, isDiscord) => {
      const b = Buffer.from(body);
      const [name, h] = isDiscord ? ['discord', sign.discord({ privateKey: ED.privateKey, body: b })] : ['sendgrid', sign.sendgrid({ privateKey: EC.privateKey, body: b })];
      const v = verifiers.find(([n]) => n === name)![1];
      await v.verify({ method: 'POST', url: '/', headers: h, body: b });
      fc.pre(where !== 'body' || b.length > 0);
      const header = Object.keys(h).find((k) => (where === 'timestamp' ? k.endsWith('timestamp') : !k.endsWith('timestamp')))!;
      const flip = (s: Buffer) => {
        const m = Buffer.from(s);
        const i = at % m.length;
        m[i] = m[i]! ^ xor;
        return m;
      };
      const r = where === 'body' ? { headers: h, body: flip(b) } : { headers: { ...h, [header]: flip(Buffer.from(h[header]!, 'latin1')).toString('latin1') }, body: b };
      await assert.rejects(v.verify({ method: 'POST', url: '/', ...r }), (e: unknown) => isWebhookVerificationError(e) && ['SIGNATURE_MISMATCH', 'MALFORMED_SIGNATURE'].includes(e.code));
    }),
    { numRuns: RUNS },
  );
});

test('an RFC 9421 delivery with any one byte of a covered component, the body or the signature changed never verifies; uncovered headers change freely', async () => {
  const v = verifiers.find(([n]) => n === 'httpSignature')![1];
  const url = 'https://hooks.example.com/hooks?t=1';
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ minLength: 1, maxLength: 256 }),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      fc.constantFrom('body', 'path', 'method', 'content-type', 'content-digest', 'signature-input', 'signature', 'x-covered', 'x-uncovered'),
      fc.boolean(),
      async (body, at, xor, where, hmac) => {
        const b = Buffer.from(body);
        const headers = { 'content-type': 'application/octet-stream', 'x-covered': 'a value', 'x-uncovered': 'free' };
        const h = { ...headers, ...sign.httpSignature({ url, body: b, headers, components: ['@method', '@target-uri', 'content-digest', 'content-type', 'x-covered'], ...(hmac ? { secret: 'prop-secret-0123456789', keyId: 'hs' } : { privateKey: ED.privateKey, keyId: 'ed' }) }) } as Record<string, string>;
        const r = { method: 'POST', url: '/hooks?t=1', headers: h, body: b };
        await v.verify(r);
        const flip = (s: string) => {
          const m = Buffer.from(s, 'latin1');
          const i = at % m.length;
          m[i] = m[i]! ^ xor;
          return m.toString('latin1');
        };
        if (where === 'x-uncovered') return void (await v.verify({ ...r, headers: { ...h, 'x-uncovered': flip(h['x-uncovered']!) } }));
        const m =
          where === 'body' ? { ...r, body: Buffer.from(flip(b.toString('latin1')), 'latin1') }
          : where === 'path' ? { ...r, url: flip(r.url) }
          : where === 'method' ? { ...r, method: flip(r.method) }
          : { ...r, headers: { ...h, [where]: flip(h[where]!) } };
        // A case change of the method is a change (methods are case-sensitive); of a header name is not tried.
        await assert.rejects(v.verify(m), (e: unknown) => isWebhookVerificationError(e) && ['SIGNATURE_MISMATCH', 'MALFORMED_SIGNATURE', 'CONTENT_DIGEST_MISMATCH', 'INSUFFICIENT_COVERAGE', 'MISSING_SIGNATURE'].includes(e.code));
      },
    ),
    { numRuns: RUNS },
  );
});

test('signatures made with another key never verify', async () => {
  await fc.assert(
    fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s !== 'prop' && s.trim() === s), fc.uint8Array({ maxLength: 128 }), async (secret, body) => {
      const b = Buffer.from(body);
      const attempts = [
        [verifiers[1]![1], sign.stripe({ secret, body: b })],
        [verifiers[2]![1], sign.github({ secret, body: b })],
        [verifiers[3]![1], sign.slack({ secret, body: b })],
        [verifiers.find(([n]) => n === 'adobeSign')![1], sign.adobeSign({ clientId: `CBJ${Buffer.from(secret).toString('hex')}` })],
      ] as const;
      for (const [v, h] of attempts) {
        await assert.rejects(v.verify({ method: 'POST', url: '/', headers: h, body: b }), (e: unknown) => isWebhookVerificationError(e) && e.code === 'SIGNATURE_MISMATCH');
      }
      // Public-key schemes: a signature by another key pair over the same bytes.
      const otherEd = generateKeyPairSync('ed25519').privateKey;
      const otherEc = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
      for (const [name, h] of [['discord', sign.discord({ privateKey: otherEd, body: b })], ['sendgrid', sign.sendgrid({ privateKey: otherEc, body: b })]] as const)
        await assert.rejects(verifiers.find(([n]) => n === name)![1].verify({ method: 'POST', url: '/', headers: h, body: b }), (e: unknown) => isWebhookVerificationError(e) && e.code === 'SIGNATURE_MISMATCH');
      // Twilio binds a non-form body through the URL's bodySHA256.
      const path = `/?bodySHA256=${createHash('sha256').update(b).digest('hex')}`;
      const th = sign.twilio({ secret, url: `https://hooks.example.com${path}`, body: b });
      await assert.rejects(verifiers.find(([n]) => n === 'twilio')![1].verify({ method: 'POST', url: path, headers: th, body: b }), (e: unknown) => isWebhookVerificationError(e) && e.code === 'SIGNATURE_MISMATCH');
    }),
    { numRuns: RUNS },
  );
});

test('the real signature with any bit flipped, or replaced by well-formed random bytes, reaches the comparison and fails', async () => {
  const v = verifiers[0]![1];
  const body = Buffer.from('{"fixed":true}');
  const h = sign.standardWebhooks({ secret: SECRET, body });
  const real = Buffer.from(h['webhook-signature']!.slice(3), 'base64');
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.integer({ min: 0, max: real.length * 8 - 1 }).map((bit) => {
          const s = Buffer.from(real);
          s[bit >> 3]! ^= 1 << (bit & 7);
          return s;
        }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a)),
      ),
      async (sig) => {
        fc.pre(!sig.equals(real));
        await assert.rejects(
          v.verify({ method: 'POST', url: '/', headers: { ...h, 'webhook-signature': `v1,${sig.toString('base64')}` }, body }),
          (e: unknown) => isWebhookVerificationError(e) && e.code === 'SIGNATURE_MISMATCH',
        );
      },
    ),
    { numRuns: RUNS },
  );
  // The unmutated signature verifies: the property above is about the mutation, not a broken setup.
  assert.equal((await v.verify({ method: 'POST', url: '/', headers: h, body })).keyId, 'key-0');
});

test('signature header entries mutated at random never verify under the wrong body', async () => {
  const v = verifiers[0]![1];
  const body = Buffer.from('{"fixed":true}');
  const h = sign.standardWebhooks({ secret: SECRET, body });
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 200 }), async (noise) => {
      try {
        await v.verify({ method: 'POST', url: '/', headers: { ...h, 'webhook-signature': `${noise} ${noise}` }, body });
        assert.fail('verified with a random signature');
      } catch (e) {
        assert.ok(isWebhookVerificationError(e));
        assert.ok(['MALFORMED_SIGNATURE', 'SIGNATURE_MISMATCH'].includes(e.code), e.code);
      }
    }),
    { numRuns: RUNS },
  );
});

test('a provider preset delivery with any one byte of its body or of a signed header changed, or signed with another key, never verifies', async () => {
  for (const p of PRESETS) {
    const v = createVerifier({ scheme: p.make('prop'), replay: false, now: () => NOW_MS });
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.string({ minLength: 1, maxLength: 30 }), async (note, at, xor, other) => {
        const d = p.deliver(['prop'], { id: 'notif_p', event_id: 'evt_p', note }, NOW_S);
        await v.verify({ method: 'POST', url: '/', headers: d.headers, body: d.body });
        const targets = [...(p.bodySigned ? ['body'] : []), ...Object.keys(p.spans(d.headers))];
        if (targets.length > 0) {
          const target = targets[at % targets.length]!;
          let body = d.body;
          const headers = { ...d.headers };
          if (target === 'body') {
            body = Buffer.from(d.body);
            body[at % body.length] = body[at % body.length]! ^ xor;
          } else {
            const b = Buffer.from(headers[target]!, 'latin1');
            b[at % b.length] = b[at % b.length]! ^ xor;
            headers[target] = b.toString('latin1');
          }
          await assert.rejects(v.verify({ method: 'POST', url: '/', headers, body }), (e: unknown) => isWebhookVerificationError(e) && ['SIGNATURE_MISMATCH', 'MALFORMED_SIGNATURE', 'MISSING_SIGNATURE'].includes(e.code));
        }
        fc.pre(other !== 'prop' && other.trim() === other);
        const forged = p.deliver([other], { id: 'notif_p', event_id: 'evt_p', note }, NOW_S);
        await assert.rejects(v.verify({ method: 'POST', url: '/', headers: forged.headers, body: forged.body }), (e: unknown) => isWebhookVerificationError(e) && e.code === 'SIGNATURE_MISMATCH');
      }),
      { numRuns: 100 },
    );
  }
});
