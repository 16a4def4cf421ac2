import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  apiKey, createVerifier, fromParam, github, isWebhookVerificationError, rejectionResponse, shopify, sign, slack, standardWebhooks, stripe,
  toProblem, type Verifier, type WebhookRequest,
} from '@hookguard/core';

const whsec = 'whsec_' + Buffer.from('super-secret-standard-webhooks!!').toString('base64');
const plain = 'plain-secret-that-must-not-leak';
const body = '{"hello":"world"}';

test('no rejection, problem, response or log line contains a secret, key or expected signature', async () => {
  const logged: string[] = [];
  const hooks = { onRejected: (e: Error) => logged.push(String(e), JSON.stringify(e), (e as Error).stack ?? '') };
  const verifiers: Array<[Verifier, WebhookRequest[]]> = [];
  const mk = (scheme: Parameters<typeof createVerifier>[0]['scheme'], reqs: WebhookRequest[]) => verifiers.push([createVerifier({ scheme, ...hooks }), reqs]);
  const r = (headers: Record<string, string>, b = body, extra: Partial<WebhookRequest> = {}): WebhookRequest => ({ method: 'POST', url: '/', headers, body: Buffer.from(b), ...extra });
  const stale = Math.floor(Date.now() / 1000) - 10_000;
  mk(standardWebhooks({ secret: whsec }), [
    r({}), r({ 'webhook-signature': 'v1,xx', 'webhook-id': 'a', 'webhook-timestamp': '1' }),
    r(sign.standardWebhooks({ secret: whsec, body }), body + ' '),
    r(sign.standardWebhooks({ secret: whsec, body, timestamp: stale })),
  ]);
  mk(stripe({ secret: plain }), [r({ 'stripe-signature': 't=1' }), r(sign.stripe({ secret: plain, body }), '{}'), r(sign.stripe({ secret: plain, body, timestamp: stale }))]);
  mk(github({ secret: plain }), [r({ 'x-hub-signature-256': 'sha256=00' }), r(sign.github({ secret: plain, body }), '{}')]);
  mk(slack({ secret: plain }), [r(sign.slack({ secret: plain, body }), '{}')]);
  mk(shopify({ secret: plain }), [r(sign.shopify({ secret: plain, body }), '{}')]);
  mk(apiKey({ keys: plain }), [r({ authorization: 'Bearer wrong' }), r({ authorization: 'Basic x' })]);
  verifiers.push([
    createVerifier({ scheme: github(), tenants: { resolve: fromParam(), lookup: async () => { throw new Error(`vault said: ${plain}`); } }, ...hooks }),
    [r(sign.github({ secret: plain, body }), body, { params: { tenant: 't' } })],
  ]);
  const whsecKey = Buffer.from(whsec.slice(6), 'base64');
  const forbidden = [whsec, whsec.slice(6), plain, Buffer.from(plain).toString('base64'), Buffer.from(plain).toString('hex'), whsecKey.toString('hex')];
  /** What each scheme would accept for this request's own bytes: the signatures an attacker lacks. */
  const expectedSignatures = (req: WebhookRequest): string[] => {
    const h = req.headers as Record<string, string | undefined>;
    const b = Buffer.from(req.body);
    const mac = (key: string | Buffer, prefix: string) => createHmac('sha256', key).update(prefix).update(b);
    const out: string[] = [];
    for (const enc of ['hex', 'base64'] as const) out.push(mac(plain, '').digest(enc)); // github, shopify
    if (h['webhook-id'] && h['webhook-timestamp']) out.push(mac(whsecKey, `${h['webhook-id']}.${h['webhook-timestamp']}.`).digest('base64'));
    const t = /(?:^|,)t=([0-9]+)/.exec(h['stripe-signature'] ?? '')?.[1];
    if (t) out.push(mac(plain, `${t}.`).digest('hex'));
    if (h['x-slack-request-timestamp']) out.push(mac(plain, `v0:${h['x-slack-request-timestamp']}:`).digest('hex'));
    return out;
  };
  let rejections = 0;
  for (const [v, reqs] of verifiers) {
    for (const req of reqs) {
      try {
        await v.verify(req);
        assert.fail('should reject');
      } catch (e) {
        assert.ok(isWebhookVerificationError(e));
        rejections++;
        const out = [e.message, e.detail ?? '', e.stack ?? '', JSON.stringify(e), JSON.stringify(toProblem(e)), JSON.stringify(rejectionResponse(e))].join('\n');
        for (const f of [...forbidden, ...expectedSignatures(req)]) assert.ok(!out.includes(f), `leaked a secret or expected signature in ${e.code}`);
      }
    }
  }
  const everyExpected = verifiers.flatMap(([, reqs]) => reqs.flatMap(expectedSignatures));
  for (const line of logged) for (const f of [...forbidden, ...everyExpected]) assert.ok(!line.includes(f), 'leaked a secret through onRejected');
  assert.equal(rejections, 14);
});
