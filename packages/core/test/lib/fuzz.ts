// The fuzz engine: seeded, reproducible mutations of correctly signed deliveries, run against the
// real verifier of every scheme. Counts crashes (anything but a WebhookVerificationError, or a code
// outside the table), forged accepts (an accept whose signed material changed), replay-key changes
// (an accept whose signed material did not change but whose replay key did), and the CPU per request.
import { generateKeyPairSync } from 'node:crypto';
import {
  any,
  apiKey,
  createVerifier,
  github,
  hmac,
  isWebhookVerificationError,
  shopify,
  sign,
  slack,
  standardWebhooks,
  stripe,
  WEBHOOK_ERROR_CODES,
  type ReplayStore,
  type Verifier,
  type WebhookRequest,
} from '@hookguard/core';

export interface FuzzTotals {
  scheme: string;
  requests: number;
  crashes: number;
  forged: number;
  keyChanged: number;
  legitAccepts: number;
  rejections: Record<string, number>;
  worstCpuUs: number;
  p99CpuUs: number;
  failures: string[];
}

type Headers = Record<string, string | string[]>;
interface Base {
  headers: Record<string, string>;
  body: Buffer;
}
interface Target {
  name: string;
  verifier: Verifier;
  base(rnd: Rng): Base;
  /** The signed material of a request as the sender meant it: equal means "same message". */
  signed(headers: Headers, body: Buffer): string | undefined;
  /** Replay keyed by an unsigned header (apiKey's idHeader): a changed id is a new key by design. */
  unsignedId?: boolean;
}

export type Rng = () => number;
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (rnd: Rng, n: number) => Math.floor(rnd() * n);
const pick = <T>(rnd: Rng, xs: readonly T[]): T => xs[int(rnd, xs.length)]!;

/** Always "reserved": every accepted copy shows its replay key without being refused as a duplicate. */
const OPEN_STORE: ReplayStore = {
  reserve: () => Promise.resolve({ state: 'reserved', token: 't' }),
  commit: () => Promise.resolve(),
  release: () => Promise.resolve(),
};

/** A header as core reads it: the lower-case name (what Node and Fetch give) first, else any spelling. */
function one(headers: Headers, name: string): string | undefined {
  const read = (v: string | string[]) => (Array.isArray(v) ? (v.length === 1 ? v[0] : `\u0000dup`) : v);
  if (Object.hasOwn(headers, name)) return read(headers[name]!);
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return read(v);
  return undefined;
}
// Stripe's header syntax allows whitespace around keys and values (its own library's parseInt does too).
const firstEntry = (value: string | undefined, key: string) =>
  value
    ?.split(',')
    .map((s) => [s.slice(0, s.indexOf('=')).trim(), s.slice(s.indexOf('=') + 1).trim()] as const)
    .find(([k]) => k === key)?.[1];

const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const PLAIN = 'fuzz-plain-secret-0123456789';
const STRIPE_SECRET = 'whsec_fuzz_stripe_0123456789';

function bodyOf(rnd: Rng): Buffer {
  const n = int(rnd, 3);
  return Buffer.from(JSON.stringify({ id: `evt_${int(rnd, 1e9)}`, type: 'invoice.paid', note: n === 0 ? 'a.b,c;d=e "f"' : n === 1 ? 'ü€😀' : 'x'.repeat(int(rnd, 400)) }));
}

function targets(): Target[] {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as { d: string; x: string };
  const x = Buffer.from(jwk.x, 'base64url');
  const whsk = `whsk_${Buffer.concat([Buffer.from(jwk.d, 'base64url'), x]).toString('base64')}`;
  const whpk = `whpk_${x.toString('base64')}`;
  const now = Math.floor(Date.now() / 1000);
  const common = { replay: { store: OPEN_STORE }, toleranceSec: 600 } as const;
  const swSigned = (h: Headers, b: Buffer) => `${one(h, 'webhook-id') ?? one(h, 'svix-id')}|${one(h, 'webhook-timestamp') ?? one(h, 'svix-timestamp')}|${b.toString('latin1')}`;
  const HM = { header: 'x-sig', idHeader: 'x-id', timestampHeader: 'x-ts', template: '{id}.{timestamp}.{body}' } as const;
  return [
    { name: 'standardWebhooks v1', verifier: createVerifier({ scheme: standardWebhooks({ secret: SW_SECRET }), ...common }), base: (r) => { const body = bodyOf(r); return { body, headers: sign.standardWebhooks({ secret: SW_SECRET, body, id: `msg_${int(r, 1e9)}`, timestamp: now }) }; }, signed: swSigned },
    { name: 'standardWebhooks v1a', verifier: createVerifier({ scheme: standardWebhooks({ secret: whpk }), ...common }), base: (r) => { const body = bodyOf(r); return { body, headers: sign.standardWebhooks({ secret: whsk, body, id: `msg_${int(r, 1e9)}`, timestamp: now }) }; }, signed: swSigned },
    { name: 'stripe', verifier: createVerifier({ scheme: stripe({ secret: STRIPE_SECRET }), ...common }), base: (r) => { const body = bodyOf(r); return { body, headers: sign.stripe({ secret: STRIPE_SECRET, body, timestamp: now }) }; }, signed: (h, b) => `${firstEntry(one(h, 'stripe-signature'), 't')}|${b.toString('latin1')}` },
    { name: 'github', verifier: createVerifier({ scheme: github({ secret: PLAIN }), ...common }), base: (r) => { const body = bodyOf(r); return { body, headers: sign.github({ secret: PLAIN, body }) }; }, signed: (_h, b) => b.toString('latin1') },
    { name: 'slack', verifier: createVerifier({ scheme: slack({ secret: PLAIN }), ...common }), base: (r) => { const body = bodyOf(r); return { body, headers: sign.slack({ secret: PLAIN, body, timestamp: now }) }; }, signed: (h, b) => `${one(h, 'x-slack-request-timestamp')}|${b.toString('latin1')}` },
    { name: 'shopify', verifier: createVerifier({ scheme: shopify({ secret: PLAIN }), ...common }), base: (r) => { const body = bodyOf(r); return { body, headers: sign.shopify({ secret: PLAIN, body }) }; }, signed: (_h, b) => b.toString('latin1') },
    { name: 'hmac {id}.{timestamp}.{body}', verifier: createVerifier({ scheme: hmac({ ...HM, secret: PLAIN }), ...common }), base: (r) => { const body = bodyOf(r); return { body, headers: sign.hmac({ scheme: HM, secret: PLAIN, body, id: `d${int(r, 1e9)}`, timestamp: now }) }; }, signed: (h, b) => `${one(h, 'x-id')}|${one(h, 'x-ts')}|${b.toString('latin1')}` },
    { name: 'apiKey', verifier: createVerifier({ scheme: apiKey({ keys: [PLAIN], idHeader: 'x-delivery' }), ...common }), base: (r) => ({ body: bodyOf(r), headers: { authorization: `Bearer ${PLAIN}`, 'x-delivery': `d${int(r, 1e9)}` } }), signed: (h) => /^Bearer +(\S+) *$/i.exec(one(h, 'authorization') ?? '')?.[1], unsignedId: true },
    { name: 'any(github, shopify)', verifier: createVerifier({ scheme: any(github({ secret: PLAIN }), shopify({ secret: PLAIN })), ...common }), base: (r) => { const body = bodyOf(r); return { body, headers: r() < 0.5 ? sign.github({ secret: PLAIN, body }) : sign.shopify({ secret: PLAIN, body }) }; }, signed: (_h, b) => b.toString('latin1') },
  ];
}

const NOISE = ['.', ',', ';', '=', ' ', '"', '\\', '\t', 'v1,', 'v1a,', 't=', 'v1=', 'sha256=', 'v0=', '%', '\u00ff', '\u00e9', '0', '-', '\u0000', 'Bearer '];
const FOREIGN: Array<[string, string]> = [
  ['x-hub-signature-256', 'sha256=' + '0'.repeat(64)],
  ['x-shopify-hmac-sha256', 'A'.repeat(43) + '='],
  ['webhook-signature', 'v1,' + 'A'.repeat(43) + '='],
  ['stripe-signature', 't=1,v1=' + '0'.repeat(64)],
  ['svix-signature', 'v1,' + 'B'.repeat(43) + '='],
  ['x-slack-signature', 'v0=' + 'f'.repeat(64)],
];

function mutate(rnd: Rng, base: Base): { headers: Headers; body: Buffer } {
  const headers: Headers = { ...base.headers };
  let body = Buffer.from(base.body);
  const names = () => Object.keys(headers);
  const rounds = 1 + int(rnd, 3);
  for (let i = 0; i < rounds; i++) {
    if (names().length === 0) headers['content-type'] = 'application/json';
    const name = pick(rnd, names());
    const value = headers[name];
    const text = Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
    switch (int(rnd, 13)) {
      case 0: // flip a bit of the body
        if (body.length) {
          const at = int(rnd, body.length);
          body[at] = body[at]! ^ (1 << int(rnd, 8));
        }
        break;
      case 1: // truncate or extend the body
        body = rnd() < 0.5 ? body.subarray(0, int(rnd, body.length + 1)) : Buffer.concat([body, Buffer.from(pick(rnd, NOISE))]);
        break;
      case 2: { // insert punctuation into a header value
        const at = int(rnd, text.length + 1);
        headers[name] = text.slice(0, at) + pick(rnd, NOISE) + text.slice(at);
        break;
      }
      case 3: { // delete a run of characters
        const at = int(rnd, text.length + 1);
        headers[name] = text.slice(0, at) + text.slice(at + 1 + int(rnd, 8));
        break;
      }
      case 4: // the header twice, as Node gives a repeated header
        headers[name] = rnd() < 0.5 ? [text, text] : [text, text + pick(rnd, NOISE)];
        break;
      case 5: // another spelling of the name
        delete headers[name];
        headers[rnd() < 0.5 ? name.toUpperCase() : name.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase())] = value!;
        break;
      case 6: // remove it
        delete headers[name];
        break;
      case 7: { // a header of another scheme
        const [n, v] = pick(rnd, FOREIGN);
        headers[n] = v;
        break;
      }
      case 8: // huge value
        headers[name] = text + 'A'.repeat(1000 + int(rnd, 20_000));
        break;
      case 9: // numeric edges where timestamps live
        headers[name] = pick(rnd, ['0', '-1', '1e20', '1.5', ` ${text}`, `${text} `, '99999999999999999999', '١٢٣', text + '000']);
        break;
      case 10: { // swap two values
        const other = pick(rnd, names());
        const t = headers[other];
        headers[other] = headers[name]!;
        headers[name] = t!;
        break;
      }
      case 11: // move bytes between a header and the body (re-split attempts)
        if (text.length > 1) {
          const cut = 1 + int(rnd, text.length - 1);
          headers[name] = text.slice(0, cut);
          body = Buffer.concat([Buffer.from(text.slice(cut), 'latin1'), body]);
        } else headers[name] = text + body.subarray(0, 4).toString('latin1');
        break;
      default: // random latin1 garbage
        headers[name] = Array.from({ length: int(rnd, 80) }, () => String.fromCharCode(int(rnd, 256))).join('');
    }
  }
  return { headers, body };
}

const request = (headers: Headers, body: Buffer): WebhookRequest => ({ method: 'POST', url: '/webhooks', headers, body, remoteAddress: '127.0.0.1' });
const KNOWN = new Set<string>(WEBHOOK_ERROR_CODES);

export async function fuzz(options: { seed: number; count: number; only?: string }): Promise<FuzzTotals[]> {
  const out: FuzzTotals[] = [];
  for (const t of targets()) {
    if (options.only && !t.name.includes(options.only)) continue;
    const rnd = mulberry32(options.seed ^ hash(t.name));
    const totals: FuzzTotals = { scheme: t.name, requests: 0, crashes: 0, forged: 0, keyChanged: 0, legitAccepts: 0, rejections: {}, worstCpuUs: 0, p99CpuUs: 0, failures: [] };
    const cpu: number[] = [];
    const fail = (what: string, i: number) => {
      if (totals.failures.length < 5) totals.failures.push(`${what} (seed ${options.seed}, ${t.name}, request ${i})`);
    };
    for (let i = 0; i < options.count; i++) {
      const base = t.base(rnd);
      const original = await t.verifier.verify(request(base.headers, base.body));
      const m = mutate(rnd, base);
      const c0 = process.cpuUsage();
      let accepted: Awaited<ReturnType<Verifier['verify']>> | undefined;
      let error: unknown;
      try {
        accepted = await t.verifier.verify(request(m.headers, m.body));
      } catch (e) {
        error = e;
      }
      const c1 = process.cpuUsage(c0);
      cpu.push(c1.user + c1.system);
      totals.requests++;
      if (accepted) {
        const same = t.signed(m.headers, m.body) === t.signed(base.headers, base.body);
        if (!same) {
          totals.forged++;
          fail(`accepted with changed signed material: ${JSON.stringify(m.headers).slice(0, 400)}`, i);
        } else {
          totals.legitAccepts++;
          if (!t.unsignedId && accepted.replayKey !== original.replayKey) {
            totals.keyChanged++;
            fail(`same message, new replay key ${accepted.replayKey} != ${original.replayKey}`, i);
          }
        }
      } else if (!isWebhookVerificationError(error) || !KNOWN.has(error.code)) {
        totals.crashes++;
        fail(`crash: ${String(error)}`, i);
      } else totals.rejections[error.code] = (totals.rejections[error.code] ?? 0) + 1;
    }
    cpu.sort((a, b) => a - b);
    totals.worstCpuUs = cpu[cpu.length - 1] ?? 0;
    totals.p99CpuUs = cpu[Math.floor(cpu.length * 0.99)] ?? 0;
    out.push(totals);
  }
  return out;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
