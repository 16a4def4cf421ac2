import { CliError, EXIT, usageError } from '../lib/exit-codes.js';
import type { CommandOutput, Progress } from '../lib/command-output.js';
import { schemeKit, type SchemeId } from '../lib/schemes.js';
import { post, PostError } from '../lib/https-post.js';
import { causeOf } from '../lib/problem-causes.js';
import { tlsCauseOf } from '../lib/tls-errors.js';
import { readProblem } from '../lib/read-problem.js';
import { probeBody } from '../lib/probe-body.js';
import { mark } from '../lib/style.js';

export interface SendOptions {
  url: string;
  scheme: string;
  secret: string;
  /** Default: a small JSON test event with a fresh id. */
  body?: Buffer;
  contentType?: string;
  id?: string;
  timestamp?: number;
  /** Extra `Name: value` headers. */
  headers?: readonly string[];
  cert?: string;
  key?: string;
  ca?: string;
  insecure?: boolean;
  timeoutMs?: number;
  progress?: Progress;
  now?: number;
}

export interface SendJson {
  url: string;
  scheme: SchemeId;
  /** Null when no HTTP answer came (TLS refusal, connection error). */
  status: number | null;
  ok: boolean;
  code: string | null;
  title: string | null;
  detail: string | null;
  /** The receiver's own fix sentence (core's hint), when it sends one. */
  hint: string | null;
  cause: string | null;
  why: string | null;
  fix: string | null;
  tlsProtocol: string | null;
  clientCertificate: boolean;
  error: { code: string | null; message: string } | null;
}

/** Signs a delivery with core's signer and POSTs it (over mTLS when given a certificate). */
export async function send(o: SendOptions): Promise<CommandOutput<SendJson>> {
  const kit = schemeKit(o.scheme);
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    throw usageError(`not a URL: ${o.url}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usageError('the URL must be http:// or https://');
  if ((o.cert === undefined) !== (o.key === undefined)) throw usageError('--cert and --key go together');
  if (o.cert !== undefined && url.protocol !== 'https:') throw usageError('a client certificate needs an https:// URL');
  const now = o.now ?? Date.now();
  const body = o.body ?? probeBody(now);
  let signed: Record<string, string>;
  try {
    signed = kit.sign({ secret: o.secret, body, ...(o.id !== undefined ? { id: o.id } : {}), ...(o.timestamp !== undefined ? { timestamp: o.timestamp } : {}) });
  } catch (e) {
    throw new CliError(`cannot sign: ${(e as Error).message}`, EXIT.usage);
  }
  const headers: Record<string, string> = { 'content-type': o.contentType ?? 'application/json', 'user-agent': 'hookguard-cli', ...signed };
  for (const h of o.headers ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw usageError(`--header must be "Name: value" (got ${h})`);
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  o.progress?.(`POST ${url.href}${o.cert ? ' with a client certificate' : ''}`);
  const base = { url: url.href, scheme: kit.id, clientCertificate: o.cert !== undefined };
  let json: SendJson;
  try {
    const a = await post({ url, headers, body, cert: o.cert, key: o.key, ca: o.ca, insecure: o.insecure === true, timeoutMs: o.timeoutMs ?? 15_000 });
    const p = readProblem(a.headers, a.body);
    const c = causeOf(p.code);
    const ok = a.status >= 200 && a.status < 300;
    json = {
      ...base, status: a.status, ok, code: p.code ?? null, title: p.title ?? null, detail: p.detail ?? null, hint: p.hint ?? null,
      cause: c?.cause ?? null, why: c?.why ?? null, fix: c?.fix ?? null, tlsProtocol: a.tlsProtocol ?? null, error: null,
    };
    if (!ok && !c) json.why = `HTTP ${a.status} ${a.statusText} without a hookguard problem code: not a hookguard route, or an error before it`;
  } catch (e) {
    if (!(e instanceof PostError)) throw e;
    const t = tlsCauseOf(e.code);
    json = {
      ...base, status: null, ok: false, code: null, title: null, detail: null, hint: null,
      cause: t?.cause ?? 'connection-failed', why: t?.why ?? e.message, fix: t?.fix ?? null, tlsProtocol: null,
      error: { code: e.code ?? null, message: e.message },
    };
  }
  const unreachable = json.status === null && (json.cause === 'server-unreachable' || json.cause === 'not-tls' || json.cause === 'connection-failed');
  return {
    exitCode: json.ok ? EXIT.ok : unreachable ? EXIT.environment : EXIT.problem,
    json,
    text: (s) => {
      const lines: string[] = [];
      if (json.status !== null) {
        const head = `${json.status}${json.code ? ` ${json.code}` : ''}`;
        lines.push(`${mark(s, json.ok ? 'ok' : 'fail')} ${json.ok ? s.ok(head) : s.bad(head)}  ${s.dim(`${kit.label} delivery to ${url.href}${json.tlsProtocol ? ` over ${json.tlsProtocol}` : ''}${o.cert ? ', client certificate sent' : ''}`)}`);
        if (json.title || json.detail) lines.push(`  ${[json.title, json.detail].filter(Boolean).join(': ')}`);
        if (json.hint) lines.push(`  hint:  ${json.hint}`);
      } else {
        lines.push(`${mark(s, 'fail')} ${s.bad('no answer')}  ${json.error?.code ?? ''} ${json.error?.message ?? ''}`.trimEnd());
      }
      if (!json.ok && json.why) lines.push(`  cause: ${json.why}${json.cause ? ` (${json.cause})` : ''}`);
      if (!json.ok && json.fix) lines.push(`  fix:   ${json.fix}`);
      return lines.join('\n');
    },
  };
}
