// The fuzz engine: seeded, reproducible mutations of signed deliveries, run against the real verifier
// of every scheme (and any()/all() combinations, and tenants). For every request it checks:
//   crash      anything but a WebhookVerificationError with a known code and its status, or a verify
//              that does not settle within HANG_MS
//   forged     an accept that the true key does not vouch for: the signed material (as bytes, the
//              way core reads headers) changed, or the signature did, and re-signing the mutated
//              content with the true key does not give a signature the request carries; also an
//              accept whose signed timestamp is outside the tolerance
//   keyChanged an accept of the same signed material (and tenant) under another replay key
//   leak       a rejection whose message or detail holds a secret or the expected signature
// and the CPU time of each verify (process.cpuUsage around it: run one scheme per process).
import { createECDH, createHash, createHmac, createPrivateKey, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import {
  adobeSign,
  all,
  any,
  apiKey,
  bitbucket,
  createVerifier,
  discord,
  docusign,
  gitlab,
  intercom,
  linear,
  mailgun,
  paddle,
  pagerduty,
  square,
  zoom,
  fromParam,
  github,
  hmac,
  httpSignature,
  isWebhookVerificationError,
  shopify,
  sendgrid,
  sign,
  slack,
  standardWebhooks,
  stripe,
  twilio,
  WEBHOOK_ERROR_CODES,
  WEBHOOK_ERROR_STATUS,
  type HmacOptions,
  type ReplayStore,
  type Scheme,
  type TenantConfig,
  type Verifier,
  type WebhookRequest,
} from '@hookguard/core';
import { createRequire } from 'node:module';
import { httpbis } from 'http-message-signatures';
import { chance, hash32, int, mulberry32, pick, recase, text, type Rng } from './prng.js';

export { mulberry32 } from './prng.js';

export interface FuzzTotals {
  scheme: string;
  requests: number;
  crashes: number;
  forged: number;
  keyChanged: number;
  leaks: number;
  legitAccepts: number;
  /** Accepts whose signed material changed but that the true key vouches for (re-signed). */
  resignedAccepts: number;
  rejections: Record<string, number>;
  worstCpuUs: number;
  p99CpuUs: number;
  medianCpuUs: number;
  /** The mutations of the slowest request. */
  worstRequest: string;
  failures: string[];
}

export type Headers = Record<string, string | string[]>;
export interface Delivery {
  headers: Headers;
  body: Buffer;
  tenant?: string;
  /** The request target, for schemes that sign the URL (default /webhooks). */
  url?: string;
}

const HANG_MS = 5_000;
/** A fixed clock for every verifier and signer: a campaign reproduces from its seed alone. */
const NOW_S = 1_800_000_000;
const TOLERANCE_S = 600;
const MAX_BODY = 64 * 1024;
const BASE_REUSE = 3;

// ---------------------------------------------------------------------------------------------
// reading headers as core does (lib/headers.ts): the lower-case name first, else the first name
// that matches case-insensitively; one-element arrays are the value; longer ones refused.

const DUP = Symbol('repeated header');
type Read = string | undefined | typeof DUP;
function read(h: Headers, name: string): Read {
  let v: string | string[] | undefined = Object.hasOwn(h, name) ? h[name] : undefined;
  if (v === undefined) {
    for (const k of Object.keys(h)) {
      if (k.length === name.length && k.toLowerCase() === name) {
        v = h[k];
        break;
      }
    }
  }
  if (v === undefined || typeof v === 'string') return v;
  if (v.length === 0) return undefined;
  return v.length === 1 ? v[0] : DUP;
}
const str = (v: Read): string | undefined => (typeof v === 'string' ? v : undefined);
/** Header text as the bytes core signs over (latin1: one byte per UTF-16 unit, high bits dropped). */
const bytesOf = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');

// ---------------------------------------------------------------------------------------------
// leaves: how each scheme signs, what it signs (as an independent reader), and what the true key
// would put in the header for a request's content.

interface Verdict {
  /** The signed material as bytes (header text in latin1), or undefined when unreadable. */
  material: string | undefined;
  /** The key vouches for it: the request carries the signature the true key makes for this content. */
  vouched: boolean;
  /** The expected signature texts (leak check). */
  expected: string[];
  timestamp?: number;
}
interface Leaf {
  name: string;
  scheme(): Scheme;
  sign(rnd: Rng, ts: number, body: Buffer, wrongKey: boolean): Record<string, string>;
  judge(h: Headers, body: Buffer): Verdict;
  secrets: string[];
  unsignedId?: boolean;
}

const mac = (alg: string, key: string | Buffer, parts: Array<string | Buffer>) => {
  const m = createHmac(alg, key);
  for (const p of parts) m.update(typeof p === 'string' ? Buffer.from(p, 'latin1') : p);
  return m.digest();
};
const none: Verdict = { material: undefined, vouched: false, expected: [] };

function standardLeaf(name: string, keys: { sign: string; verify: string; hmac?: Buffer; pub?: KeyObject }[], wrong: { sign: string }): Leaf {
  return {
    name,
    secrets: keys.flatMap((k) => [k.sign, k.verify]),
    scheme: () => standardWebhooks({ secret: keys.map((k) => k.verify) }),
    sign: (rnd, now, body, wrongKey) =>
      sign.standardWebhooks({
        secret: wrongKey ? wrong.sign : chance(rnd, 0.2) ? keys.map((k) => k.sign) : pick(rnd, keys).sign,
        body,
        id: `msg_${text(rnd, 4 + int(rnd, 28))}`,
        timestamp: now,
        headers: chance(rnd, 0.25) ? 'svix' : 'webhook',
      }),
    judge(h, body) {
      let set = 'webhook';
      let sig = read(h, 'webhook-signature');
      if (sig === undefined) {
        set = 'svix';
        sig = read(h, 'svix-signature');
      }
      const id = str(read(h, `${set}-id`));
      const ts = str(read(h, `${set}-timestamp`));
      if (typeof sig !== 'string' || id === undefined || ts === undefined) return none;
      const content = Buffer.concat([Buffer.from(`${id}.${ts}.`, 'latin1'), body]);
      const entries = sig.split(' ');
      const expected: string[] = [];
      let vouched = false;
      for (const k of keys) {
        if (k.hmac) {
          const e = mac('sha256', k.hmac, [content]).toString('base64');
          expected.push(e);
          vouched ||= entries.includes(`v1,${e}`);
        } else if (k.pub) {
          // Ed25519 signatures are not unique to compute; the request is vouched for when one of its
          // entries verifies under the true key.
          for (const en of entries) if (en.startsWith('v1a,') && verifyEd(content, k.pub, en.slice(4))) vouched = true;
        }
      }
      return { material: `sw|${bytesOf(id)}|${bytesOf(ts)}|${body.toString('latin1')}`, vouched, expected, timestamp: /^[0-9]+$/.test(ts) ? Number(ts) : undefined };
    },
  };
}
function verifyEd(content: Buffer, pub: KeyObject, b64: string): boolean {
  const s = Buffer.from(b64, 'base64');
  return s.length === 64 && s.toString('base64') === b64 && cryptoVerify(null, content, pub, s);
}

function stripeLeaf(secret: string): Leaf {
  const wrong = `${secret}_wrong`;
  return {
    name: 'stripe',
    secrets: [secret],
    scheme: () => stripe({ secret }),
    sign: (rnd, now, body, wrongKey) => sign.stripe({ secret: wrongKey ? wrong : chance(rnd, 0.2) ? [wrong, secret] : secret, body, timestamp: now }),
    judge(h, body) {
      const header = str(read(h, 'stripe-signature'));
      if (header === undefined) return none;
      const entries = header.split(',').map((e) => {
        const eq = e.indexOf('=');
        return eq > 0 ? ([e.slice(0, eq).trim(), e.slice(eq + 1).trim()] as const) : (['', ''] as const);
      });
      const t = entries.find(([k]) => k === 't')?.[1];
      if (t === undefined) return none;
      const e = mac('sha256', secret, [`${t}.`, body]).toString('hex');
      return { material: `stripe|${bytesOf(t)}|${body.toString('latin1')}`, vouched: entries.some(([k, v]) => k === 'v1' && v === e), expected: [e], timestamp: /^[0-9]+$/.test(t) ? Number(t) : undefined };
    },
  };
}

/** Schemes whose identity is the digest of the body alone (github, shopify, hmac {body}): one material. */
function githubLeaf(secret: string): Leaf {
  return {
    name: 'github',
    secrets: [secret],
    scheme: () => github({ secret }),
    sign: (rnd, _now, body, wrongKey) => sign.github({ secret: wrongKey ? `${secret}_wrong` : secret, body, id: text(rnd, 36) }),
    judge(h, body) {
      const v = str(read(h, 'x-hub-signature-256'));
      if (v === undefined) return none;
      const e = mac('sha256', secret, [body]).toString('hex');
      return { material: `body|${body.toString('latin1')}`, vouched: v === `sha256=${e}`, expected: [e] };
    },
  };
}
function shopifyLeaf(secret: string): Leaf {
  return {
    name: 'shopify',
    secrets: [secret],
    scheme: () => shopify({ secret }),
    sign: (rnd, _now, body, wrongKey) => sign.shopify({ secret: wrongKey ? `${secret}_wrong` : secret, body, id: text(rnd, 36), unprefixed: chance(rnd, 0.3) }),
    judge(h, body) {
      const p = read(h, 'x-shopify-hmac-sha256');
      const v = p === undefined ? str(read(h, 'shopify-hmac-sha256')) : str(p);
      if (v === undefined) return none;
      const e = mac('sha256', secret, [body]).toString('base64');
      return { material: `body|${body.toString('latin1')}`, vouched: v.trim() === e, expected: [e] };
    },
  };
}
function slackLeaf(secret: string): Leaf {
  return {
    name: 'slack',
    secrets: [secret],
    scheme: () => slack({ secret }),
    sign: (_rnd, now, body, wrongKey) => sign.slack({ secret: wrongKey ? `${secret}_wrong` : secret, body, timestamp: now }),
    judge(h, body) {
      const v = str(read(h, 'x-slack-signature'));
      const ts = str(read(h, 'x-slack-request-timestamp'));
      if (v === undefined || ts === undefined) return none;
      const e = mac('sha256', secret, [`v0:${ts}:`, body]).toString('hex');
      return { material: `slack|${bytesOf(ts)}|${body.toString('latin1')}`, vouched: v === `v0=${e}`, expected: [e], timestamp: /^[0-9]+$/.test(ts) ? Number(ts) : undefined };
    },
  };
}
function hmacLeaf(o: HmacOptions & { secret: string }, label: string): Leaf {
  const { secret, ...options } = o;
  const template = options.template ?? '{body}';
  const at = template.indexOf('{body}');
  const enc = options.encoding ?? 'hex';
  const prefix = options.prefix ?? '';
  return {
    name: label,
    secrets: [secret],
    scheme: () => hmac(o),
    sign: (rnd, now, body, wrongKey) => {
      for (;;) {
        try {
          return sign.hmac({ scheme: options, secret: wrongKey ? `${secret}_wrong` : secret, body, id: `d${text(rnd, 2 + int(rnd, 30), 'abcdefXYZ0123456789-_.:')}`, timestamp: now });
        } catch {
          // an id holding the template's delimiter: draw another
        }
      }
    },
    judge(h, body) {
      const v = str(read(h, options.header.toLowerCase()));
      const id = options.idHeader ? read(h, options.idHeader.toLowerCase()) : '';
      const ts = options.timestampHeader ? read(h, options.timestampHeader.toLowerCase()) : '';
      if (v === undefined || typeof id !== 'string' || typeof ts !== 'string') return none;
      const fill = (s: string) => s.replaceAll('{id}', () => id).replaceAll('{timestamp}', () => ts);
      const before = fill(template.slice(0, at));
      const after = fill(template.slice(at + 6));
      const e = mac(options.algorithm ?? 'sha256', secret, [before, body, after]).toString(enc);
      const got = v.startsWith(prefix) ? v.slice(prefix.length).trim() : undefined;
      // With a signed {id} the identity is the id; with {body} alone it is the digest of the body.
      const material = template === '{body}' ? `body|${body.toString('latin1')}` : `hmac|${bytesOf(before)}|${body.toString('latin1')}|${bytesOf(after)}`;
      return { material, vouched: got === e, expected: [e], timestamp: options.timestampHeader && /^[0-9]+$/.test(ts) ? Number(ts) : undefined };
    },
  };
}
function apiKeyLeaf(key: string): Leaf {
  return {
    name: 'apiKey',
    secrets: [key],
    unsignedId: true,
    scheme: () => apiKey({ keys: [key], idHeader: 'x-delivery' }),
    sign: (rnd, _now, _body, wrongKey) => sign.apiKey({ key: wrongKey ? `${key}x` : key, id: `d${text(rnd, 8 + int(rnd, 24))}`, idHeader: 'x-delivery' }),
    judge(h) {
      const v = str(read(h, 'authorization'));
      const id = read(h, 'x-delivery');
      if (v === undefined || id === DUP) return none;
      const m = /^Bearer +(\S+) *$/i.exec(v);
      // No signature: the key itself is what vouches; the (unsigned) id is the replay identity.
      return { material: `apikey|${m?.[1]}|${id ?? ''}`, vouched: m?.[1] === key, expected: [] };
    },
  };
}

/**
 * Discord and SendGrid, read independently of core: a public-key signature of the timestamp's bytes
 * followed by the body. The material is that concatenation (a digit moved between the two signs the
 * same bytes, so it is the same delivery); vouched when the signature verifies under the true key.
 */
function timestampedLeaf(name: 'discord' | 'sendgrid', key: { priv: KeyObject; pub: KeyObject; verify: string }, wrong: KeyObject): Leaf {
  const [sigHeader, tsHeader] = name === 'discord' ? ['x-signature-ed25519', 'x-signature-timestamp'] : ['x-twilio-email-event-webhook-signature', 'x-twilio-email-event-webhook-timestamp'];
  return {
    name,
    secrets: [],
    scheme: () => (name === 'discord' ? discord({ publicKey: key.verify }) : sendgrid({ publicKey: key.verify })),
    sign: (_rnd, now, body, wrongKey) => (name === 'discord' ? sign.discord : sign.sendgrid)({ privateKey: wrongKey ? wrong : key.priv, body, timestamp: now }),
    judge(h, body) {
      const sig = str(read(h, sigHeader!));
      const ts = str(read(h, tsHeader!));
      if (sig === undefined || ts === undefined) return none;
      const content = Buffer.concat([Buffer.from(ts, 'latin1'), body]);
      let vouched = false;
      if (name === 'discord') {
        const raw = /^[0-9a-f]{128}$/.test(sig) ? Buffer.from(sig, 'hex') : undefined;
        vouched = raw !== undefined && cryptoVerify(null, content, key.pub, raw);
      } else {
        const der = Buffer.from(sig, 'base64');
        vouched = der.toString('base64') === sig && der.length > 0 && cryptoVerify('sha256', content, { key: key.pub, dsaEncoding: 'der' }, der);
      }
      return { material: `${name}|${content.toString('latin1')}`, vouched, expected: [], timestamp: /^[0-9]+$/.test(ts) ? Number(ts) : undefined };
    },
  };
}
/**
 * RFC 9421, judged by http-message-signatures' own base construction and structured-headers'
 * parser (independent of core's), with the Content-Digest of the body checked when it is covered.
 * The material is the signed nonce, else the base without keyid and alg (a rotation's twin).
 */
const HS_BASE = 'https://hooks.example.com';
const libRequire = createRequire(createRequire(import.meta.url).resolve('http-message-signatures'));
const sf = libRequire('structured-headers') as {
  parseDictionary(s: string): Map<string, [unknown, Map<string, unknown>]>;
  serializeList(l: unknown[]): string;
  serializeItem(i: unknown): string;
};
function httpSignatureLeaf(key: { priv: KeyObject; pub: KeyObject }, wrong: KeyObject): Leaf {
  return {
    name: 'httpSignature',
    secrets: [],
    scheme: () => httpSignature({ publicUrl: HS_BASE, keys: [{ id: 'fz', publicKey: key.pub }] }),
    sign: (rnd, now, body, wrongKey) => ({
      'content-type': 'application/json',
      ...sign.httpSignature({
        url: `${HS_BASE}/webhooks`,
        body,
        headers: { 'content-type': 'application/json' },
        privateKey: wrongKey ? wrong : key.priv,
        created: now,
        nonce: chance(rnd, 0.5) ? `n_${text(rnd, 4 + int(rnd, 20))}` : false,
        ...(chance(rnd, 0.5) ? { keyId: 'fz' } : {}),
      }),
    }),
    judge(h, body) {
      const input = str(read(h, 'signature-input'));
      const sigs = str(read(h, 'signature'));
      if (input === undefined || sigs === undefined) return none;
      let inputs: ReturnType<typeof sf.parseDictionary>;
      let signatures: ReturnType<typeof sf.parseDictionary>;
      try {
        inputs = sf.parseDictionary(input);
        signatures = sf.parseDictionary(sigs);
      } catch {
        return none;
      }
      const field = (name: string) => {
        const v = read(h, name);
        if (typeof v !== 'string') throw new Error(`no ${name}`);
        return [v.replace(/^[ \t]+|[ \t]+$/g, '')];
      };
      for (const [label, member] of inputs) {
        const s = signatures.get(label)?.[0];
        if (!Array.isArray(member[0]) || !(s instanceof ArrayBuffer)) continue;
        const items = member[0] as Array<[string, Map<string, unknown>]>;
        let base: string;
        try {
          const lines = httpbis.createSignatureBase(
            { fields: items.map((i) => sf.serializeItem(i)), componentParser: (name) => (name.startsWith('@') ? null : field(name)) },
            { method: 'POST', url: `${HS_BASE}/webhooks`, headers: {} },
          );
          base = httpbis.formatSignatureBase([...lines, ['"@signature-params"', [sf.serializeList([member])]]]);
        } catch {
          continue;
        }
        if (!cryptoVerify(null, Buffer.from(base, 'latin1'), key.pub, Buffer.from(s))) continue;
        if (items.some(([n]) => n === 'content-digest')) {
          try {
            const d = sf.parseDictionary(field('content-digest')[0]!).get('sha-256')?.[0];
            if (!(d instanceof ArrayBuffer) || !createHash('sha256').update(body).digest().equals(Buffer.from(d))) continue;
          } catch {
            continue;
          }
        }
        const params = member[1];
        const created = params.get('created');
        const nonce = params.get('nonce');
        const twin = new Map([...params].filter(([k]) => k !== 'keyid' && k !== 'alg'));
        const identity = typeof nonce === 'string' ? `n|${nonce}` : `b|${base.slice(0, base.lastIndexOf('"@signature-params"'))}${sf.serializeList([[member[0], twin]])}`;
        return { material: `hs|${identity}`, vouched: true, expected: [], timestamp: typeof created === 'number' ? created : undefined };
      }
      return { material: 'hs|unverified', vouched: false, expected: [] };
    },
  };
}

/** A P-256 pair from the PRNG (ECDH derives the public point of a random scalar). */
function ecPair(rnd: Rng): { priv: KeyObject; pub: KeyObject; verify: string } {
  const d = Buffer.from(Array.from({ length: 32 }, () => int(rnd, 256)));
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey();
  const jwk = { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') };
  const priv = createPrivateKey({ key: { ...jwk, d: d.toString('base64url') }, format: 'jwk' });
  const pub = createPublicKey(priv);
  return { priv, pub, verify: pub.export({ format: 'der', type: 'spki' }).toString('base64') };
}

/**
 * Twilio, read independently of core: the URL (publicUrl base + target, with and without its port)
 * then the form parameters sorted by name (a bodySHA256 URL signs the URL alone and binds the body
 * by its hash). The material is the signed string itself: re-splits of name+value verify by design.
 */
const TWILIO_BASE = 'https://hooks.example.com';
function twilioJudge(token: string, d: Delivery): Verdict {
  const sig = str(read(d.headers, 'x-twilio-signature'));
  const settings = read(d.headers, 'x-twilio-webhooks-signature-settings');
  const url = `${TWILIO_BASE}${d.url ?? '/webhooks'}`;
  if (sig === undefined || settings === DUP || !/^\/[\x21-\x7e]*$/.test(d.url ?? '/webhooks')) return none;
  let algorithm = 'sha1';
  if (settings !== undefined) {
    if (settings.length > 256) return none;
    for (const part of settings.split(',')) {
      const eq = part.indexOf('=');
      const name = eq === -1 ? '' : part.slice(eq + 1).trim().toUpperCase();
      if (eq === -1 || part.slice(0, eq).trim() !== 'algorithm' || !name) continue;
      if (name !== 'HMAC_SHA1' && name !== 'HMAC_SHA256') return none;
      algorithm = name === 'HMAC_SHA1' ? 'sha1' : 'sha256';
      break;
    }
  }
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1).split('#')[0]!.split('&') : [];
  const hashes = query.filter((p) => p.startsWith('bodySHA256=') || p === 'bodySHA256').map((p) => p.slice(11));
  let params = '';
  let bodyOk = true;
  if (hashes.length > 1 || (hashes.length === 1 && !/^[0-9a-f]{64}$/.test(hashes[0]!))) return none;
  if (hashes.length === 1) bodyOk = createHash('sha256').update(d.body).digest('hex') === hashes[0];
  else if (d.body.length > 0) {
    const text = d.body.toString('latin1');
    if (!/^[\x21-\x7e]+$/.test(text) || /%(?![0-9A-F]{2})/.test(text)) return none;
    const pairs: Array<[string, string]> = [];
    for (const part of text.split('&')) {
      const eq = part.indexOf('=');
      if (part === '' || eq === -1) return none;
      try {
        const dec = (x: string) => decodeURIComponent(x.replace(/\+/g, ' '));
        pairs.push([dec(part.slice(0, eq)), dec(part.slice(eq + 1))]);
      } catch {
        return none;
      }
    }
    if (pairs.length > 1000 || new Set(pairs.map((p) => JSON.stringify(p))).size !== pairs.length) return none;
    pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
    params = pairs.map(([n, v]) => n + v).join('');
  }
  const noPort = url;
  const expected = [noPort, noPort.replace(TWILIO_BASE, `${TWILIO_BASE}:443`)].map((u) => createHmac(algorithm, token).update(u + params, 'utf8').digest('base64'));
  const at = expected.indexOf(sig);
  return { material: at === -1 ? `twilio|${url}|${params}` : `twilio|${at}|${url}|${params}`, vouched: at !== -1 && bodyOk, expected };
}
function twilioBase(token: string, wrongToken: string, rnd: Rng, wrongKey: boolean): Delivery {
  const json = chance(rnd, 0.3);
  let body: Buffer;
  let url: string;
  if (json) {
    body = bodyOf(rnd);
    url = `/events?t=${int(rnd, 100)}&bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
  } else {
    const u = new URLSearchParams();
    const seen = new Set<string>();
    for (let i = 0, n = 1 + int(rnd, 8); i < n; i++) {
      const name = pick(rnd, ['AccountSid', 'From', 'To', 'Body', 'MediaUrl', 'a', 'ab', '']);
      const value = chance(rnd, 0.2) ? '' : text(rnd, int(rnd, 20), 'abc +=&%?é€😀.:/');
      if (!seen.has(`${name}=${value}`)) u.append(name, value);
      seen.add(`${name}=${value}`);
    }
    body = Buffer.from(u.toString());
    url = chance(rnd, 0.5) ? '/sms' : `/sms?tenant=${text(rnd, 5)}&x=%20y`;
  }
  // Signed with and without the default port, as Twilio's products do.
  const signedUrl = `${chance(rnd, 0.3) ? `${TWILIO_BASE}:443` : TWILIO_BASE}${url}`;
  const headers: Headers = sign.twilio({ secret: wrongKey ? wrongToken : token, url: signedUrl, body, algorithm: chance(rnd, 0.2) ? 'HMAC_SHA256' : 'HMAC_SHA1', id: text(rnd, 36) });
  return { headers, body, url };
}

/** A byte of the request target changed, cut or extended (only for targets that sign the URL). */
function mutateUrl(rnd: Rng, url: string, kinds: string[]): string {
  kinds.push('url');
  const at = int(rnd, url.length);
  switch (int(rnd, 5)) {
    case 0:
      return url.slice(0, at) + String.fromCharCode(url.charCodeAt(at) ^ (1 << int(rnd, 7))) + url.slice(at + 1);
    case 1:
      return url.slice(0, at + 1);
    case 2:
      return url + pick(rnd, ['&', '?', '#', '=', 'x', '&bodySHA256=' + '0'.repeat(64), '/']);
    case 3:
      return url.replace(/[0-9a-f]/, (c) => c.toUpperCase());
    default:
      return pick(rnd, ['http://evil.example/sms', '*', '', url.toUpperCase(), `${url}\u00e9`]);
  }
}

// ---------------------------------------------------------------------------------------------
// the provider presets, read independently of core

/** `key=value` entries of a list header as parseSignatureHeader reads them: trimmed, split at the first `=`. */
function entriesOf(v: string, sep: string): Array<[string, string]> {
  return v.split(sep).map((e): [string, string] => {
    const eq = e.indexOf('=');
    return eq > 0 ? [e.slice(0, eq).trim(), e.slice(eq + 1).trim()] : ['', ''];
  });
}
interface PresetRead {
  /** The signature texts the request carries. */
  sigs: string[];
  /** Header text signed before the body (timestamps, Square's URL). */
  prefix?: string;
  ts?: string;
}
/** An HMAC preset: the signatures it reads and what it signs; the identity is the digest of that (or an id inside it). */
function presetLeaf(o: { name: string; secret: string; scheme: (secret: string) => Scheme; sign: (rnd: Rng, ts: number, body: Buffer, key: string) => Record<string, string>; read: (h: Headers) => PresetRead | undefined; alg?: string; enc?: 'hex' | 'base64' }): Leaf {
  return {
    name: o.name,
    secrets: [o.secret],
    scheme: () => o.scheme(o.secret),
    sign: (rnd, ts, body, wrongKey) => o.sign(rnd, ts, body, wrongKey ? `${o.secret}_wrong` : o.secret),
    judge(h, body) {
      const r = o.read(h);
      if (!r) return none;
      const e = mac(o.alg ?? 'sha256', o.secret, [r.prefix ?? '', body]).toString(o.enc ?? 'hex');
      const material = r.prefix === undefined ? `body|${body.toString('latin1')}` : `${o.name}|${bytesOf(r.prefix)}|${body.toString('latin1')}`;
      return { material, vouched: r.sigs.includes(e), expected: [e], timestamp: r.ts !== undefined && /^[0-9]+$/.test(r.ts) ? Number(r.ts) : undefined };
    },
  };
}
const one = (h: Headers, name: string, prefix = ''): PresetRead | undefined => {
  const v = str(read(h, name));
  return v === undefined ? undefined : { sigs: v.startsWith(prefix) ? [v.slice(prefix.length)] : [] };
};
const SQUARE_URL = 'https://hooks.example.com/square';
function presetLeaves(secret: () => string): Record<string, Leaf> {
  return {
    pagerduty: presetLeaf({
      name: 'pagerduty', secret: secret(), scheme: (s) => pagerduty({ secret: s }),
      sign: (rnd, _ts, body, key) => sign.pagerduty({ secret: chance(rnd, 0.2) ? [`${key}_old`, key] : key, body, id: text(rnd, 36) }),
      read: (h) => {
        const v = str(read(h, 'x-pagerduty-signature'));
        return v === undefined ? undefined : { sigs: entriesOf(v, ',').filter(([k]) => k === 'v1').map(([, x]) => x) };
      },
    }),
    docusign: presetLeaf({
      name: 'docusign', secret: secret(), scheme: (s) => docusign({ secret: s }), enc: 'base64',
      sign: (rnd, _ts, body, key) => sign.docusign({ secret: chance(rnd, 0.2) ? [`${key}_old`, key] : key, body }),
      read: (h) => {
        const sigs: string[] = [];
        for (let n = 1; ; n++) {
          const v = read(h, `x-docusign-signature-${n}`);
          if (typeof v !== 'string') break;
          sigs.push(v);
        }
        return sigs.length === 0 ? undefined : { sigs };
      },
    }),
    paddle: presetLeaf({
      name: 'paddle', secret: `pdl_ntfset_${secret()}`, scheme: (s) => paddle({ secret: s }),
      sign: (rnd, ts, body, key) => sign.paddle({ secret: chance(rnd, 0.2) ? [key, `${key}_next`] : key, body, timestamp: ts }),
      read: (h) => {
        const v = str(read(h, 'paddle-signature'));
        if (v === undefined) return undefined;
        const e = entriesOf(v, ';');
        const ts = e.find(([k]) => k === 'ts')?.[1];
        return ts === undefined ? undefined : { sigs: e.filter(([k]) => k === 'h1').map(([, x]) => x), prefix: `${ts}:`, ts };
      },
    }),
    square: presetLeaf({
      name: 'square', secret: secret(), scheme: (s) => square({ secret: s, notificationUrl: SQUARE_URL }), enc: 'base64',
      sign: (_rnd, _ts, body, key) => sign.square({ secret: key, notificationUrl: SQUARE_URL, body }),
      read: (h) => {
        const r = one(h, 'x-square-hmacsha256-signature');
        return r && { ...r, prefix: SQUARE_URL };
      },
    }),
    zoom: presetLeaf({
      name: 'zoom', secret: secret(), scheme: (s) => zoom({ secret: s }),
      sign: (_rnd, ts, body, key) => sign.zoom({ secret: key, body, timestamp: ts }),
      read: (h) => {
        const r = one(h, 'x-zm-signature', 'v0=');
        const ts = str(read(h, 'x-zm-request-timestamp'));
        return r && ts !== undefined ? { ...r, prefix: `v0:${ts}:`, ts } : undefined;
      },
    }),
    intercom: presetLeaf({
      name: 'intercom', secret: secret(), scheme: (s) => intercom({ secret: s }), alg: 'sha1',
      sign: (_rnd, _ts, body, key) => sign.intercom({ secret: key, body }),
      read: (h) => one(h, 'x-hub-signature', 'sha1='),
    }),
    bitbucket: presetLeaf({
      name: 'bitbucket', secret: secret(), scheme: (s) => bitbucket({ secret: s }),
      sign: (rnd, _ts, body, key) => sign.bitbucket({ secret: key, body, id: text(rnd, 36) }),
      read: (h) => one(h, 'x-hub-signature', 'sha256='),
    }),
  };
}

/** The member `name` of a JSON object's text, found as core finds it even when the rest of the body is broken. */
function jsonObjectMember(text: string, name: string): unknown {
  try {
    const o = JSON.parse(text.replace(/^\ufeff/, '')) as Record<string, unknown>;
    return typeof o === 'object' && o !== null ? o[name] : undefined;
  } catch {
    const at = text.indexOf(`"${name}"`);
    const open = at === -1 ? -1 : text.indexOf('{', at);
    if (open === -1) return undefined;
    let depth = 0;
    for (let i = open; i < text.length; i++) {
      const c = text[i];
      if (c === '"') {
        for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      } else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        try {
          return JSON.parse(text.slice(open, i + 1));
        } catch {
          return undefined;
        }
      }
    }
    return undefined;
  }
}
/** Mailgun, read independently: the signature object of a JSON body or the form's fields; it signs timestamp + token. */
function mailgunJudge(key: string, body: Buffer): Verdict {
  const text = body.toString('utf8');
  let f: Record<string, unknown> | undefined;
  if (/^[\s\ufeff]*\{/.test(text)) {
    const s = jsonObjectMember(text, 'signature');
    f = typeof s === 'object' && s !== null ? (s as Record<string, unknown>) : undefined;
  } else {
    const form = new URLSearchParams(text);
    f = { timestamp: form.get('timestamp') ?? undefined, token: form.get('token') ?? undefined, signature: form.get('signature') ?? undefined };
  }
  const ts = typeof f?.timestamp === 'number' ? String(f.timestamp) : f?.timestamp;
  const token = f?.token;
  if (typeof ts !== 'string' || typeof token !== 'string') return none;
  const e = mac('sha256', key, [ts + token]).toString('hex');
  return { material: `mailgun|${ts}|${token}`, vouched: f!.signature === e || f!['parent-signature'] === e, expected: [e], timestamp: /^[0-9]+$/.test(ts) ? Number(ts) : undefined };
}
function mailgunBase(key: string, rnd: Rng, wrongKey: boolean, ts: number): Delivery {
  const s = sign.mailgun({ secret: wrongKey ? `${key}_wrong` : key, timestamp: ts, token: text(rnd, 50, '0123456789abcdef') });
  const event = JSON.parse(JSON.stringify({ event: pick(rnd, ['delivered', 'opened', 'failed']), id: text(rnd, 22), note: pick(rnd, ['a.b,c;d=e "f"', 'ü€😀', '', 'x'.repeat(int(rnd, 300))]) })) as Record<string, string>;
  if (chance(rnd, 0.3)) return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(new URLSearchParams({ ...s, ...event }).toString()) };
  return { headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ signature: s, 'event-data': event })) };
}
/** Linear signs the body; its freshness is webhookTimestamp (ms) inside it. */
function linearJudge(key: string, h: Headers, body: Buffer): Verdict {
  const sig = str(read(h, 'linear-signature'));
  if (sig === undefined) return none;
  const e = mac('sha256', key, [body]).toString('hex');
  let ts: number | undefined;
  try {
    const t = (JSON.parse(body.toString('utf8').replace(/^\ufeff/, '')) as { webhookTimestamp?: unknown }).webhookTimestamp;
    if (typeof t === 'number' && Number.isSafeInteger(t)) ts = Math.floor(t / 1000);
  } catch {
    // not JSON: then core has no timestamp either, and refuses it
  }
  return { material: `body|${body.toString('latin1')}`, vouched: sig === e, expected: [e], timestamp: ts };
}
function linearBase(key: string, rnd: Rng, wrongKey: boolean, ts: number): Delivery {
  const body = Buffer.from(JSON.stringify({ action: pick(rnd, ['create', 'update', 'remove']), type: 'Issue', data: { id: text(rnd, 12), title: pick(rnd, ['a.b', 'ü€😀', '"webhookTimestamp":1']) }, webhookTimestamp: ts * 1000 + int(rnd, 1000) }));
  return { headers: sign.linear({ secret: wrongKey ? `${key}_wrong` : key, body, id: text(rnd, 36) }), body };
}
/** GitLab: the token vouches for anything; the (unsigned) Idempotency-Key is the replay identity. */
function gitlabJudge(token: string, h: Headers): Verdict {
  const t = str(read(h, 'x-gitlab-token'));
  const k = read(h, 'idempotency-key');
  const id = k === undefined ? read(h, 'x-gitlab-event-uuid') : k;
  if (t === undefined || id === DUP) return none;
  return { material: `gitlab|${t}|${id ?? ''}`, vouched: t === token, expected: [] };
}

// ---------------------------------------------------------------------------------------------
// targets: a verifier and how to judge its accepts

interface Target {
  name: string;
  verifier: Verifier;
  /** A delivery signed at `ts` (seconds), with the true key or a wrong one. */
  base(rnd: Rng, wrongKey: boolean, ts: number): Delivery;
  judge(d: Delivery): Verdict;
  secrets: string[];
  unsignedId?: boolean;
  tenants?: readonly string[];
}

/** Always "reserved": every accepted copy shows its replay key without being refused as a duplicate. */
const OPEN_STORE: ReplayStore = {
  reserve: () => Promise.resolve({ state: 'reserved', token: 't' }),
  commit: () => Promise.resolve(),
  release: () => Promise.resolve(),
};

function edPair(rnd: Rng): { sign: string; verify: string; pub: KeyObject; priv: KeyObject } {
  const seed = Buffer.from(Array.from({ length: 32 }, () => int(rnd, 256)));
  const priv = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  const pub = createPublicKey(priv);
  const raw = Buffer.from((pub.export({ format: 'jwk' }) as { x: string }).x, 'base64url');
  return { sign: `whsk_${Buffer.concat([seed, raw]).toString('base64')}`, verify: `whpk_${raw.toString('base64')}`, pub, priv };
}
const whsecPair = (rnd: Rng) => {
  const bytes = Buffer.from(Array.from({ length: 24 }, () => int(rnd, 256)));
  const s = `whsec_${bytes.toString('base64')}`;
  return { sign: s, verify: s, hmac: bytes };
};

function bodyOf(rnd: Rng): Buffer {
  const n = int(rnd, 5);
  const o: Record<string, unknown> = { type: 'invoice.paid' };
  if (chance(rnd, 0.5)) o.id = `evt_${int(rnd, 1e9)}`;
  if (chance(rnd, 0.3)) o.event_id = `Ev${int(rnd, 1e9)}`;
  o.note = n === 0 ? 'a.b,c;d=e "f" \\ 1.2' : n === 1 ? 'ü€😀' : n === 2 ? '' : 'x'.repeat(int(rnd, 400));
  if (n === 4) return Buffer.from(Array.from({ length: int(rnd, 200) }, () => int(rnd, 256)));
  return Buffer.from(JSON.stringify(o));
}

function targets(seed: number): Target[] {
  const rnd = mulberry32(seed ^ 0x5eed);
  const common = { replay: { store: OPEN_STORE }, toleranceSec: TOLERANCE_S, maxBodyBytes: MAX_BODY, now: () => NOW_S * 1000 } as const;
  const plain = () => `fz_${text(rnd, 24)}`;
  const single = (name: string, leaf: Leaf): Target => ({
    name,
    verifier: createVerifier({ scheme: leaf.scheme(), ...common }),
    base: (r, wrong, now) => {
      const body = bodyOf(r);
      return { headers: leaf.sign(r, now, body, wrong), body };
    },
    judge: (d) => leaf.judge(d.headers, d.body),
    secrets: leaf.secrets,
    unsignedId: leaf.unsignedId,
  });
  /** any(): the first leaf that the key vouches for; all(): every leaf, the first signed material. */
  const combo = (name: string, kind: 'any' | 'all', leaves: Leaf[]): Target => ({
    name,
    verifier: createVerifier({ scheme: kind === 'any' ? any(...leaves.map((l) => l.scheme())) : all(...leaves.map((l) => l.scheme())), ...common }),
    base: (r, wrong, now) => {
      const body = bodyOf(r);
      const headers = kind === 'any' ? pick(r, leaves).sign(r, now, body, wrong) : Object.assign({}, ...leaves.map((l, i) => l.sign(r, now, body, wrong && i === leaves.length - 1)));
      return { headers, body };
    },
    judge: (d) => {
      const vs = leaves.map((l) => l.judge(d.headers, d.body));
      const expected = vs.flatMap((v) => v.expected);
      if (kind === 'any') {
        const hit = vs.find((v) => v.vouched);
        return hit ? { ...hit, expected } : { material: vs.find((v) => v.material)?.material, vouched: false, expected };
      }
      const signed = vs.find((v, i) => !leaves[i]!.unsignedId && v.material !== undefined);
      return { material: vs.map((v) => v.material).join('&'), vouched: vs.every((v) => v.vouched), expected, ...(signed?.timestamp !== undefined ? { timestamp: signed.timestamp } : {}) };
    },
    secrets: leaves.flatMap((l) => l.secrets),
  });

  const v1Keys = [whsecPair(rnd), whsecPair(rnd)];
  const v1aKeys = [edPair(rnd), edPair(rnd)];
  const shared = plain();
  const HM: HmacOptions = { header: 'x-sig', idHeader: 'x-id', timestampHeader: 'x-ts', template: '{id}.{timestamp}.{body}', prefix: 'sha256=', encoding: 'base64' };
  const HM_AFTER: HmacOptions = { header: 'x-signature', idHeader: 'x-id', timestampHeader: 'x-ts', template: 'v1:{timestamp}:{body}:{id}' };

  // Tenants: a case-insensitive lookup that names the canonical id; each tenant its own secret.
  const tenantKeys = new Map<string, ReturnType<typeof whsecPair>>([['acme', whsecPair(rnd)], ['globex', whsecPair(rnd)], ['initech', whsecPair(rnd)]]);
  const tenantLeaf = new Map([...tenantKeys].map(([t, k]) => [t, standardLeaf('standardWebhooks', [k], whsecPair(rnd))]));
  const rows: Record<string, TenantConfig> = Object.fromEntries([...tenantKeys].map(([t, k]) => [t, { id: t, secrets: [k.verify] }]));
  const tenantTarget: Target = {
    name: 'standardWebhooks + tenants',
    // A plain-object lookup on purpose: `constructor`, `__proto__`... must come out 404.
    verifier: createVerifier({ scheme: standardWebhooks(), tenants: { resolve: fromParam(), lookup: (id) => rows[id.toLowerCase()] }, ...common }),
    base: (r, wrong, now) => {
      const tenant = pick(r, [...tenantKeys.keys()]);
      const body = bodyOf(r);
      return { headers: tenantLeaf.get(tenant)!.sign(r, now, body, wrong), body, tenant };
    },
    judge: (d) => {
      const canonical = d.tenant === undefined ? undefined : Object.hasOwn(rows, d.tenant.toLowerCase()) ? d.tenant.toLowerCase() : undefined;
      const leaf = canonical === undefined ? undefined : tenantLeaf.get(canonical);
      if (!leaf) return none;
      const v = leaf.judge(d.headers, d.body);
      return { ...v, material: v.material === undefined ? undefined : `${canonical}|${v.material}` };
    },
    secrets: [...tenantKeys.values()].flatMap((k) => [k.sign]),
    tenants: [...tenantKeys.keys()],
  };

  const twilioToken = createHash('sha256').update(plain()).digest('hex').slice(0, 32);
  const twilioTarget: Target = {
    name: 'twilio',
    verifier: createVerifier({ scheme: twilio({ secret: twilioToken, publicUrl: TWILIO_BASE }), ...common }),
    base: (r, wrong) => twilioBase(twilioToken, `${twilioToken}x`, r, wrong),
    judge: (d) => twilioJudge(twilioToken, d),
    secrets: [twilioToken],
  };
  const adobeClient = `CBJCHBCAABAA${text(rnd, 32)}`;
  const adobeTarget: Target = {
    name: 'adobeSign',
    verifier: createVerifier({ scheme: adobeSign({ clientId: adobeClient }), ...common }),
    base: (r, wrong) => ({ headers: { ...sign.adobeSign({ clientId: wrong ? `${adobeClient}x` : adobeClient }), 'content-type': 'application/json' }, body: bodyOf(r) }),
    // No signature: the client id is what vouches, for any body; the identity is the body's digest.
    judge: (d) => {
      const id = read(d.headers, 'x-adobesign-clientid');
      return { material: `body|${d.body.toString('latin1')}`, vouched: id === adobeClient, expected: [] };
    },
    secrets: [],
  };

  // The presets' keys are drawn last (below), so every earlier target's stream stays as it was.
  const presetTargets = (): Target[] => {
    const p = presetLeaves(plain);
    const mailgunKey = plain();
    const linearKey = plain();
    const gitlabToken = plain();
    const presetShared = plain();
    const body = (leaf: Leaf): Target => single(leaf.name, leaf);
    return [
      ...Object.values(p).map(body),
      {
        name: 'linear',
        verifier: createVerifier({ scheme: linear({ secret: linearKey }), ...common }),
        base: (r, wrong, now) => linearBase(linearKey, r, wrong, now),
        judge: (d) => linearJudge(linearKey, d.headers, d.body),
        secrets: [linearKey],
      },
      {
        name: 'mailgun',
        verifier: createVerifier({ scheme: mailgun({ secret: mailgunKey }), ...common }),
        base: (r, wrong, now) => mailgunBase(mailgunKey, r, wrong, now),
        judge: (d) => mailgunJudge(mailgunKey, d.body),
        secrets: [mailgunKey],
      },
      {
        name: 'gitlab',
        verifier: createVerifier({ scheme: gitlab({ secret: gitlabToken }), ...common }),
        base: (r, wrong) => ({ headers: sign.gitlab({ token: wrong ? `${gitlabToken}x` : gitlabToken, id: text(r, 36) }), body: bodyOf(r) }),
        judge: (d) => gitlabJudge(gitlabToken, d.headers),
        secrets: [gitlabToken],
        unsignedId: true,
      },
      combo('any(github, pagerduty, bitbucket) one secret', 'any', [
        githubLeaf(presetShared),
        presetLeaves(() => presetShared).pagerduty!,
        presetLeaves(() => presetShared).bitbucket!,
      ]),
    ];
  };

  // Drawn after every other target's keys: their streams stay as they were.
  const ed = edPair(rnd);
  const discordKey = { priv: ed.priv, pub: ed.pub, verify: Buffer.from((ed.pub.export({ format: 'jwk' }) as { x: string }).x, 'base64url').toString('hex') };

  return [
    single('standardWebhooks v1', standardLeaf('standardWebhooks', v1Keys, whsecPair(rnd))),
    single('standardWebhooks v1a', standardLeaf('standardWebhooks', v1aKeys, edPair(rnd))),
    tenantTarget,
    single('stripe', stripeLeaf(`whsec_${plain()}`)),
    single('github', githubLeaf(plain())),
    single('slack', slackLeaf(plain())),
    single('shopify', shopifyLeaf(plain())),
    single('hmac {id}.{timestamp}.{body}', hmacLeaf({ ...HM, secret: plain() }, 'hmac')),
    single('hmac v1:{timestamp}:{body}:{id}', hmacLeaf({ ...HM_AFTER, secret: plain() }, 'hmac')),
    single('apiKey (idHeader)', apiKeyLeaf(plain())),
    combo('any(github, shopify) one secret', 'any', [githubLeaf(shared), shopifyLeaf(shared)]),
    combo('any(github, hmac) one secret', 'any', [githubLeaf(shared), hmacLeaf({ header: 'x-sig', secret: shared }, 'hmac')]),
    combo('any(stripe, standardWebhooks)', 'any', [stripeLeaf(`whsec_${plain()}`), standardLeaf('standardWebhooks', [whsecPair(rnd)], whsecPair(rnd))]),
    combo('all(apiKey, standardWebhooks)', 'all', [apiKeyLeaf(plain()), standardLeaf('standardWebhooks', [whsecPair(rnd)], whsecPair(rnd))]),
    twilioTarget,
    adobeTarget,
    single('discord', timestampedLeaf('discord', discordKey, edPair(rnd).priv)),
    single('sendgrid', timestampedLeaf('sendgrid', ecPair(rnd), ecPair(rnd).priv)),
    ...presetTargets(),
    // After every other target's keys: their streams stay as they were.
    single('httpSignature', httpSignatureLeaf(edPair(rnd), edPair(rnd).priv)),
  ];
}

export function targetNames(): string[] {
  return targets(1).map((t) => t.name);
}

// ---------------------------------------------------------------------------------------------
// mutations

const NOISE = ['.', ',', ';', '=', ' ', '"', '\\', '\t', ':', 'v1,', 'v1a,', 't=', 'v1=', 'v0=', 'sha256=', '%', '\u00ff', '\u00e9', '0', '-', '\u0000', '\r\n', 'Bearer ', '{', '}'];
const UNICODE = ['\u20ac', '\u{1F600}', '\u0100', '\u01ac', '\ud800', '\udfff', '\u200b', '\ufeff', '\u0301', '\uff10', '\u0661'];
const FOREIGN: Array<[string, string]> = [
  ['x-hub-signature-256', 'sha256=' + '0'.repeat(64)],
  ['x-hub-signature', 'sha1=' + '0'.repeat(40)],
  ['x-shopify-hmac-sha256', 'A'.repeat(43) + '='],
  ['shopify-hmac-sha256', 'A'.repeat(43) + '='],
  ['webhook-signature', 'v1,' + 'A'.repeat(43) + '='],
  ['webhook-id', 'msg_foreign'],
  ['webhook-timestamp', '1'],
  ['stripe-signature', 't=1,v1=' + '0'.repeat(64)],
  ['svix-signature', 'v1,' + 'B'.repeat(43) + '='],
  ['x-slack-signature', 'v0=' + 'f'.repeat(64)],
  ['x-slack-request-timestamp', '1'],
  ['x-sig', '0'.repeat(64)],
  ['authorization', 'Bearer x'],
  ['x-pagerduty-signature', 'v1=' + '0'.repeat(64)],
  ['x-docusign-signature-1', 'A'.repeat(43) + '='],
  ['paddle-signature', 'ts=1;h1=' + '0'.repeat(64)],
  ['x-square-hmacsha256-signature', 'A'.repeat(43) + '='],
  ['x-zm-signature', 'v0=' + '0'.repeat(64)],
  ['x-zm-request-timestamp', '1'],
  ['linear-signature', '0'.repeat(64)],
  ['x-gitlab-token', 'x'],
];
const SIGNATURE_HEADERS = ['x-hub-signature-256', 'x-shopify-hmac-sha256', 'shopify-hmac-sha256', 'webhook-signature', 'svix-signature', 'stripe-signature', 'x-slack-signature', 'x-sig', 'x-signature', 'x-pagerduty-signature', 'x-docusign-signature-1', 'x-square-hmacsha256-signature', 'x-zm-signature', 'linear-signature', 'x-hub-signature'];

/** The signature bytes of a header value, re-encoded in another scheme's format (a leaf swap). */
function reencode(rnd: Rng, value: string): [string, string] | undefined {
  const hex = /[0-9a-f]{64}/.exec(value)?.[0];
  const b64 = /[A-Za-z0-9+/]{43}=/.exec(value)?.[0];
  const raw = hex ? Buffer.from(hex, 'hex') : b64 ? Buffer.from(b64, 'base64') : undefined;
  if (!raw || raw.length !== 32) return undefined;
  return pick(rnd, [
    ['x-hub-signature-256', `sha256=${raw.toString('hex')}`],
    ['x-shopify-hmac-sha256', raw.toString('base64')],
    ['x-sig', raw.toString('hex')],
    ['x-sig', `sha256=${raw.toString('base64')}`],
    ['webhook-signature', `v1,${raw.toString('base64')}`],
    ['x-slack-signature', `v0=${raw.toString('hex')}`],
  ] as Array<[string, string]>);
}

const KINDS = ['bit flip', 'body cut', 'separator', 'deletion', 'repeated header', 'name spelling', 'removed', 'foreign header', 'huge value', 'numeric edge', 'swap', 're-split', 'unicode', 'whitespace', 'leaf swap', 'entry list', 'empty value', 'body size', 'tenant', 'garbage', 'latin1 alias', 'unrelated header', 'random digest'] as const;

function mutate(rnd: Rng, base: Delivery, target: Target, kinds: string[]): Delivery {
  const now = NOW_S;
  const headers: Headers = { ...base.headers };
  let body: Buffer = Buffer.from(base.body);
  let tenant = base.tenant;
  const names = () => Object.keys(headers);
  const rounds = 1 + int(rnd, 3);
  for (let i = 0; i < rounds; i++) {
    if (names().length === 0) headers['content-type'] = 'application/json';
    const name = pick(rnd, names());
    const value = headers[name];
    const txt = Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
    const at = int(rnd, txt.length + 1);
    const kind = int(rnd, KINDS.length);
    kinds.push(`${KINDS[kind]}${kind === 18 ? '' : ` (${name})`}`);
    switch (kind) {
      case 0: // flip a bit of the body
        if (body.length) {
          const p = int(rnd, body.length);
          body[p] = body[p]! ^ (1 << int(rnd, 8));
        }
        break;
      case 1: // truncate or extend the body
        body = chance(rnd, 0.5) ? body.subarray(0, int(rnd, body.length + 1)) : Buffer.concat([body, Buffer.from(pick(rnd, NOISE))]);
        break;
      case 2: // separators and syntax inserted into a header value
        headers[name] = txt.slice(0, at) + pick(rnd, NOISE) + txt.slice(at);
        break;
      case 3: // a run of characters deleted
        headers[name] = txt.slice(0, at) + txt.slice(at + 1 + int(rnd, 8));
        break;
      case 4: // the header twice, as Node gives a repeated header (identical or not), or as [] / [v]
        headers[name] = pick(rnd, [[txt, txt], [txt, txt + pick(rnd, NOISE)], [], [txt]]);
        break;
      case 5: // another spelling of the name
        delete headers[name];
        headers[chance(rnd, 0.3) ? name.toUpperCase() : recase(rnd, name)] = value!;
        break;
      case 6: // removed
        delete headers[name];
        break;
      case 7: { // a header of another scheme
        const [n, v] = pick(rnd, FOREIGN);
        headers[n] = v;
        break;
      }
      case 8: // huge value
        // Node refuses a request whose headers pass 16 KiB (--max-http-header-size): up to that.
        headers[name] = (txt + pick(rnd, ['A', '0', ' ', ',', 'v1,AAAA ', 'v1a,' + 'A'.repeat(86) + '== ']).repeat(1 + int(rnd, 2000))).slice(0, 1000 + int(rnd, 15_000));
        break;
      case 9: // numeric edges (where timestamps live, and elsewhere)
        headers[name] = pick(rnd, ['0', '-1', '1e20', '1.5', ` ${txt}`, `${txt} `, '99999999999999999999', '\u0661\u0662\u0663', txt + '000', String(now - TOLERANCE_S - 1), String(now + TOLERANCE_S + 1), '9'.repeat(15), '9'.repeat(16), '00' + txt, 'NaN', 'Infinity', '0x1f']);
        break;
      case 10: { // two values swapped
        const other = pick(rnd, names());
        const t = headers[other];
        headers[other] = headers[name]!;
        headers[name] = t!;
        break;
      }
      case 11: // bytes moved between a header and the body (re-split attempts)
        if (txt.length > 1) {
          const cut = 1 + int(rnd, txt.length - 1);
          if (chance(rnd, 0.5)) {
            headers[name] = txt.slice(0, cut);
            body = Buffer.concat([Buffer.from(txt.slice(cut), 'latin1'), body]);
          } else {
            headers[name] = txt.slice(cut);
            body = Buffer.concat([body, Buffer.from(txt.slice(0, cut), 'latin1')]);
          }
        } else if (body.length) {
          const n = 1 + int(rnd, Math.min(8, body.length));
          headers[name] = chance(rnd, 0.5) ? txt + body.subarray(0, n).toString('latin1') : body.subarray(body.length - n).toString('latin1') + txt;
          body = chance(rnd, 0.5) ? body.subarray(n) : body.subarray(0, body.length - n);
        }
        break;
      case 12: // unicode (hand-built requests can hold what Node never gives)
        headers[name] = txt.slice(0, at) + pick(rnd, UNICODE) + txt.slice(at + (chance(rnd, 0.5) ? 1 : 0));
        break;
      case 13: // whitespace around or inside
        headers[name] = pick(rnd, [` ${txt}`, `${txt} `, `\t${txt}\t`, txt.replace(/ /g, '  '), txt.replace(/,/g, ', '), txt.replace(/=/g, ' = ')]);
        break;
      case 14: // the signature re-encoded as another scheme's header (leaf swap)
        for (const n of SIGNATURE_HEADERS) {
          const v = headers[n];
          if (typeof v !== 'string') continue;
          const re = reencode(rnd, v);
          if (re) {
            if (chance(rnd, 0.7)) delete headers[n];
            headers[re[0]] = re[1];
          }
          break;
        }
        break;
      case 15: // an entry of the signature list duplicated, dropped or reordered
        for (const n of ['webhook-signature', 'svix-signature', 'stripe-signature', 'x-pagerduty-signature', 'paddle-signature']) {
          const v = headers[n];
          if (typeof v !== 'string') continue;
          const sep = n === 'paddle-signature' ? ';' : n === 'stripe-signature' || n === 'x-pagerduty-signature' ? ',' : ' ';
          const parts = v.split(sep);
          const k = int(rnd, parts.length);
          const op = int(rnd, 3);
          if (op === 0) parts.splice(k, 0, parts[k]!);
          else if (op === 1) parts.splice(k, 1);
          else parts.reverse();
          headers[n] = parts.join(sep);
        }
        break;
      case 16: // empty value
        headers[name] = '';
        break;
      case 17: // the body past the limit, or emptied
        body = chance(rnd, 0.3) ? Buffer.alloc(MAX_BODY + 1 + int(rnd, 10), 0x61) : Buffer.alloc(0);
        break;
      case 18: // tenant spellings and impostors
        tenant = pick(rnd, [
          tenant?.toUpperCase(),
          tenant === undefined ? undefined : recase(rnd, tenant),
          pick(rnd, target.tenants ?? ['acme']),
          'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf',
          `${tenant ?? 'x'}\u0000`, `${tenant ?? 'x'}\n`, 'x'.repeat(129 + int(rnd, 5000)), `${tenant ?? ''}\u{1F600}`, `${tenant ?? ''}\ud800`, undefined, '',
        ]);
        break;
      case 19: // random latin1 garbage
        headers[name] = Array.from({ length: int(rnd, 80) }, () => String.fromCharCode(int(rnd, 256))).join('');
        break;
      case 20: // a character replaced by one with the same low byte (latin1 aliases: one signed byte, two strings)
        if (txt.length) headers[name] = txt.slice(0, at % txt.length) + String.fromCharCode((txt.charCodeAt(at % txt.length) & 0xff) + 0x100 * (1 + int(rnd, 255))) + txt.slice((at % txt.length) + 1);
        break;
      case 21: // an unrelated header
        headers[`x-${text(rnd, 5).toLowerCase()}`] = text(rnd, int(rnd, 40));
        break;
      default: // a valid base64 / hex digest of random bytes in place of the value's digest
        headers[name] = txt.replace(/[0-9a-f]{64}/, () => Buffer.from(Array.from({ length: 32 }, () => int(rnd, 256))).toString('hex')).replace(/[A-Za-z0-9+/]{43}=/, () => Buffer.from(Array.from({ length: 32 }, () => int(rnd, 256))).toString('base64'));
    }
  }
  const out: Delivery = { headers, body };
  if (tenant !== undefined) out.tenant = tenant;
  // Drawn only for deliveries with a URL of their own: the other targets' streams stay as they were.
  if (base.url !== undefined) out.url = chance(rnd, 0.25) ? mutateUrl(rnd, base.url, kinds) : base.url;
  return out;
}

// ---------------------------------------------------------------------------------------------
// the campaign

const KNOWN = new Set<string>(WEBHOOK_ERROR_CODES);
function request(d: Delivery): WebhookRequest {
  const r: WebhookRequest = { method: 'POST', url: d.url ?? '/webhooks', headers: d.headers, body: d.body, remoteAddress: '127.0.0.1' };
  if (d.tenant !== undefined) r.params = { tenant: d.tenant };
  return r;
}
const hang = Symbol('hang');
function settleWithin<T>(p: Promise<T>, ms: number): Promise<T | typeof hang> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<typeof hang>((resolve) => (timer = setTimeout(() => resolve(hang), ms)))]).finally(() => clearTimeout(timer));
}
const short = (d: Delivery) => JSON.stringify({ h: d.headers, b: d.body.toString('latin1').slice(0, 120), t: d.tenant }).replace(/A{100,}|0{100,}| {100,}/g, (m) => `<${m[0]}x${m.length}>`).slice(0, 600);

const profiles = new Map<string, number[]>();
function profile(target: string, kind: string, us: number) {
  const k = `${target} / ${kind}`;
  let l = profiles.get(k);
  if (!l) profiles.set(k, (l = []));
  l.push(us);
}
/** With HOOKGUARD_FUZZ_PROFILE set: p99 CPU per (target, mutation kind), slowest first. */
export function profileReport(): string {
  return [...profiles]
    .map(([k, l]) => [k, l.sort((a, b) => a - b)[Math.floor(l.length * 0.99)] ?? 0, l.length] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([k, p99, n]) => `${k}: p99 ${p99} µs (${n})`)
    .join('\n');
}

export interface FuzzOptions {
  seed: number;
  count: number;
  /** Only targets whose name contains this. */
  only?: string;
  /** Only the target of exactly this name. */
  exact?: string;
  /** Share of base deliveries signed with a wrong key (default 0.05). */
  wrongKeyShare?: number;
}

export async function fuzz(options: FuzzOptions): Promise<FuzzTotals[]> {
  const out: FuzzTotals[] = [];
  const now = NOW_S;
  for (const t of targets(options.seed)) {
    if (options.only && !t.name.includes(options.only)) continue;
    if (options.exact !== undefined && t.name !== options.exact) continue;
    const rnd = mulberry32(options.seed ^ hash32(t.name));
    const totals: FuzzTotals = { scheme: t.name, requests: 0, crashes: 0, forged: 0, keyChanged: 0, leaks: 0, legitAccepts: 0, resignedAccepts: 0, rejections: {}, worstCpuUs: 0, p99CpuUs: 0, medianCpuUs: 0, worstRequest: '', failures: [] };
    let worst = -1;
    // CPU figures leave out the first requests (the JIT compiles core's paths there), not the verdicts.
    const warmup = Math.min(1000, Math.floor(options.count / 10));
    const cpu = new Float64Array(options.count - warmup);
    const fail = (what: string, i: number, d: Delivery) => {
      if (totals.failures.length < 8) totals.failures.push(`${what} [seed ${options.seed}, ${t.name}, request ${i}] ${short(d)}`);
    };
    let wrong = false;
    let stale = false;
    let base: Delivery = { headers: {}, body: Buffer.alloc(0) };
    let baseVerdict: Verdict = none;
    let originalKey: string | undefined;
    for (let i = 0; i < options.count; i++) {
      // A fresh base delivery every BASE_REUSE requests (signing and verifying it costs as much as a mutation).
      if (i % BASE_REUSE === 0) {
        wrong = rnd() < (options.wrongKeyShare ?? 0.05);
        // Mostly signed now; some at the edges of the tolerance (inside: must verify; outside: must not).
        const offset = rnd() < 0.04 ? pick(rnd, [TOLERANCE_S, -TOLERANCE_S, TOLERANCE_S - 1, 1 - TOLERANCE_S, TOLERANCE_S + 1, -TOLERANCE_S - 1, 86_400, -NOW_S]) : 0;
        stale = Math.abs(offset) > TOLERANCE_S;
        base = t.base(rnd, wrong, now + offset);
        baseVerdict = t.judge(base);
        originalKey = undefined;
        if (!wrong && !stale) {
          try {
            originalKey = (await t.verifier.verify(request(base))).replayKey;
          } catch (e) {
            totals.crashes++;
            fail(`the unmutated delivery was refused: ${isWebhookVerificationError(e) ? e.code : String(e)}`, i, base);
          }
        }
      }
      const kinds: string[] = [];
      const m = mutate(rnd, base, t, kinds);
      const c0 = process.cpuUsage();
      let accepted: Awaited<ReturnType<Verifier['verify']>> | undefined;
      let error: unknown;
      let hung = false;
      try {
        const r = await settleWithin(t.verifier.verify(request(m)), HANG_MS);
        if (r === hang) hung = true;
        else accepted = r;
      } catch (e) {
        error = e;
      }
      const c1 = process.cpuUsage(c0);
      const us = c1.user + c1.system;
      if (i >= warmup) cpu[i - warmup] = us;
      if (i >= warmup && us > worst) {
        worst = us;
        totals.worstRequest = `request ${i}: ${kinds.join(', ')}`;
      }
      if (process.env.HOOKGUARD_FUZZ_PROFILE) for (const k of kinds) profile(t.name, k.replace(/ \(.*/, ''), us);
      totals.requests++;
      if (hung) {
        totals.crashes++;
        fail(`verify did not settle within ${HANG_MS} ms`, i, m);
        continue;
      }
      if (accepted) {
        const v = t.judge(m);
        const same = !wrong && !stale && v.material !== undefined && v.material === baseVerdict.material && v.vouched;
        if (!same && !v.vouched) {
          totals.forged++;
          fail(`forged accept: the true key does not vouch for it${wrong ? ' (base signed with a wrong key)' : ''}`, i, m);
          continue;
        }
        if (v.timestamp !== undefined && Math.abs(now - v.timestamp) > TOLERANCE_S) {
          totals.forged++;
          fail(`accepted a timestamp ${now - v.timestamp} s from now (tolerance ${TOLERANCE_S})`, i, m);
          continue;
        }
        if (same) {
          totals.legitAccepts++;
          if (accepted.replayKey !== originalKey) {
            totals.keyChanged++;
            fail(`same signed material, new replay key ${accepted.replayKey} != ${originalKey}`, i, m);
          }
        } else totals.resignedAccepts++;
        continue;
      }
      if (!isWebhookVerificationError(error) || !KNOWN.has(error.code) || error.status !== WEBHOOK_ERROR_STATUS[error.code]) {
        totals.crashes++;
        fail(`crash: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, i, m);
        continue;
      }
      totals.rejections[error.code] = (totals.rejections[error.code] ?? 0) + 1;
      const shown = `${error.message}\n${error.detail ?? ''}`;
      const expected = [...t.judge(m).expected, ...baseVerdict.expected];
      const leaked = t.secrets.find((s) => shown.includes(s)) ?? expected.find((e) => e.length >= 16 && shown.includes(e));
      if (leaked !== undefined) {
        totals.leaks++;
        fail(`rejection ${error.code} shows a secret or expected signature: ${shown.slice(0, 200)}`, i, m);
      }
    }
    const sorted = Array.from(cpu).sort((a, b) => a - b);
    totals.worstCpuUs = sorted[sorted.length - 1] ?? 0;
    totals.p99CpuUs = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
    totals.medianCpuUs = sorted[Math.floor(sorted.length * 0.5)] ?? 0;
    out.push(totals);
  }
  return out;
}

/** Figures of a run as a Markdown table (the README's and scripts/fuzz.mjs's). */
export function table(totals: readonly FuzzTotals[]): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const rows = [
    '| scheme | requests | crashes | forged accepts | replay key changed | leaks | legit accepts | re-signed accepts | median CPU µs | p99 CPU µs | worst CPU µs |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const t of totals)
    rows.push(`| ${t.scheme} | ${n(t.requests)} | ${t.crashes} | ${t.forged} | ${t.keyChanged} | ${t.leaks} | ${n(t.legitAccepts)} | ${n(t.resignedAccepts)} | ${n(t.medianCpuUs)} | ${n(t.p99CpuUs)} | ${n(t.worstCpuUs)} |`);
  return rows.join('\n');
}
