// Reading what commands are given: secrets (never echoed), bodies (exact bytes), timestamps.
import { readFile } from 'node:fs/promises';
import { CliError, usageError } from './exit-codes.js';

export interface SecretSource {
  secret?: string | undefined;
  secretFile?: string | undefined;
  secretEnv?: string | undefined;
}

export interface ReadSecret {
  secret: string;
  /** Where it came from, for messages (never the secret itself). */
  from: string;
  /** A trailing newline removed from a file, which a receiver reading the file raw would keep. */
  strippedNewline: boolean;
}

/** One of --secret, --secret-file, --secret-env (preferred: nothing in shell history or `ps`). */
export async function readSecret(o: SecretSource, env: NodeJS.ProcessEnv, required = true): Promise<ReadSecret | undefined> {
  const given = [o.secret, o.secretFile, o.secretEnv].filter((x) => x !== undefined).length;
  if (given > 1) throw usageError('give one of --secret, --secret-file, --secret-env');
  if (o.secret !== undefined) return { secret: o.secret, from: '--secret', strippedNewline: false };
  if (o.secretEnv !== undefined) {
    const v = env[o.secretEnv];
    if (v === undefined || v === '') throw new CliError(`environment variable ${o.secretEnv} is not set`);
    return { secret: v, from: `$${o.secretEnv}`, strippedNewline: false };
  }
  if (o.secretFile !== undefined) {
    let text: string;
    try {
      text = await readFile(o.secretFile, 'utf8');
    } catch {
      throw new CliError(`cannot read the secret file ${o.secretFile}`);
    }
    // Editors end files with a newline; `$(cat file)` drops it too.
    const stripped = text.replace(/\r?\n$/, '');
    return { secret: stripped, from: o.secretFile, strippedNewline: stripped !== text };
  }
  if (required) throw usageError('a secret is required: --secret-env NAME (preferred), --secret-file PATH or --secret VALUE');
  return undefined;
}

const MAX_BODY = 16 * 1024 * 1024;

/** The exact bytes of a file (or stdin for "-"), at most 16 MiB. */
export async function readBody(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<Buffer> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of stdin) {
      const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
      size += b.length;
      if (size > MAX_BODY) throw new CliError('the body on stdin is over 16 MiB');
      chunks.push(b);
    }
    return Buffer.concat(chunks);
  }
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch {
    throw new CliError(`cannot read the body file ${path}`);
  }
  if (body.length > MAX_BODY) throw new CliError(`${path} is over 16 MiB`);
  return body;
}

/**
 * A signing timestamp in seconds: an integer (passed through, so a millisecond value can be staged
 * on purpose), an ISO date, `now`, or `now-600` / `now+90` (seconds from now).
 */
export function parseTimestamp(text: string, nowMs: number): number {
  const rel = /^now(?:([+-])(\d{1,9}))?$/.exec(text);
  if (rel) return Math.floor(nowMs / 1000) + (rel[1] === '-' ? -1 : 1) * Number(rel[2] ?? 0);
  if (/^-?\d{1,16}$/.test(text)) {
    const n = Number(text);
    // Negative: seconds relative to now (write it --timestamp=-600).
    return n < 0 ? Math.floor(nowMs / 1000) + n : n;
  }
  const d = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && Number.isFinite(d)) return Math.floor(d / 1000);
  throw usageError(`--timestamp must be seconds since the epoch, an ISO date, now, now-600 or now+90 (got ${text})`);
}
