import { EXIT } from '../lib/exit-codes.js';
import type { CommandOutput } from '../lib/command-output.js';
import type { HeaderMap } from '../lib/header-map.js';
import { SCHEME_KITS, schemeKit, type SchemeId, type SchemeKit } from '../lib/schemes.js';
import { verifyOffline } from '../lib/verify-offline.js';
import { bodyVariants, looksParsed } from '../lib/body-variants.js';
import { secretVariants } from '../lib/secret-variants.js';
import { macMatches } from '../lib/hmac-oracle.js';
import { environmentHint, secretKindHint } from '../lib/secret-hints.js';
import type { KeyringEntry } from '../lib/keyring.js';
import { duration } from '../lib/duration.js';
import { mark } from '../lib/style.js';

export interface ExplainOptions {
  scheme: string;
  /** The secret the receiver is configured with. */
  secret: string;
  /** The secret came from a file whose trailing newline was removed. */
  secretStrippedNewline?: boolean;
  headers: HeaderMap;
  /** The bytes the receiver got. */
  body: Buffer;
  /** Bytes the sender likely signed when the capture says so (a file before `curl -d @file`). */
  intendedBody?: { bytes: Buffer; why: string } | undefined;
  /** Named secrets of other tenants or environments, tried when the given secret does not match. */
  keyring?: readonly KeyringEntry[];
  /** When the delivery was received, ms (default now): freshness is judged at this time. */
  at?: number;
  toleranceSec?: number;
  notes?: readonly string[];
}

export interface Finding {
  cause: string;
  why: string;
  fix: string;
}

export interface ExplainJson {
  scheme: SchemeId;
  verified: boolean;
  /** core's verdict with the given secret: null when it verifies. */
  code: string | null;
  detail: string | null;
  /** The most likely cause, when it does not verify. */
  cause: string | null;
  why: string | null;
  fix: string | null;
  evidence: string | null;
  /** Signed timestamp minus the check time, seconds (schemes with a timestamp). */
  skewSeconds: number | null;
  /** How many (body, secret) readings were tried: a fixed, small bound. */
  tried: number;
  also: Finding[];
  notes: string[];
  at: string;
}

// Hashing budget for the variant search: bounded work whatever the body size or keyring.
const HASH_BUDGET_BYTES = 256 * 1024 * 1024;

const FIX: Record<string, string> = {
  'body-trailing-newline': 'verify the exact bytes received; do not save, echo or log-and-replay the body through a tool that adds or strips newlines',
  'body-line-endings': 'verify the exact bytes received; copy captures in binary mode',
  'body-bom': 'verify the exact bytes received; save captures without a byte-order mark',
  'body-reserialised': 'verify the raw body: mount the webhook route before body parsers (express.json()), or use express.json({ verify: keepRawBody }); never JSON.stringify(req.body)',
  'body-key-order': 'verify the raw body, never a re-serialised object',
  'body-charset': 'verify the raw bytes before any charset decoding; a proxy must not transcode the body',
  'body-parsed': 'the body reached the verifier as a parsed object: mount the webhook route before express.json() or use keepRawBody (NestJS: rawBody: true)',
  'curl-data-strips-newlines': 'send the file with curl --data-binary @file',
  'secret-whitespace': 'trim the secret where it is stored or read (a file ending in a newline, an env var with a space)',
  'secret-encoding': 'configure the secret exactly as the sender issued it: Standard Webhooks whsec_ + base64, Stripe/GitHub/Slack/Shopify the whole string as text',
  'secret-prefix-missing': 'store the whole secret, whsec_ prefix included',
  'secret-prefix-extra': 'store the secret the way the sender uses it, without the prefix',
  'secret-of-another-tenant': "use this endpoint's own tenant secret; if the provider delivers another account's events here, the endpoint URL is registered under the wrong account (confused deputy)",
  'secret-of-another-kind': 'use the webhook signing secret of this endpoint',
  'secret-mismatch': "use the signing secret of this endpoint, tenant and environment (test/live, staging/production); give a keyring with --keyring to test other tenants' secrets",
  'other-scheme': 'configure the route with the scheme the sender uses',
  'other-scheme-header': 'configure the route with the scheme the sender uses, or configure the sender for this one',
  'legacy-sha1-header': 'have GitHub send X-Hub-Signature-256 (it always does today), or set github({ allowSha1: true })',
  'no-signature-headers': 'capture the request as it reaches the app: a proxy or the capture dropped the signature headers',
  'timestamp-milliseconds': 'the sender must sign seconds since the epoch: Math.floor(Date.now() / 1000)',
  'clock-skew': "sync the sender's and receiver's clocks (NTP); explain an old capture with --at <time it was received>",
  'timestamp-format': 'timestamps are integer seconds since the epoch',
  'signature-malformed': "the sender's signature header is not in the scheme's format",
  'secret-rejected': 'fix the secret so core accepts it (see the message)',
};

function finding(cause: string, why: string): Finding {
  return { cause, why, fix: FIX[cause] ?? '' };
}

function timestampFinding(ts: string | undefined, at: number, toleranceSec: number): (Finding & { skew: number }) | undefined {
  if (ts === undefined || !/^\d{1,15}$/.test(ts)) return undefined;
  const n = Number(ts);
  if (n >= 1e11) {
    const when = new Date(n);
    return {
      ...finding('timestamp-milliseconds', `the timestamp ${ts} is in milliseconds${Number.isFinite(when.getTime()) ? ` (${when.toISOString()})` : ''}; the scheme signs seconds, so it reads as ${Math.round((n - at / 1000) / (365.25 * 86400))} years ahead`),
      skew: n - Math.floor(at / 1000),
    };
  }
  const skew = n - Math.floor(at / 1000);
  if (Math.abs(skew) <= toleranceSec) return undefined;
  const d = duration(skew);
  const why =
    skew > 0
      ? `the delivery was signed ${d} in the future (tolerance ${toleranceSec} s): the sender's clock is ahead, or the receiver's behind, by about ${d}`
      : Math.abs(skew) > 3600
        ? `the delivery was signed ${d} before the check time (tolerance ${toleranceSec} s): an old capture or retry (pass --at with the time it was received), unless a clock is that far off`
        : `the delivery was signed ${d} before the check time (tolerance ${toleranceSec} s): the sender's clock is behind, or the receiver's ahead, by about ${d}`;
  return { ...finding('clock-skew', why), skew };
}

interface Search {
  tried: number;
  hashed: number;
  exhausted: boolean;
}

/** Names the most likely cause of a failed verification of a captured delivery, offline. */
export async function explain(o: ExplainOptions): Promise<CommandOutput<ExplainJson>> {
  const kit = schemeKit(o.scheme);
  const at = o.at ?? Date.now();
  const tolerance = o.toleranceSec ?? 300;
  const notes = [...(o.notes ?? [])];
  if (o.secretStrippedNewline) notes.push('the secret file ends with a newline, removed here; a receiver that reads the file without trimming refuses the secret ("leading or trailing whitespace")');
  const verdict = await verifyOffline(kit, o.secret, o.headers, o.body, at, tolerance);
  const parts = kit.parts(o.headers);
  const also: Finding[] = [];
  let main: Finding | undefined;
  let evidence: string | undefined;
  let skew: number | null = null;
  const search: Search = { tried: 0, hashed: 0, exhausted: false };
  const contentType = o.headers.get('content-type');

  const tryMac = (key: Buffer | undefined, body: Buffer): boolean => {
    if (!parts || !key) return false;
    if (search.hashed + body.length > HASH_BUDGET_BYTES) {
      search.exhausted = true;
      return false;
    }
    search.tried++;
    search.hashed += body.length;
    return macMatches(parts, key, body);
  };

  if (parts?.timestamp !== undefined) {
    const n = Number(parts.timestamp);
    if (Number.isFinite(n)) skew = n - Math.floor(at / 1000);
  }

  const code = verdict.kind === 'rejected' ? verdict.code : verdict.kind === 'config' ? 'CONFIG' : null;
  if (verdict.kind === 'rejected' && verdict.code === 'TIMESTAMP_OUT_OF_TOLERANCE') {
    const t = timestampFinding(parts?.timestamp, at, tolerance);
    main = t ?? finding('clock-skew', 'the signed timestamp is outside the tolerance');
    evidence = 'the signature is valid: only the timestamp is refused';
  } else if (verdict.kind === 'rejected' && verdict.code === 'MISSING_SIGNATURE') {
    const others = SCHEME_KITS.filter((k) => k.id !== kit.id && k.signatureHeaders.some((h) => o.headers.has(h)));
    if (kit.id === 'github' && o.headers.has('x-hub-signature')) {
      main = finding('legacy-sha1-header', 'the delivery carries only the legacy SHA-1 X-Hub-Signature header; github() reads X-Hub-Signature-256');
      if (tryMac(kit.keyBytes(o.secret), o.body)) evidence = 'the SHA-1 signature matches this secret and body';
    } else if (others.length > 0) {
      for (const other of others) {
        const v = await verifyOffline(other, o.secret, o.headers, o.body, at, tolerance);
        search.tried++;
        if (v.kind === 'verified' || (v.kind === 'rejected' && v.code === 'TIMESTAMP_OUT_OF_TOLERANCE')) {
          main = finding('other-scheme', `the delivery is a ${other.label} delivery and verifies as ${other.coreName}() with this secret; the route expects ${kit.label} (${kit.signatureHeaders[0]})`);
          evidence = `${other.signatureHeaders.find((h) => o.headers.has(h))} verifies with the given secret`;
          break;
        }
      }
      main ??= finding(
        'other-scheme-header',
        `the delivery carries ${others.map((x) => `${x.label}'s ${x.signatureHeaders.find((h) => o.headers.has(h))}`).join(' and ')}, not ${kit.label}'s ${kit.signatureHeaders[0]}: the sender and the route use different schemes`,
      );
    } else {
      main = finding('no-signature-headers', `no signature header of any known scheme; headers present: ${o.headers.names().slice(0, 30).join(', ') || 'none'}`);
    }
  } else if (verdict.kind === 'rejected' && verdict.code === 'MALFORMED_SIGNATURE') {
    const ts = parts?.timestamp;
    if (ts !== undefined && !/^\d{1,15}$/.test(ts)) main = finding('timestamp-format', `the timestamp ${JSON.stringify(ts.slice(0, 40))} is not integer seconds${/^\d+\.\d+$/.test(ts) ? ' (a fractional value: seconds with milliseconds)' : ''}`);
    else main = finding('signature-malformed', verdict.detail ?? 'the signature header is malformed');
  } else if (verdict.kind === 'config' || (verdict.kind === 'rejected' && verdict.code === 'SIGNATURE_MISMATCH')) {
    const baseKey = kit.keyBytes(o.secret);
    if (verdict.kind === 'config') also.push(finding('secret-rejected', `core refuses this secret: ${verdict.message}`));
    if (!parts || parts.macs.length === 0) {
      notes.push(kit.id === 'standard-webhooks' ? 'no v1 (HMAC) signature in the header: the variant search covers HMAC signatures only (v1a Ed25519 deliveries are verified, not searched)' : 'no signature value could be read from the header');
    }
    const bodies = bodyVariants(o.body, contentType);
    const secrets = secretVariants(kit, o.secret);
    if (looksParsed(o.body)) {
      main = finding('body-parsed', `the body is ${JSON.stringify(o.body.toString('utf8').trim().slice(0, 20))}: an object was turned back into text after a body parser consumed the request, so the signed bytes are gone`);
    }
    if (!main && o.intendedBody && tryMac(baseKey, o.intendedBody.bytes)) {
      main = finding('curl-data-strips-newlines', o.intendedBody.why);
      evidence = "the signature matches the file's bytes, not the bytes curl sends";
    }
    if (!main)
      for (const b of bodies)
        if (tryMac(baseKey, b.bytes)) {
          main = finding(b.cause, b.why);
          evidence = 'the signature matches that reading of the body with the given secret';
          break;
        }
    if (!main)
      for (const s of secrets)
        if (tryMac(s.key, o.body)) {
          main = finding(s.cause, s.why);
          evidence = 'the signature matches the body with that reading of the secret';
          break;
        }
    if (!main && o.keyring) {
      outer: for (const entry of o.keyring)
        for (const secret of entry.secrets) {
          if (secret === o.secret) continue;
          if (tryMac(kit.keyBytes(secret), o.body)) {
            main = finding('secret-of-another-tenant', `the delivery is signed with the secret of "${entry.name}" from the keyring, not the given one: it was meant for ${entry.name} (another tenant or environment), or the endpoint is registered under ${entry.name}'s account`);
            evidence = `a signature matches keyring entry "${entry.name}"`;
            break outer;
          }
        }
    }
    if (!main)
      outer: for (const s of secrets)
        for (const b of bodies)
          if (tryMac(s.key, b.bytes)) {
            main = finding(s.cause, s.why);
            also.push(finding(b.cause, b.why));
            evidence = 'the signature matches with that reading of the secret and of the body together';
            break outer;
          }
    if (!main && verdict.kind === 'config' && /whitespace/.test(verdict.message) && o.secret.trim() !== o.secret) {
      main = finding('secret-whitespace', 'the secret has leading or trailing whitespace, which core refuses (a newline from a file or an environment variable)');
    }
    if (main && main.cause !== 'body-parsed' && kit.timestamped) {
      const t = timestampFinding(parts?.timestamp, at, tolerance);
      if (t) also.push(t);
    }
    if (!main) {
      const kind = secretKindHint(kit, o.secret);
      if (kind) main = finding('secret-of-another-kind', kind);
      else if (verdict.kind === 'config') main = finding('secret-rejected', `core refuses this secret: ${verdict.message}`);
      else {
        main = finding(
          'secret-mismatch',
          `no signature matches any of ${search.tried} readings of the body and secret: the delivery was signed with another secret (another tenant, environment or endpoint)${o.keyring ? ' not in the keyring' : ''}, or changed in a way not tried`,
        );
        const env = environmentHint(kit, o.body);
        if (env) also.push(finding('secret-of-another-environment', env));
      }
      if (main.cause !== 'secret-rejected' && also[0]?.cause === 'secret-rejected') also.shift();
    }
    if (search.exhausted) notes.push(`the body is large: the search stopped at its ${HASH_BUDGET_BYTES / (1024 * 1024)} MiB hashing budget`);
  } else if (verdict.kind === 'rejected') {
    main = finding(verdict.code.toLowerCase().replace(/_/g, '-'), verdict.detail ?? verdict.code);
  }

  const verified = verdict.kind === 'verified';
  if (verified) {
    const t = kit.timestamped ? timestampFinding(parts?.timestamp, at, tolerance) : undefined;
    if (t) also.push(t);
  }
  const json: ExplainJson = {
    scheme: kit.id,
    verified,
    code,
    detail: verdict.kind === 'rejected' ? (verdict.detail ?? null) : verdict.kind === 'config' ? verdict.message : null,
    cause: main?.cause ?? null,
    why: main?.why ?? null,
    fix: main?.fix ?? null,
    evidence: evidence ?? null,
    skewSeconds: skew,
    tried: search.tried,
    also: also.filter((a) => a.cause !== main?.cause),
    notes,
    at: new Date(at).toISOString(),
  };
  return {
    exitCode: verified ? EXIT.ok : EXIT.problem,
    json,
    text: (s) => {
      const lines: string[] = [];
      if (verified) lines.push(`${mark(s, 'ok')} ${s.ok('verifies')} as ${kit.label} with the given secret (checked at ${json.at})`);
      else {
        lines.push(`${mark(s, 'fail')} ${s.bad(json.code === 'CONFIG' ? 'secret refused by core' : json.code ?? '')}${json.detail ? `  ${s.dim(json.detail)}` : ''}`);
        if (json.cause) lines.push(`cause: ${s.bold(json.cause)}: ${json.why}`);
        if (json.evidence) lines.push(`  evidence: ${json.evidence} (${json.tried} reading(s) tried)`);
        if (json.fix) lines.push(`  fix: ${json.fix}`);
      }
      for (const a of json.also) lines.push(`${mark(s, 'warn')} also ${a.cause}: ${a.why}`);
      for (const n of json.notes) lines.push(`${mark(s, 'info')} ${n}`);
      return lines.join('\n');
    },
  };
}
