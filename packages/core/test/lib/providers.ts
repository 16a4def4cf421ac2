// The provider presets as test cases: how to build each, sign a delivery with one or several secrets,
// and which character of which signed header is what (so a mutation test knows the code to expect).
import {
  bitbucket,
  docusign,
  gitlab,
  intercom,
  linear,
  mailgun,
  paddle,
  pagerduty,
  sign,
  square,
  zoom,
  type KeyInput,
  type Scheme,
} from '@hookguard/core';

export const NOW_S = 1_800_000_000;
export const NOW_MS = NOW_S * 1000;
export const SQUARE_URL = 'https://hooks.example.com/square?tenant=acme';

/** What a character of a signed header is: a digest digit, a timestamp digit, a token byte; anything else is syntax. */
export type CharClass = 'hex' | 'base64' | 'digits' | 'token';
export type Span = [start: number, end: number, kind: CharClass];

export interface Delivery {
  headers: Record<string, string>;
  body: Buffer;
}

export interface Preset {
  name: string;
  make(secret?: KeyInput | readonly KeyInput[]): Scheme;
  /** A delivery of `event` signed with each secret (where the format carries several, else the first) at `ts` seconds. */
  deliver(secrets: readonly string[], event: Record<string, unknown>, ts: number): Delivery;
  /** Several signatures in one request (rotation) and at most how many. */
  multi?: number;
  /** The signed headers and their parts; the rest of each value is syntax. */
  spans(headers: Record<string, string>): Record<string, Span[]>;
  /** False when the body is not what is signed (Mailgun signs its timestamp and token only). */
  bodySigned: boolean;
  timestamped: boolean;
  /** The replay identity reads an id (signed, or from the signed body). */
  idField?: string;
}

const json = (o: unknown) => Buffer.from(JSON.stringify(o));
const prefixed = (value: string, prefix: string, kind: CharClass): Span[] => [[prefix.length, value.length, kind]];
/** Each `key=value` entry of a list header: the value of `key` is `kind`. */
function entrySpans(value: string, separator: string, kinds: Record<string, CharClass>): Span[] {
  const out: Span[] = [];
  let at = 0;
  for (const entry of value.split(separator)) {
    const eq = entry.indexOf('=');
    const kind = kinds[entry.slice(0, eq)];
    if (kind) out.push([at + eq + 1, at + entry.length, kind]);
    at += entry.length + separator.length;
  }
  return out;
}

export const PRESETS: Preset[] = [
  {
    name: 'pagerduty',
    make: (secret) => pagerduty(secret === undefined ? {} : { secret }),
    deliver: (secrets, event) => {
      const body = json(event);
      return { headers: sign.pagerduty({ secret: secrets, body, id: 'wh-1' }), body };
    },
    multi: 4,
    spans: (h) => ({ 'x-pagerduty-signature': entrySpans(h['x-pagerduty-signature']!, ',', { v1: 'hex' }) }),
    bodySigned: true,
    timestamped: false,
  },
  {
    name: 'docusign',
    make: (secret) => docusign(secret === undefined ? {} : { secret }),
    deliver: (secrets, event) => {
      const body = json(event);
      return { headers: sign.docusign({ secret: secrets, body }), body };
    },
    multi: 16,
    spans: (h) => Object.fromEntries(Object.keys(h).filter((k) => k.startsWith('x-docusign-signature-')).map((k) => [k, [[0, h[k]!.length - 1, 'base64']] as Span[]])),
    bodySigned: true,
    timestamped: false,
  },
  {
    name: 'paddle',
    make: (secret) => paddle(secret === undefined ? {} : { secret }),
    deliver: (secrets, event, ts) => {
      const body = json(event);
      return { headers: sign.paddle({ secret: secrets, body, timestamp: ts }), body };
    },
    multi: 4,
    spans: (h) => ({ 'paddle-signature': entrySpans(h['paddle-signature']!, ';', { ts: 'digits', h1: 'hex' }) }),
    bodySigned: true,
    timestamped: true,
    idField: 'event_id',
  },
  {
    name: 'square',
    make: (secret) => square({ notificationUrl: SQUARE_URL, ...(secret === undefined ? {} : { secret }) }),
    deliver: (secrets, event) => {
      const body = json(event);
      return { headers: sign.square({ secret: secrets[0]!, notificationUrl: SQUARE_URL, body }), body };
    },
    spans: (h) => ({ 'x-square-hmacsha256-signature': [[0, 43, 'base64']] }),
    bodySigned: true,
    timestamped: false,
    idField: 'event_id',
  },
  {
    name: 'zoom',
    make: (secret) => zoom(secret === undefined ? {} : { secret }),
    deliver: (secrets, event, ts) => {
      const body = json(event);
      return { headers: sign.zoom({ secret: secrets[0]!, body, timestamp: ts }), body };
    },
    spans: (h) => ({ 'x-zm-signature': prefixed(h['x-zm-signature']!, 'v0=', 'hex'), 'x-zm-request-timestamp': [[0, h['x-zm-request-timestamp']!.length, 'digits']] }),
    bodySigned: true,
    timestamped: true,
  },
  {
    name: 'linear',
    make: (secret) => linear(secret === undefined ? {} : { secret }),
    deliver: (secrets, event, ts) => {
      const body = json({ ...event, webhookTimestamp: ts * 1000 + 123 });
      return { headers: sign.linear({ secret: secrets[0]!, body, id: 'dl-1' }), body };
    },
    spans: (h) => ({ 'linear-signature': [[0, 64, 'hex']] }),
    bodySigned: true,
    timestamped: true,
  },
  {
    name: 'mailgun',
    make: (secret) => mailgun(secret === undefined ? {} : { secret }),
    deliver: (secrets, event, ts) => {
      const signature = sign.mailgun({ secret: secrets[0]!, timestamp: ts, token: `tok${String(event.id ?? 'x')}`.replace(/[^\x21-\x7e]/g, '_').padEnd(50, '0').slice(0, 50) });
      return { headers: { 'content-type': 'application/json' }, body: json({ signature, 'event-data': event }) };
    },
    spans: () => ({}),
    bodySigned: false,
    timestamped: true,
    idField: 'token',
  },
  {
    name: 'gitlab',
    make: (secret) => gitlab(secret === undefined ? {} : { secret }),
    deliver: (secrets, event) => ({ headers: sign.gitlab({ token: secrets[0]!, id: `idem-${String(event.id ?? 'x')}` }), body: json(event) }),
    spans: (h) => ({ 'x-gitlab-token': [[0, h['x-gitlab-token']!.length, 'token']] }),
    bodySigned: false,
    timestamped: false,
  },
  {
    name: 'intercom',
    make: (secret) => intercom(secret === undefined ? {} : { secret }),
    deliver: (secrets, event) => {
      const body = json(event);
      return { headers: sign.intercom({ secret: secrets[0]!, body }), body };
    },
    spans: (h) => ({ 'x-hub-signature': prefixed(h['x-hub-signature']!, 'sha1=', 'hex') }),
    bodySigned: true,
    timestamped: false,
    idField: 'id',
  },
  {
    name: 'bitbucket',
    make: (secret) => bitbucket(secret === undefined ? {} : { secret }),
    deliver: (secrets, event) => {
      const body = json(event);
      return { headers: sign.bitbucket({ secret: secrets[0]!, body, id: 'rq-1' }), body };
    },
    spans: (h) => ({ 'x-hub-signature': prefixed(h['x-hub-signature']!, 'sha256=', 'hex') }),
    bodySigned: true,
    timestamped: false,
  },
];

const HEX = '0123456789abcdef';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The value with character `at` changed so that it stays of its class (a hex digit another hex digit, the
 * last base64 digit before `=` one with the same padding bits), or, for syntax, a letter it is not.
 */
export function mutateChar(value: string, at: number, kind: CharClass | undefined, first = false): string {
  const c = value[at]!;
  let r: string;
  if (kind === 'hex') r = HEX[(HEX.indexOf(c) + 1) % 16]!;
  else if (kind === 'base64') r = B64[(B64.indexOf(c) + 4) % 64]!;
  else if (kind === 'digits') r = String(((Number(c) + 1) % 10 || (first ? 1 : 0)) as number);
  else if (kind === 'token') r = c === 'A' ? 'B' : 'A';
  else r = c === 'Q' ? 'Z' : 'Q';
  return value.slice(0, at) + r + value.slice(at + 1);
}

/** The class of character `at` of a header, from its spans. */
export function classAt(spans: readonly Span[] | undefined, at: number): CharClass | undefined {
  for (const [s, e, k] of spans ?? []) if (at >= s && at < e) return k;
  return undefined;
}
