// The schemes the CLI signs, sends and explains: core's schemes and signers, plus how each reads
// its signature header (for explain's offline variant search).
import { github, shopify, sign, slack, standardWebhooks, stripe, type Scheme } from '@hookguard/core';
import { usageError } from './exit-codes.js';
import type { HeaderMap } from './header-map.js';

export type SchemeId = 'standard-webhooks' | 'stripe' | 'github' | 'slack' | 'shopify';

export interface SignInput {
  secret: string;
  body: Buffer;
  id?: string;
  /** Seconds since the epoch (passed through as given, so a millisecond value can be staged). */
  timestamp?: number;
}

/** What a signature header says: the bytes signed before the body, and the candidate MACs. */
export interface SignatureParts {
  prefix: string;
  algorithm: 'sha256' | 'sha1';
  macs: Buffer[];
  timestamp: string | undefined;
}

export interface SchemeKit {
  id: SchemeId;
  /** core's scheme name (error.scheme, verdict.scheme). */
  coreName: string;
  label: string;
  scheme(secret: string): Scheme;
  sign(input: SignInput): Record<string, string>;
  /** Any of these present: the delivery is signed in this scheme. */
  signatureHeaders: readonly string[];
  timestamped: boolean;
  takesId: boolean;
  /** The HMAC key core derives from a secret string (undefined: core refuses the secret). */
  keyBytes(secret: string): Buffer | undefined;
  parts(headers: HeaderMap): SignatureParts | undefined;
}

function b64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  return Buffer.from(text, 'base64');
}
function hex(text: string): Buffer | undefined {
  return /^([0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : undefined;
}
const utf8 = (s: string) => Buffer.from(s, 'utf8');

const standard: SchemeKit = {
  id: 'standard-webhooks',
  coreName: 'standardWebhooks',
  label: 'Standard Webhooks',
  scheme: (secret) => standardWebhooks({ secret }),
  sign: (i) => sign.standardWebhooks({ secret: i.secret, body: i.body, ...(i.id !== undefined ? { id: i.id } : {}), ...(i.timestamp !== undefined ? { timestamp: i.timestamp } : {}) }),
  signatureHeaders: ['webhook-signature', 'svix-signature'],
  timestamped: true,
  takesId: true,
  keyBytes: (secret) => b64(secret.startsWith('whsec_') ? secret.slice(6) : secret),
  parts(h) {
    const p = h.get('webhook-signature') !== undefined ? 'webhook' : 'svix';
    const sig = h.get(`${p}-signature`);
    const id = h.get(`${p}-id`);
    const ts = h.get(`${p}-timestamp`);
    if (sig === undefined || id === undefined || ts === undefined) return undefined;
    const macs = sig.split(' ').filter((e) => e.startsWith('v1,')).map((e) => b64(e.slice(3))).filter((b): b is Buffer => b !== undefined);
    return { prefix: `${id}.${ts}.`, algorithm: 'sha256', macs, timestamp: ts };
  },
};

const stripeKit: SchemeKit = {
  id: 'stripe',
  coreName: 'stripe',
  label: 'Stripe',
  scheme: (secret) => stripe({ secret }),
  sign: (i) => sign.stripe({ secret: i.secret, body: i.body, ...(i.timestamp !== undefined ? { timestamp: i.timestamp } : {}) }),
  signatureHeaders: ['stripe-signature'],
  timestamped: true,
  takesId: false,
  keyBytes: utf8,
  parts(h) {
    const header = h.get('stripe-signature');
    if (header === undefined) return undefined;
    let t: string | undefined;
    const macs: Buffer[] = [];
    for (const entry of header.split(',').slice(0, 16)) {
      const [k, v] = entry.split('=', 2).map((x) => x.trim());
      if (k === 't') t ??= v;
      else if (k === 'v1' && v) {
        const b = hex(v);
        if (b) macs.push(b);
      }
    }
    return t === undefined ? undefined : { prefix: `${t}.`, algorithm: 'sha256', macs, timestamp: t };
  },
};

const slackKit: SchemeKit = {
  id: 'slack',
  coreName: 'slack',
  label: 'Slack',
  scheme: (secret) => slack({ secret }),
  sign: (i) => sign.slack({ secret: i.secret, body: i.body, ...(i.timestamp !== undefined ? { timestamp: i.timestamp } : {}) }),
  signatureHeaders: ['x-slack-signature'],
  timestamped: true,
  takesId: false,
  keyBytes: utf8,
  parts(h) {
    const sig = h.get('x-slack-signature');
    const ts = h.get('x-slack-request-timestamp');
    if (sig === undefined || ts === undefined) return undefined;
    const mac = sig.startsWith('v0=') ? hex(sig.slice(3)) : undefined;
    return { prefix: `v0:${ts}:`, algorithm: 'sha256', macs: mac ? [mac] : [], timestamp: ts };
  },
};

const githubKit: SchemeKit = {
  id: 'github',
  coreName: 'github',
  label: 'GitHub',
  scheme: (secret) => github({ secret }),
  sign: (i) => sign.github({ secret: i.secret, body: i.body, ...(i.id !== undefined ? { id: i.id } : {}) }),
  signatureHeaders: ['x-hub-signature-256', 'x-hub-signature'],
  timestamped: false,
  takesId: true,
  keyBytes: utf8,
  parts(h) {
    const s256 = h.get('x-hub-signature-256');
    const s1 = h.get('x-hub-signature');
    if (s256 !== undefined) {
      const mac = s256.startsWith('sha256=') ? hex(s256.slice(7)) : undefined;
      return { prefix: '', algorithm: 'sha256', macs: mac ? [mac] : [], timestamp: undefined };
    }
    if (s1 !== undefined) {
      const mac = s1.startsWith('sha1=') ? hex(s1.slice(5)) : undefined;
      return { prefix: '', algorithm: 'sha1', macs: mac ? [mac] : [], timestamp: undefined };
    }
    return undefined;
  },
};

const shopifyKit: SchemeKit = {
  id: 'shopify',
  coreName: 'shopify',
  label: 'Shopify',
  scheme: (secret) => shopify({ secret }),
  sign: (i) => sign.shopify({ secret: i.secret, body: i.body, ...(i.id !== undefined ? { id: i.id } : {}) }),
  signatureHeaders: ['x-shopify-hmac-sha256', 'shopify-hmac-sha256'],
  timestamped: false,
  takesId: true,
  keyBytes: utf8,
  parts(h) {
    const v = h.get('x-shopify-hmac-sha256') ?? h.get('shopify-hmac-sha256');
    if (v === undefined) return undefined;
    const mac = b64(v.trim());
    return { prefix: '', algorithm: 'sha256', macs: mac ? [mac] : [], timestamp: undefined };
  },
};

export const SCHEME_KITS: readonly SchemeKit[] = [standard, stripeKit, githubKit, slackKit, shopifyKit];

const ALIASES: Record<string, SchemeId> = {
  'standard-webhooks': 'standard-webhooks',
  standardwebhooks: 'standard-webhooks',
  svix: 'standard-webhooks',
  stripe: 'stripe',
  github: 'github',
  slack: 'slack',
  shopify: 'shopify',
};

export function schemeKit(name: string | undefined): SchemeKit {
  const id = name === undefined ? undefined : ALIASES[name.toLowerCase()];
  const kit = SCHEME_KITS.find((k) => k.id === id);
  if (!kit) throw usageError(`--scheme must be one of ${SCHEME_KITS.map((k) => k.id).join(', ')}${name === undefined ? '' : ` (got ${name})`}`);
  return kit;
}
