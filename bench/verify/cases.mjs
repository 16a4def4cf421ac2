// Every row of the verify benchmark. A case's setup(size) returns:
//   fn()          the timed call (sync or async), with a Buffer body as a raw-body middleware holds it
//   tampered()    the same call on a body with one byte changed: must throw or return false
//   ok(result)    whether fn()'s result is a verified delivery (with the event id when it parses)
// The cell asserts ok(await fn()) and that tampered() is rejected before anything is timed.
import { pathToFileURL } from 'node:url';
import { createHash, createHmac, generateKeyPairSync, randomBytes, sign as edSign, timingSafeEqual, verify as edVerify } from 'node:crypto';
import { makeBody } from '../lib/body.mjs';
import { handVerifyStandardWebhooks } from '../lib/hand-verify.mjs';
import { PUBLIC_KEY_CASES, publicKeyFloorOf, publicKeySetup } from './public-key-cases.mjs';

export const EVENT_ID = 'evt_bench_0001';
// The provider presets: a verify and a verify + payload row each (defineScheme's, and the hand-built ones).
export const PRESETS = ['pagerduty', 'docusign', 'paddle', 'square', 'zoom', 'linear', 'mailgun', 'gitlab', 'intercom', 'bitbucket'];
// The presets whose signature header is a bounded list: their worst unauthenticated request too.
export const LIST_PRESETS = ['pagerduty', 'docusign', 'paddle'];
export const TWILIO_CASES = [
  { id: 'hookguard-twilio', label: 'hookguard twilio verify (form)', kind: 'hookguard', scheme: 'twilio', group: 'twilio:verify' },
  { id: 'hookguard-twilio-payload', label: 'hookguard twilio verify + payload (form)', kind: 'hookguard', scheme: 'twilio', group: 'twilio:payload' },
  { id: 'hookguard-twilio-json', label: 'hookguard twilio verify (JSON, bodySHA256)', kind: 'hookguard', scheme: 'twilio-json', group: 'twilio-json:verify' },
  { id: 'twilio-sdk', label: 'twilio validateRequest (form parsed by URLSearchParams)', kind: 'vendor', group: 'twilio:payload' },
  { id: 'twilio-sdk-json', label: 'twilio validateRequestWithBody (JSON, body.toString())', kind: 'vendor', group: 'twilio-json:verify' },
];
// BENCH_CORE=<path to a built core's dist/esm/index.js> measures that build instead of the
// workspace's @hookguard/core: an A/B of a core change without touching packages/.
const CORE = process.env.BENCH_CORE ? pathToFileURL(process.env.BENCH_CORE).href : '@hookguard/core';
const loadCore = () => import(CORE);
// Far larger than any run: the hookguard and hand-written rows never reject on time.
const TOLERANCE_SEC = 10 * 365 * 24 * 3600;

// `group` names the job a row does (scheme + whether it parses the payload): rows of one group
// are peers. `floor` names the floor row a group is compared with.
export const CASES = [
  { id: 'floor-hmac', label: 'floor: createHmac + timingSafeEqual (precomputed content)', kind: 'floor', group: 'floor-hmac' },
  { id: 'floor-ed25519', label: 'floor: crypto.verify Ed25519 (precomputed content)', kind: 'floor', group: 'floor-ed25519' },
  { id: 'hand-sw', label: 'hand-written Standard Webhooks', kind: 'hand', group: 'sw-v1:verify' },
  { id: 'hand-sw-json', label: 'hand-written Standard Webhooks + JSON.parse', kind: 'hand', group: 'sw-v1:payload' },
  // Ed25519 has no streaming verify in Node: any v1a verifier joins `id.ts.` and the body into one
  // buffer first. This row is that minimum, to read the v1a rows against at large sizes.
  { id: 'hand-sw-v1a', label: 'hand-written Standard Webhooks v1a (Buffer.concat + crypto.verify)', kind: 'hand', group: 'sw-v1a:verify' },
  ...['sw-v1', 'sw-v1a', 'stripe', 'github', 'slack', 'shopify', ...PRESETS].flatMap((scheme) => [
    { id: `hookguard-${scheme}`, label: `hookguard ${schemeLabel(scheme)} verify`, kind: 'hookguard', scheme, group: `${scheme}:verify` },
    { id: `hookguard-${scheme}-payload`, label: `hookguard ${schemeLabel(scheme)} verify + payload`, kind: 'hookguard', scheme, group: `${scheme}:payload` },
  ]),
  // The worst an unauthenticated request can cost each hookguard row: the signature header stuffed
  // with as many bogus entries as the scheme reads (16 v1/v1a, 4 Stripe v1), the same body size.
  // The target: at most 2x the honest verify of the same scheme.
  ...['sw-v1', 'sw-v1a', 'stripe', 'github', 'slack', 'shopify', ...LIST_PRESETS].map((scheme) => ({
    id: `worst-${scheme}`,
    label: `hookguard ${schemeLabel(scheme)} worst unauthenticated`,
    kind: 'worst',
    scheme,
    group: `${scheme}:worst`,
  })),
  { id: 'standardwebhooks', label: 'standardwebhooks Webhook.verify (parses)', kind: 'vendor', group: 'sw-v1:payload' },
  { id: 'standardwebhooks-noparse', label: 'standardwebhooks Webhook.verify {jsonParse:false}', kind: 'vendor', group: 'sw-v1:verify' },
  { id: 'svix', label: 'svix Webhook.verify (parses)', kind: 'vendor', group: 'sw-v1:payload' },
  { id: 'stripe', label: 'stripe webhooks.constructEvent (parses)', kind: 'vendor', group: 'stripe:payload' },
  { id: 'octokit', label: '@octokit/webhooks-methods verify (body.toString())', kind: 'vendor', group: 'github:verify' },
  { id: 'octokit-json', label: '@octokit/webhooks-methods verify + JSON.parse', kind: 'vendor', group: 'github:payload' },
  // discord(), sendgrid(), httpSignature() per algorithm: their floors and vendor libraries (public-key-cases.mjs).
  ...PUBLIC_KEY_CASES,
  { id: 'paddle-sdk', label: '@paddle/paddle-node-sdk webhooks.unmarshal (parses)', kind: 'vendor', group: 'paddle:payload' },
  { id: 'paddle-sdk-noparse', label: '@paddle/paddle-node-sdk webhooks.isSignatureValid', kind: 'vendor', group: 'paddle:verify' },
  { id: 'square-sdk', label: 'square WebhooksHelper.verifySignature', kind: 'vendor', group: 'square:verify' },
  { id: 'square-legacy', label: 'square/legacy WebhooksHelper.isValidWebhookEventSignature', kind: 'vendor', group: 'square:verify' },
  // twilio(): a form webhook (the URL, then the sorted parameters, HMAC-SHA1) and a JSON one (the URL with
  // bodySHA256, plus the SHA-256 of the body), against twilio-node on the same inputs. validateRequest
  // needs the parameters as an object: its row parses the form (URLSearchParams of body.toString(), what
  // express.urlencoded hands it), so it is the peer of hookguard's verify + payload.
  ...TWILIO_CASES,
];

export function schemeLabel(scheme) {
  return { 'sw-v1': 'standardWebhooks v1', 'sw-v1a': 'standardWebhooks v1a', stripe: 'stripe', github: 'github', slack: 'slack', shopify: 'shopify' }[scheme] ?? scheme;
}

/** The floor a group is measured against: Ed25519 for v1a, HMAC otherwise. */
export function floorOf(group) {
  const publicKey = publicKeyFloorOf(group);
  if (publicKey) return publicKey;
  return group.startsWith('sw-v1a') || group === 'floor-ed25519' ? 'floor-ed25519' : 'floor-hmac';
}

export function caseById(id) {
  const c = CASES.find((x) => x.id === id);
  if (!c) throw new Error(`unknown case ${id}; known: ${CASES.map((x) => x.id).join(', ')}`);
  return c;
}

function tamper(body) {
  const copy = Buffer.from(body);
  // The last bytes are the padding `x...x"}`: 'x' -> 'y' keeps the JSON valid, so only the
  // signature can reject it.
  copy[copy.length - 3] ^= 1;
  return copy;
}

function whsecPair() {
  const raw = randomBytes(32);
  return { whsec: `whsec_${raw.toString('base64')}`, raw };
}

function ed25519Pair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const d = Buffer.from(jwk.d, 'base64url');
  const x = Buffer.from(jwk.x, 'base64url');
  return { publicKey, privateKey, whsk: `whsk_${Buffer.concat([d, x]).toString('base64')}`, whpk: `whpk_${x.toString('base64')}` };
}

function nodeHeaders(size, signed) {
  // What Node's IncomingMessage gives: lower-case names, a few ordinary headers beside the signature.
  return {
    host: '127.0.0.1:3000',
    'user-agent': 'hookguard-bench/1.0',
    accept: '*/*',
    'content-type': 'application/json',
    'content-length': String(size),
    ...signed,
  };
}

const utf8 = (b) => b.toString('utf8');

async function hookguardSetup(scheme, size, payload) {
  const core = await loadCore();
  const body = makeBody(size, EVENT_ID);
  const bad = tamper(body);
  let schemeValue;
  let signed;
  if (scheme === 'sw-v1') {
    const { whsec } = whsecPair();
    schemeValue = core.standardWebhooks({ secret: whsec });
    signed = core.sign.standardWebhooks({ secret: whsec, body, id: 'msg_bench_0001' });
  } else if (scheme === 'sw-v1a') {
    const { whsk, whpk } = ed25519Pair();
    schemeValue = core.standardWebhooks({ secret: whpk });
    signed = core.sign.standardWebhooks({ secret: whsk, body, id: 'msg_bench_0001' });
  } else if (PRESETS.includes(scheme)) {
    return presetSetup(core, scheme, size, payload);
  } else if (scheme === 'twilio' || scheme === 'twilio-json') {
    return twilioSetup(core, size, scheme === 'twilio-json', payload);
  } else {
    const secret = scheme === 'stripe' ? `whsec_${randomBytes(24).toString('hex')}` : randomBytes(24).toString('hex');
    schemeValue = core[scheme]({ secret });
    signed = core.sign[scheme]({ secret, body });
  }
  return timedVerify(core, schemeValue, size, { headers: signed, body }, { headers: signed, body: bad }, payload);
}

function timedVerify(core, schemeValue, size, good, bad, payload, eventOf = (p) => p) {
  const verifier = core.createVerifier({ scheme: schemeValue, replay: false, toleranceSec: TOLERANCE_SEC });
  const request = { method: 'POST', url: '/webhooks', headers: nodeHeaders(size, good.headers), body: good.body, remoteAddress: '127.0.0.1' };
  const badRequest = { ...request, headers: nodeHeaders(size, bad.headers), body: bad.body };
  if (payload) {
    return {
      fn: async () => (await verifier.verify(request)).payload,
      tampered: async () => (await verifier.verify(badRequest)).payload,
      ok: (p) => eventOf(p)?.id === EVENT_ID,
    };
  }
  return {
    fn: () => verifier.verify(request),
    tampered: () => verifier.verify(badRequest),
    ok: (w) => typeof w?.keyId === 'string' && w.rawBody === good.body,
  };
}

const SQUARE_URL = 'https://hooks.example.com/webhooks/square';

/**
 * A preset's delivery of exactly `size` bytes. Linear signs its timestamp inside the body, Mailgun puts
 * its signature there and signs no body, GitLab sends a token: their tampered requests change what each
 * signs (the timestamp digits, the token), as a changed body byte does for the others.
 */
function presetSetup(core, scheme, size, payload) {
  const secret = randomBytes(24).toString('hex');
  if (scheme === 'linear') {
    const tail = `,"webhookTimestamp":${Date.now()}}`;
    const inner = makeBody(size - tail.length + 1, EVENT_ID);
    const body = Buffer.concat([inner.subarray(0, inner.length - 1), Buffer.from(tail)]);
    const headers = core.sign.linear({ secret, body });
    return timedVerify(core, core.linear({ secret }), size, { headers, body }, { headers, body: tamper(body) }, payload);
  }
  if (scheme === 'mailgun') {
    const s = core.sign.mailgun({ secret });
    const head = `{"signature":${JSON.stringify(s)},"event-data":`;
    const event = size - head.length - 1 >= 400 ? makeBody(size - head.length - 1, EVENT_ID) : paddedEvent(size - head.length - 1);
    const body = Buffer.concat([Buffer.from(head), event, Buffer.from('}')]);
    const other = `${s.token.slice(0, -1)}${s.token.endsWith('0') ? '1' : '0'}`;
    const forged = Buffer.from(body.toString('latin1').replace(`"token":"${s.token}"`, `"token":"${other}"`), 'latin1');
    return timedVerify(core, core.mailgun({ secret }), size, { headers: {}, body }, { headers: {}, body: forged }, payload, (p) => p?.['event-data']);
  }
  const body = makeBody(size, EVENT_ID);
  if (scheme === 'gitlab') {
    const headers = core.sign.gitlab({ token: secret });
    return timedVerify(core, core.gitlab({ secret }), size, { headers, body }, { headers: { ...headers, 'x-gitlab-token': `${secret}x` }, body }, payload);
  }
  const schemeValue = scheme === 'square' ? core.square({ secret, notificationUrl: SQUARE_URL }) : core[scheme]({ secret });
  const headers = scheme === 'square' ? core.sign.square({ secret, notificationUrl: SQUARE_URL, body }) : core.sign[scheme]({ secret, body });
  return timedVerify(core, schemeValue, size, { headers, body }, { headers, body: tamper(body) }, payload);
}

/** A small event of exactly `size` bytes (below makeBody's smallest). */
function paddedEvent(size) {
  const base = JSON.stringify({ id: EVENT_ID, note: '' });
  return Buffer.from(JSON.stringify({ id: EVENT_ID, note: 'x'.repeat(size - base.length) }));
}

const SETUPS = {
  async 'floor-hmac'(size) {
    const { raw } = whsecPair();
    const body = makeBody(size, EVENT_ID);
    const content = Buffer.concat([Buffer.from('msg_bench_0001.1700000000.'), body]);
    const expected = createHmac('sha256', raw).update(content).digest();
    const bad = tamper(content);
    return {
      fn: () => timingSafeEqual(createHmac('sha256', raw).update(content).digest(), expected),
      tampered: () => timingSafeEqual(createHmac('sha256', raw).update(bad).digest(), expected),
      ok: (r) => r === true,
    };
  },
  async 'floor-ed25519'(size) {
    const { publicKey, privateKey } = ed25519Pair();
    const body = makeBody(size, EVENT_ID);
    const content = Buffer.concat([Buffer.from('msg_bench_0001.1700000000.'), body]);
    const signature = edSign(null, content, privateKey);
    const bad = tamper(content);
    return {
      fn: () => edVerify(null, content, publicKey, signature),
      tampered: () => edVerify(null, bad, publicKey, signature),
      ok: (r) => r === true,
    };
  },
  async 'hand-sw-v1a'(size) {
    const { sign } = await loadCore();
    const { whsk, publicKey } = ed25519Pair();
    const body = makeBody(size, EVENT_ID);
    const bad = tamper(body);
    const headers = nodeHeaders(size, sign.standardWebhooks({ secret: whsk, body, id: 'msg_bench_0001' }));
    const verifyOnce = (b) => {
      const id = headers['webhook-id'];
      const ts = headers['webhook-timestamp'];
      const t = Number(ts);
      if (!Number.isInteger(t) || Math.abs(Math.floor(Date.now() / 1000) - t) > TOLERANCE_SEC) return false;
      const content = Buffer.concat([Buffer.from(`${id}.${ts}.`, 'latin1'), b]);
      for (const part of headers['webhook-signature'].split(' ')) {
        if (part.startsWith('v1a,') && edVerify(null, content, publicKey, Buffer.from(part.slice(4), 'base64'))) return true;
      }
      return false;
    };
    return { fn: () => verifyOnce(body), tampered: () => verifyOnce(bad), ok: (r) => r === true };
  },
  async 'hand-sw'(size) {
    return handSetup(size, false);
  },
  async 'hand-sw-json'(size) {
    return handSetup(size, true);
  },
  async standardwebhooks(size) {
    return standardWebhooksVendor(size, true);
  },
  async 'standardwebhooks-noparse'(size) {
    return standardWebhooksVendor(size, false);
  },
  async svix(size) {
    const { Webhook } = await import('svix');
    const { sign } = await loadCore();
    const { whsec } = whsecPair();
    const body = makeBody(size, EVENT_ID);
    const bad = tamper(body);
    const headers = nodeHeaders(size, sign.standardWebhooks({ secret: whsec, body, id: 'msg_bench_0001', headers: 'svix' }));
    const wh = new Webhook(whsec);
    return { fn: () => wh.verify(body, headers), tampered: () => wh.verify(bad, headers), ok: (p) => p?.id === EVENT_ID };
  },
  async stripe(size) {
    const { default: Stripe } = await import('stripe');
    const { sign } = await loadCore();
    const secret = `whsec_${randomBytes(24).toString('hex')}`;
    const body = makeBody(size, EVENT_ID);
    const bad = tamper(body);
    const header = sign.stripe({ secret, body })['stripe-signature'];
    // No request is ever sent: the API key is a placeholder the constructor wants.
    const stripe = new Stripe('sk_test_bench_placeholder');
    return {
      fn: () => stripe.webhooks.constructEvent(body, header, secret),
      tampered: () => stripe.webhooks.constructEvent(bad, header, secret),
      ok: (e) => e?.id === EVENT_ID,
    };
  },
  async octokit(size) {
    return octokitSetup(size, false);
  },
  async 'octokit-json'(size) {
    return octokitSetup(size, true);
  },
  async 'paddle-sdk'(size) {
    return paddleSetup(size, true);
  },
  async 'paddle-sdk-noparse'(size) {
    return paddleSetup(size, false);
  },
  async 'twilio-sdk'(size) {
    return twilioVendorSetup(size, false);
  },
  async 'twilio-sdk-json'(size) {
    return twilioVendorSetup(size, true);
  },
  async 'square-sdk'(size) {
    const { WebhooksHelper } = await import('square');
    return squareSetup(size, (requestBody, signatureHeader, signatureKey, notificationUrl) => WebhooksHelper.verifySignature({ requestBody, signatureHeader, signatureKey, notificationUrl }));
  },
  async 'square-legacy'(size) {
    const { WebhooksHelper } = await import('square/legacy');
    return squareSetup(size, (requestBody, signatureHeader, signatureKey, notificationUrl) => WebhooksHelper.isValidWebhookEventSignature(requestBody, signatureHeader, signatureKey, notificationUrl));
  },
};

const TWILIO_BASE = 'https://hooks.example.com';
const TWILIO_AUTH_TOKEN = '12345678901234567890123456789012';

/** A Twilio SMS webhook's form body of exactly `size` bytes (the message text padded to it). */
function twilioForm(size) {
  const params = {
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    MessageSid: EVENT_ID,
    From: '+15005550001',
    To: '+15005550006',
    Body: '',
    NumMedia: '0',
    ApiVersion: '2010-04-01',
  };
  const base = new URLSearchParams(params).toString().length;
  if (base + 12 > size) throw new Error(`size ${size} is below the smallest Twilio form`);
  // Words and percent-encoded punctuation, as a text message has.
  const text = 'Hello, world! Ça va? '.repeat(Math.ceil(size / 10));
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (new URLSearchParams({ ...params, Body: text.slice(0, mid) }).toString().length <= size) lo = mid;
    else hi = mid - 1;
  }
  const form = new URLSearchParams({ ...params, Body: text.slice(0, lo) }).toString();
  const body = Buffer.from(form + '+'.repeat(size - form.length)); // a '+' is a space: the message ends in blanks
  if (body.length !== size) throw new Error(`twilio form is ${body.length} bytes, wanted ${size}`);
  return body;
}

/** What either verifier is given: the public URL Twilio called, the signed headers, the body. */
function twilioDelivery(core, size, json) {
  if (!json) {
    const body = twilioForm(size);
    const path = '/twilio/sms?tenant=acme';
    return { path, url: `${TWILIO_BASE}${path}`, body, headers: core.sign.twilio({ secret: TWILIO_AUTH_TOKEN, url: `${TWILIO_BASE}${path}`, body }) };
  }
  const body = makeBody(size, EVENT_ID);
  const path = `/twilio/events?bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
  return { path, url: `${TWILIO_BASE}${path}`, body, headers: core.sign.twilio({ secret: TWILIO_AUTH_TOKEN, url: `${TWILIO_BASE}${path}`, body }) };
}

function twilioSetup(core, size, json, payload) {
  const d = twilioDelivery(core, size, json);
  const verifier = core.createVerifier({ scheme: core.twilio({ secret: TWILIO_AUTH_TOKEN, publicUrl: TWILIO_BASE }), replay: false });
  const request = { method: 'POST', url: d.path, headers: nodeHeaders(size, d.headers), body: d.body, remoteAddress: '127.0.0.1' };
  const badRequest = { ...request, body: tamper(d.body) };
  if (payload) {
    return {
      fn: async () => (await verifier.verify(request)).payload,
      tampered: async () => (await verifier.verify(badRequest)).payload,
      ok: (p) => (json ? p?.id : p?.MessageSid) === EVENT_ID,
    };
  }
  return { fn: () => verifier.verify(request), tampered: () => verifier.verify(badRequest), ok: (w) => w?.keyId === 'key-0' && w.rawBody === d.body };
}

async function twilioVendorSetup(size, json) {
  const { default: twilioLib } = await import('twilio');
  const core = await loadCore();
  const d = twilioDelivery(core, size, json);
  const signature = d.headers['x-twilio-signature'];
  const bad = tamper(d.body);
  if (json) {
    const run = (b) => twilioLib.validateRequestWithBody(TWILIO_AUTH_TOKEN, signature, d.url, utf8(b));
    return { fn: () => run(d.body), tampered: () => run(bad), ok: (r) => r === true };
  }
  // The parameters come from the raw body as a form parser gives them; on success they are the payload.
  const run = (b) => {
    const params = Object.fromEntries(new URLSearchParams(utf8(b)));
    return twilioLib.validateRequest(TWILIO_AUTH_TOKEN, signature, d.url, params) ? params : false;
  };
  return { fn: () => run(d.body), tampered: () => run(bad), ok: (p) => p?.MessageSid === EVENT_ID };
}

// Paddle's SDK takes the body as a string (the conversion is part of its cost) and refuses a ts more than
// 5 s old: the header is signed a day ahead so the row never fails on time (the SDK has no lower bound).
async function paddleSetup(size, parse) {
  const { Paddle } = await import('@paddle/paddle-node-sdk');
  const { sign } = await loadCore();
  const paddle = new Paddle('pdl_sdbx_apikey_bench_placeholder');
  const secret = `pdl_ntfset_${randomBytes(24).toString('hex')}`;
  const body = makeBody(size, EVENT_ID);
  const bad = tamper(body);
  const header = sign.paddle({ secret, body, timestamp: Math.floor(Date.now() / 1000) + 86_400 })['paddle-signature'];
  if (parse) return { fn: () => paddle.webhooks.unmarshal(utf8(body), secret, header), tampered: () => paddle.webhooks.unmarshal(utf8(bad), secret, header), ok: (e) => e?.data?.object?.customer === 'cus_000001' };
  return { fn: () => paddle.webhooks.isSignatureValid(utf8(body), secret, header), tampered: () => paddle.webhooks.isSignatureValid(utf8(bad), secret, header), ok: (r) => r === true };
}

// Square's helpers take the body as a string too; neither parses it.
async function squareSetup(size, check) {
  const { sign } = await loadCore();
  const key = randomBytes(16).toString('base64url');
  const body = makeBody(size, EVENT_ID);
  const bad = tamper(body);
  const signature = sign.square({ secret: key, notificationUrl: SQUARE_URL, body })['x-square-hmacsha256-signature'];
  return { fn: () => check(utf8(body), signature, key, SQUARE_URL), tampered: () => check(utf8(bad), signature, key, SQUARE_URL), ok: (r) => r === true };
}

async function handSetup(size, parse) {
  const { sign } = await loadCore();
  const { whsec, raw } = whsecPair();
  const body = makeBody(size, EVENT_ID);
  const bad = tamper(body);
  const headers = nodeHeaders(size, sign.standardWebhooks({ secret: whsec, body, id: 'msg_bench_0001' }));
  const verifyOnce = (b) => handVerifyStandardWebhooks(headers, b, raw, TOLERANCE_SEC, Math.floor(Date.now() / 1000)) !== undefined;
  if (parse) {
    const run = (b) => {
      if (!verifyOnce(b)) return false;
      return JSON.parse(utf8(b));
    };
    return { fn: () => run(body), tampered: () => run(bad), ok: (p) => p?.id === EVENT_ID };
  }
  return { fn: () => verifyOnce(body), tampered: () => verifyOnce(bad), ok: (r) => r === true };
}

async function standardWebhooksVendor(size, parse) {
  const { Webhook } = await import('standardwebhooks');
  const { sign } = await loadCore();
  const { whsec } = whsecPair();
  const body = makeBody(size, EVENT_ID);
  const bad = tamper(body);
  const headers = nodeHeaders(size, sign.standardWebhooks({ secret: whsec, body, id: 'msg_bench_0001' }));
  const wh = new Webhook(whsec);
  if (parse) return { fn: () => wh.verify(body, headers), tampered: () => wh.verify(bad, headers), ok: (p) => p?.id === EVENT_ID };
  // With jsonParse:false a verified delivery returns undefined and a bad one throws.
  const run = (b) => {
    wh.verify(b, headers, { jsonParse: false });
    return true;
  };
  return { fn: () => run(body), tampered: () => run(bad), ok: (r) => r === true };
}

async function octokitSetup(size, parse) {
  const { verify } = await import('@octokit/webhooks-methods');
  const { sign } = await loadCore();
  const secret = randomBytes(24).toString('hex');
  const body = makeBody(size, EVENT_ID);
  const bad = tamper(body);
  const signature = sign.github({ secret, body })['x-hub-signature-256'];
  // verify() takes the payload as a string only: converting the raw Buffer is part of its cost.
  const run = async (b) => {
    const text = utf8(b);
    if (!(await verify(secret, text, signature))) return false;
    return parse ? JSON.parse(text) : true;
  };
  return { fn: () => run(body), tampered: () => run(bad), ok: parse ? (p) => p?.id === EVENT_ID : (r) => r === true };
}

/** Bogus signature headers that make a verifier do the most work it will do for a stranger. */
function worstHeaders(scheme, signed, others) {
  const b64 = (n) => randomBytes(n).toString('base64');
  const hex = (n) => randomBytes(n).toString('hex');
  switch (scheme) {
    case 'sw-v1':
      return { ...signed, 'webhook-signature': Array.from({ length: 16 }, () => `v1,${b64(32)}`).join(' ') };
    case 'sw-v1a':
      // Real signatures by other keys over the same content: random bytes fail Ed25519's range check
      // early and would understate the cost.
      return { ...signed, 'webhook-signature': others.join(' ') };
    case 'stripe':
      return { 'stripe-signature': [signed['stripe-signature'].split(',')[0], ...Array.from({ length: 4 }, () => `v1=${hex(32)}`)].join(',') };
    case 'github':
      return { ...signed, 'x-hub-signature-256': `sha256=${hex(32)}` };
    case 'slack':
      return { ...signed, 'x-slack-signature': `v0=${hex(32)}` };
    case 'shopify':
      return { ...signed, 'x-shopify-hmac-sha256': b64(32) };
    case 'pagerduty':
      return { ...signed, 'x-pagerduty-signature': Array.from({ length: 4 }, () => `v1=${hex(32)}`).join(',') };
    case 'paddle':
      return { 'paddle-signature': [signed['paddle-signature'].split(';')[0], ...Array.from({ length: 4 }, () => `h1=${hex(32)}`)].join(';') };
    case 'docusign':
      return Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`x-docusign-signature-${i + 1}`, b64(32)]));
  }
  throw new Error(`no worst case for ${scheme}`);
}

async function worstSetup(scheme, size) {
  const core = await loadCore();
  const body = makeBody(size, EVENT_ID);
  let schemeValue;
  let signed;
  if (scheme === 'sw-v1' || scheme === 'sw-v1a') {
    const pair = scheme === 'sw-v1' ? { key: whsecPair().whsec } : ed25519Pair();
    schemeValue = core.standardWebhooks({ secret: scheme === 'sw-v1' ? pair.key : pair.whpk });
    signed = core.sign.standardWebhooks({ secret: scheme === 'sw-v1' ? pair.key : pair.whsk, body, id: 'msg_bench_0001' });
  } else {
    const secret = scheme === 'stripe' ? `whsec_${randomBytes(24).toString('hex')}` : randomBytes(24).toString('hex');
    schemeValue = core[scheme]({ secret });
    signed = core.sign[scheme]({ secret, body });
  }
  const verifier = core.createVerifier({ scheme: schemeValue, replay: false, toleranceSec: TOLERANCE_SEC });
  const others =
    scheme === 'sw-v1a'
      ? Array.from({ length: 16 }, () => core.sign.standardWebhooks({ secret: ed25519Pair().whsk, body, id: signed['webhook-id'], timestamp: Number(signed['webhook-timestamp']) })['webhook-signature'])
      : [];
  const request = { method: 'POST', url: '/webhooks', headers: nodeHeaders(size, worstHeaders(scheme, signed, others)), body, remoteAddress: '127.0.0.1' };
  // The timed call is the rejection; it must be SIGNATURE_MISMATCH (never an accept, never a cheaper refusal).
  const fn = () => verifier.verify(request).then(() => 'ACCEPTED', (e) => e.code);
  return { fn, tampered: () => false, ok: (code) => code === 'SIGNATURE_MISMATCH' };
}

export async function setupCase(id, size) {
  const c = caseById(id);
  if (PUBLIC_KEY_CASES.includes(c)) return publicKeySetup(id, size);
  if (c.kind === 'worst') return worstSetup(c.scheme, size);
  if (c.kind === 'hookguard') return hookguardSetup(c.scheme, size, id.endsWith('-payload'));
  return SETUPS[id](size);
}
