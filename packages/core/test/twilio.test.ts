// twilio(): interop with the twilio package (getExpectedTwilioSignature, validateRequest,
// validateRequestWithBody), the public URL (fixed base, function, trusted-proxy forwarded headers, Host),
// Twilio's re-splitting, and every single-byte mutation of URL, body and signature.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import twilioLib from 'twilio';
import { createVerifier, fromParam, sign, twilio, type TwilioOptions, type VerifierOptions, type WebhookRequest } from '@hookguard/core';
import { rejectsWith } from './helpers.js';

const TOKEN = '0123456789abcdef0123456789abcdef';
const BASE = 'https://hooks.example.com';
type Params = Record<string, string | string[]>;

function formOf(params: Params): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) u.append(k, x);
  return u.toString();
}
/** The request an adapter hands core for `url` (its path and query as the request target). */
function req(url: string, headers: Record<string, string | string[]>, body: string | Buffer, extra: Partial<WebhookRequest> = {}): WebhookRequest {
  const target = url.replace(/^https?:\/\/[^/]+/, '');
  return { method: 'POST', url: target, headers, body: typeof body === 'string' ? Buffer.from(body) : body, remoteAddress: '203.0.113.9', ...extra };
}
function verifier(options: TwilioOptions = { publicUrl: BASE }, extra: Partial<VerifierOptions> = {}) {
  // Replay off: these tests send one signed content many times on purpose (the re-split test keeps it).
  return createVerifier({ scheme: twilio({ secret: TOKEN, ...options }), replay: false, ...extra });
}
const sms: Params = { AccountSid: 'AC0123', From: '+15551234567', To: '+15557654321', Body: 'Hello, world ✓ & =+%', MessageSid: 'SM1' };
const bodyUrl = (url: string, body: string) => `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${createHash('sha256').update(body).digest('hex')}`;

describe('twilio: interop with the twilio package', () => {
  test("getExpectedTwilioSignature's form signatures verify, with the query string, repeated and empty params", async () => {
    const params: Params = { ...sms, MediaUrl: ['https://m/2', 'https://m/1'], Empty: '', z: 'last' };
    const url = `${BASE}/sms?tenant=acme&x=%20y`;
    const sig = twilioLib.getExpectedTwilioSignature(TOKEN, url, params);
    const w = await verifier().verify(req(url, { 'x-twilio-signature': sig, 'content-type': 'application/x-www-form-urlencoded', 'i-twilio-idempotency-token': 'tok-1' }, formOf(params)));
    assert.equal(w.scheme, 'twilio');
    assert.equal(w.id, 'tok-1');
    assert.deepEqual((w.payload as Params).MediaUrl, ['https://m/2', 'https://m/1']);
    assert.equal((w.payload as Params).Body, sms.Body);
  });

  test('hookguard form signatures pass validateRequest, and repeated values in any order', () => {
    const params: Params = { ...sms, MediaUrl: ['b', 'a', 'c'] };
    const url = `${BASE}/sms?x=1`;
    for (const body of [formOf(params), formOf({ ...params, MediaUrl: ['c', 'a', 'b'] })]) {
      const h = sign.twilio({ secret: TOKEN, url, body });
      assert.equal(twilioLib.validateRequest(TOKEN, h['x-twilio-signature']!, url, params), true);
      assert.equal(h['content-type'], 'application/x-www-form-urlencoded');
    }
  });

  test('JSON bodies: validateRequestWithBody accepts ours, and its URL + bodySHA256 signatures verify', async () => {
    const body = JSON.stringify({ event: 'message.delivered', sid: 'SM1', note: 'ü€😀' });
    const url = bodyUrl(`${BASE}/events?tenant=acme`, body);
    const h = sign.twilio({ secret: TOKEN, url, body });
    assert.equal(h['content-type'], 'application/json');
    assert.equal(twilioLib.validateRequestWithBody(TOKEN, h['x-twilio-signature']!, url, body), true);
    const sig = twilioLib.getExpectedTwilioSignature(TOKEN, url, {});
    const w = await verifier().verify(req(url, { 'x-twilio-signature': sig, 'content-type': 'application/json' }, body));
    assert.deepEqual(w.payload, JSON.parse(body));
  });

  test('ports: a signature over the URL with the default port, or without a non-default one, verifies (as validateRequest does)', async () => {
    const body = formOf(sms);
    const v = verifier();
    for (const signedUrl of [`${BASE}:443/sms`, `${BASE}/sms`]) {
      const sig = twilioLib.getExpectedTwilioSignature(TOKEN, signedUrl, sms);
      await v.verify(req(`${BASE}/sms`, { 'x-twilio-signature': sig }, body));
      assert.equal(twilioLib.validateRequest(TOKEN, sig, `${BASE}/sms`, sms), true);
    }
    // A configured base with a port: signed with it, and without it.
    const v8443 = verifier({ publicUrl: `${BASE}:8443` });
    for (const signedUrl of [`${BASE}:8443/sms`, `${BASE}/sms`]) {
      const sig = twilioLib.getExpectedTwilioSignature(TOKEN, signedUrl, sms);
      await v8443.verify(req('/sms', { 'x-twilio-signature': sig }, body));
      assert.equal(twilioLib.validateRequest(TOKEN, sig, `${BASE}:8443/sms`, sms), true);
    }
    // http's default port is 80, not 443.
    const sig = twilioLib.getExpectedTwilioSignature(TOKEN, 'http://hooks.example.com:80/sms', sms);
    await verifier({ publicUrl: 'http://hooks.example.com' }).verify(req('/sms', { 'x-twilio-signature': sig }, body));
    await rejectsWith(verifier().verify(req('/sms', { 'x-twilio-signature': sig }, body)), 'SIGNATURE_MISMATCH');
  });

  test('GET webhooks (the URL alone, params in the query) verify both ways', async () => {
    const url = `${BASE}/voice?CallSid=CA1&From=%2B1555`;
    const sig = twilioLib.getExpectedTwilioSignature(TOKEN, url, {});
    await verifier().verify(req(url, { 'x-twilio-signature': sig }, '', { method: 'GET' }));
    assert.equal(twilioLib.validateRequest(TOKEN, sign.twilio({ secret: TOKEN, url })['x-twilio-signature']!, url, {}), true);
  });

  test('a Webhook Rule SharedKey (HMAC_SHA256 in X-Twilio-Webhooks-Signature-Settings) verifies both ways', async () => {
    const shared = 'shared-key-secret-0123456789';
    const url = `${BASE}/sms`;
    const sig = twilioLib.getExpectedTwilioSignature(shared, url, sms, 'HMAC_SHA256');
    const v = createVerifier({ scheme: twilio({ secret: [TOKEN, shared], publicUrl: BASE }) });
    const w = await v.verify(req(url, { 'x-twilio-signature': sig, 'x-twilio-webhooks-signature-settings': 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256' }, formOf(sms)));
    assert.equal(w.keyId, 'key-1');
    const h = sign.twilio({ secret: shared, url, body: formOf(sms), algorithm: 'HMAC_SHA256' });
    assert.equal(twilioLib.validateRequest(shared, h['x-twilio-signature']!, url, sms, twilioLib.getSignatureAlgorithm(h['x-twilio-webhooks-signature-settings'])), true);
    // Without the settings header a SHA-256 signature is the wrong length for HMAC-SHA1.
    await rejectsWith(v.verify(req(url, { 'x-twilio-signature': sig }, formOf(sms))), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(req(url, { 'x-twilio-signature': sig, 'x-twilio-webhooks-signature-settings': 'algorithm=HMAC_MD5' }, formOf(sms))), 'MALFORMED_SIGNATURE');
  });

  test('another Auth Token: the library and we both refuse', async () => {
    const url = `${BASE}/sms`;
    const h = sign.twilio({ secret: 'ffffffffffffffffffffffffffffffff', url, body: formOf(sms) });
    assert.equal(twilioLib.validateRequest(TOKEN, h['x-twilio-signature']!, url, sms), false);
    await rejectsWith(verifier().verify(req(url, h, formOf(sms))), 'SIGNATURE_MISMATCH');
  });
});

describe('twilio: the public URL', () => {
  const url = `${BASE}/sms?x=1`;
  const body = formOf(sms);
  const headers = () => sign.twilio({ secret: TOKEN, url, body });

  test('a fixed base ignores Host and forwarded headers; a function of the request decides alone', async () => {
    await verifier().verify(req(url, { ...headers(), host: 'evil.example.net', 'x-forwarded-host': 'evil.example.net', 'x-forwarded-proto': 'http' }, body));
    await verifier({ publicUrl: `${BASE}/` }).verify(req(url, headers(), body));
    // A proxy that strips a path prefix: the base carries it.
    const prefixed = `${BASE}/api/sms?x=1`;
    await verifier({ publicUrl: `${BASE}/api` }).verify(req('/sms?x=1', sign.twilio({ secret: TOKEN, url: prefixed, body }), body));
    const byTenant = verifier({ publicUrl: (r) => `https://${String(r.params?.tenant)}.hooks.example.com${r.url}` }, { tenants: { resolve: fromParam(), lookup: () => ({ secrets: [TOKEN] }) } });
    const tenantUrl = 'https://acme.hooks.example.com/sms';
    await byTenant.verify(req('/sms', sign.twilio({ secret: TOKEN, url: tenantUrl, body }), body, { params: { tenant: 'acme' } }));
    await rejectsWith(byTenant.verify(req('/sms', sign.twilio({ secret: TOKEN, url: tenantUrl, body }), body, { params: { tenant: 'globex' } })), 'SIGNATURE_MISMATCH');
  });

  test('forwarded proto and host from a trusted proxy verify; the same headers from any other address are UNTRUSTED_PROXY', async () => {
    const fwd = { ...headers(), host: '10.0.0.5:3000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hooks.example.com' };
    const behind = verifier({}, { proxy: { trusted: ['10.0.0.0/8', '127.0.0.1'] } });
    await behind.verify(req(url, fwd, body, { remoteAddress: '10.1.2.3' }));
    await behind.verify(req(url, fwd, body, { remoteAddress: '::ffff:127.0.0.1' }));
    await rejectsWith(behind.verify(req(url, fwd, body, { remoteAddress: '192.0.2.7' })), 'UNTRUSTED_PROXY');
    // No proxy configured at all: forwarded headers are someone's claim.
    await rejectsWith(verifier({}).verify(req(url, fwd, body, { remoteAddress: '10.1.2.3' })), 'UNTRUSTED_PROXY');
    await rejectsWith(verifier({}).verify(req(url, { ...headers(), 'x-forwarded-host': 'hooks.example.com' }, body)), 'UNTRUSTED_PROXY');
    // The proxy's mTLS certificate format is a separate matter: a format-less proxy entry is enough.
    const withCerts = verifier({}, { proxy: { trusted: ['10.0.0.0/8'], format: 'envoy' } });
    await withCerts.verify(req(url, fwd, body, { remoteAddress: '10.1.2.3' }));
  });

  test('a trusted proxy forwarding a host the delivery was not signed for: SIGNATURE_MISMATCH; lists and odd values refused', async () => {
    const behind = verifier({}, { proxy: { trusted: ['10.0.0.0/8'] } });
    const from = { remoteAddress: '10.1.2.3' };
    const fwd = (h: Record<string, string | string[]>) => req(url, { ...headers(), 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hooks.example.com', ...h }, body, from);
    await rejectsWith(behind.verify(fwd({ 'x-forwarded-host': 'other.example.com' })), 'SIGNATURE_MISMATCH');
    await rejectsWith(behind.verify(fwd({ 'x-forwarded-proto': 'http' })), 'SIGNATURE_MISMATCH');
    const odd: Array<Record<string, string | string[]>> = [{ 'x-forwarded-proto': 'https, http' }, { 'x-forwarded-host': 'hooks.example.com, evil.example.net' }, { 'x-forwarded-proto': 'ftp' }, { 'x-forwarded-host': 'user@hooks.example.com' }, { 'x-forwarded-host': 'hooks.example.com/x' }, { 'x-forwarded-host': ['hooks.example.com', 'hooks.example.com'] }];
    for (const bad of odd) await rejectsWith(behind.verify(fwd(bad)), 'MALFORMED_SIGNATURE');
  });

  test('without publicUrl or a proxy, the Host header and the connection name the URL (and so can move it: see the README)', async () => {
    const direct = verifier({});
    await direct.verify(req(url, { ...headers(), host: 'hooks.example.com' }, body, { peer: { tls: true, source: 'socket' } }));
    await rejectsWith(direct.verify(req(url, { ...headers(), host: 'hooks.example.com' }, body)), 'SIGNATURE_MISMATCH'); // plain http
    await rejectsWith(direct.verify(req(url, headers(), body)), 'MALFORMED_SIGNATURE'); // no Host
    // An absolute-form request target would name its own host: refused, whatever publicUrl says.
    await rejectsWith(verifier().verify({ ...req(url, headers(), body), url }), 'MALFORMED_SIGNATURE');
  });

  test('configuration: publicUrl must be an http(s) base with no query; its function an absolute URL', async () => {
    for (const bad of ['hooks.example.com', 'https://hooks.example.com/?x=1', 'https://hooks.example.com/#f', 'ftp://x', 'https://hooks.exämple.com', ''])
      assert.throws(() => twilio({ secret: TOKEN, publicUrl: bad }), /publicUrl/);
    await rejectsWith(verifier({ publicUrl: () => '/relative' }).verify(req(url, headers(), body)), 'MALFORMED_SIGNATURE');
  });
});

describe("twilio: Twilio's format, read strictly", () => {
  const url = `${BASE}/sms`;
  const v = verifier();

  test('name+value concatenation: a re-split of a captured delivery verifies (Twilio does not sign the boundaries) but keeps its replay key', async () => {
    const body = 'From=%2B15551234567&To=%2B1666';
    const h = sign.twilio({ secret: TOKEN, url, body });
    const store = new Map<string, number>();
    const counting = createVerifier({
      scheme: twilio({ secret: TOKEN, publicUrl: BASE }),
      replay: { store: { reserve: (k) => (store.set(k, (store.get(k) ?? 0) + 1), Promise.resolve({ state: 'reserved', token: 't' })), commit: () => Promise.resolve(), release: () => Promise.resolve() } },
    });
    const a = await counting.verify(req(url, h, body));
    // "From" + "+15551234567" + "To" + "+1666" read as From=+15551234567T and o=+1666 ('o' sorts after 'From').
    const b = await counting.verify(req(url, h, 'From=%2B15551234567T&o=%2B1666'));
    // Reordered, and re-encoded (+ and %20 are both a space).
    const c = await counting.verify(req(url, h, 'To=%2B1666&From=%2B15551234567'));
    assert.equal(b.replayKey, a.replayKey);
    assert.equal(c.replayKey, a.replayKey);
    assert.equal(store.size, 1);
    const spaced = sign.twilio({ secret: TOKEN, url, body: 'Body=a+b' });
    assert.equal(((await v.verify(req(url, spaced, 'Body=a%20b'))).payload as Params).Body, 'a b');
  });

  test('refused before any HMAC: a pair sent twice, empty pairs, no =, lower-case or broken escapes, raw bytes, bad UTF-8, too many params', async () => {
    const sig = sign.twilio({ secret: TOKEN, url, body: 'a=1' })['x-twilio-signature']!;
    for (const body of ['a=1&a=1', 'a=1&a=%31', 'a=1&&b=2', 'a=1&', '&a=1', 'a', 'a=1&b', 'a=%2b', 'a=%2', 'a=%ZZ', 'a=b c', 'a=\u00e9', 'a=%FF', 'a=%C3', 'a=1\n', Array.from({ length: 1001 }, (_, i) => `p${i}=`).join('&')])
      await rejectsWith(v.verify(req(url, { 'x-twilio-signature': sig }, body)), 'MALFORMED_SIGNATURE');
    // A name sent twice with different values is Twilio's (MediaUrl lists): fine.
    await v.verify(req(url, sign.twilio({ secret: TOKEN, url, body: 'a=1&a=2' }), 'a=2&a=1'));
  });

  test('the mode follows the signed URL, not the Content-Type: a form signature cannot be replayed as a JSON delivery and back', async () => {
    const json = '{"a":1}';
    const jurl = bodyUrl(url, json);
    const h = sign.twilio({ secret: TOKEN, url: jurl, body: json });
    // The bodySHA256 URL with another body, or the body emptied (a form reading of the URL alone).
    await rejectsWith(v.verify(req(jurl, h, '{"a":2}')), 'SIGNATURE_MISMATCH');
    await rejectsWith(v.verify(req(jurl, { ...h, 'content-type': 'application/x-www-form-urlencoded' }, '')), 'SIGNATURE_MISMATCH');
    // A URL carrying bodySHA256 twice, or not as 64 lower-case hex digits.
    await rejectsWith(v.verify(req(`${jurl}&bodySHA256=00`, h, json)), 'MALFORMED_SIGNATURE');
    await rejectsWith(v.verify(req(jurl.replace(/bodySHA256=([0-9a-f]+)/, (_m, hex: string) => `bodySHA256=${hex.toUpperCase()}`), h, json)), 'MALFORMED_SIGNATURE');
    // The URL alone (a GET webhook) with a body added: the body would be unsigned.
    const get = sign.twilio({ secret: TOKEN, url });
    await rejectsWith(v.verify(req(url, get, 'a=1')), 'SIGNATURE_MISMATCH');
  });

  test('signature header: missing, empty, not canonical base64, wrong length', async () => {
    const body = formOf(sms);
    const sig = sign.twilio({ secret: TOKEN, url, body })['x-twilio-signature']!;
    await rejectsWith(v.verify(req(url, {}, body)), 'MISSING_SIGNATURE');
    await rejectsWith(v.verify(req(url, { 'x-twilio-signature': '' }, body)), 'MISSING_SIGNATURE');
    for (const bad of [` ${sig}`, sig.replace('=', ''), `${sig}=`, sig.slice(0, -2) + 'B=', Buffer.alloc(32).toString('base64'), [sig, sig]])
      await rejectsWith(v.verify(req(url, { 'x-twilio-signature': bad }, body)), 'MALFORMED_SIGNATURE');
  });
});

describe('twilio: every single-byte mutation is rejected', () => {
  const v = verifier();
  const mutations = (s: string) => {
    const out: string[] = [];
    for (let i = 0; i < s.length; i++)
      for (const c of ['\u0000', ' ', '%', '+', '&', '=', 'A', 'a', '0', '/', '?', '#', ':', '\u00e9', 'z']) if (c !== s[i]) out.push(s.slice(0, i) + c + s.slice(i + 1));
    return out;
  };
  const cases = [
    { what: 'form', url: `${BASE}/sms?tenant=acme`, body: formOf({ ...sms, MediaUrl: ['x', 'y'], Empty: '' }) },
    { what: 'json', url: bodyUrl(`${BASE}/events?t=1`, '{"a":"b","n":1}'), body: '{"a":"b","n":1}' },
    { what: 'get', url: `${BASE}/voice?CallSid=CA1&From=%2B1555`, body: '' },
  ];
  for (const c of cases) {
    test(`${c.what}: each byte of the URL, the body and the signature`, async () => {
      const h = sign.twilio({ secret: TOKEN, url: c.url, body: c.body });
      const target = c.url.slice(BASE.length);
      await v.verify(req(c.url, h, c.body));
      let tried = 0;
      for (const t of mutations(target)) {
        tried++;
        await assert.rejects(v.verify({ ...req(c.url, h, c.body), url: t }), `url ${t}`);
      }
      for (const b of mutations(c.body)) {
        tried++;
        await assert.rejects(v.verify(req(c.url, h, Buffer.from(b, 'latin1'))), `body ${b}`);
      }
      for (const s of mutations(h['x-twilio-signature']!)) {
        tried++;
        await assert.rejects(v.verify(req(c.url, { ...h, 'x-twilio-signature': s }, c.body)), `signature ${s}`);
      }
      // The public base URL, byte by byte (scheme, host): a verifier configured for another URL refuses.
      for (const base of mutations(BASE).filter((b) => /^https?:\/\/[^/?#@]+$/.test(b) && !/[^\x21-\x7e]/.test(b))) {
        tried++;
        await assert.rejects(verifier({ publicUrl: base }).verify(req(c.url, h, c.body)), `base ${base}`);
      }
      assert.ok(tried > 500, `only ${tried} mutations`);
    });
  }
});
