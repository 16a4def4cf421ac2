#!/usr/bin/env node
// The `hookguard` command: reads the command line, runs one command, prints its text or --json
// document, and exits with the command's code.
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { bool, int, list, parse, required, str, type FlagSpec, type Values } from './lib/args.js';
import { CliError, EXIT, usageError, type ExitCode } from './lib/exit-codes.js';
import { styleFor } from './lib/style.js';
import type { CommandOutput, Progress } from './lib/command-output.js';
import { HELP } from './lib/usage.js';
import { pkiDir } from './lib/pki-store.js';
import { parseDate } from './lib/dates.js';
import { parseTimestamp, readBody, readSecret } from './lib/inputs.js';
import { readPemFile } from './lib/read-pem-file.js';
import { readKeyring } from './lib/keyring.js';
import { readCapturedHeaders } from './lib/capture-file.js';
import { parseCurl } from './lib/curl-command.js';
import type { Eku } from './lib/x509-issue.js';
import { certsInit } from './commands/certs-init.js';
import { certsTenant } from './commands/certs-tenant.js';
import { certsIssue } from './commands/certs-issue.js';
import { certsServer } from './commands/certs-server.js';
import { certsRevoke } from './commands/certs-revoke.js';
import { certsCrl } from './commands/certs-crl.js';
import { certsRotateCa } from './commands/certs-rotate-ca.js';
import { certsList } from './commands/certs-list.js';
import { signCommand } from './commands/sign.js';
import { send } from './commands/send.js';
import { explain } from './commands/explain.js';
import { doctor } from './commands/doctor.js';

const COMMON: Record<string, FlagSpec> = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };
const SECRET: Record<string, FlagSpec> = { secret: { type: 'string' }, 'secret-file': { type: 'string' }, 'secret-env': { type: 'string' } };

function secretSource(v: Values) {
  return { secret: str(v, 'secret'), secretFile: str(v, 'secret-file'), secretEnv: str(v, 'secret-env') };
}

function seconds(v: Values, name: string, fallback: number): number {
  return int(v, name, fallback, [1, 600]) * 1000;
}

function progressOn(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): { progress: Progress; done(): void } {
  // Progress is for people watching: only on a terminal, never mixed into piped output.
  if (stream.isTTY !== true) return { progress: () => {}, done: () => {} };
  const style = styleFor(stream, env);
  let shown = false;
  return {
    progress: (m) => {
      stream.write(`\r\u001b[K${style.dim(`... ${m}`)}`);
      shown = true;
    },
    done: () => {
      if (shown) stream.write('\r\u001b[K');
    },
  };
}

async function certs(argv: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CommandOutput<unknown> | string> {
  const [sub, ...rest] = argv;
  const flags: Record<string, FlagSpec> = {
    ...COMMON,
    dir: { type: 'string' },
    days: { type: 'string' },
    org: { type: 'string' },
    san: { type: 'string', multiple: true },
    cn: { type: 'string' },
    'not-before': { type: 'string' },
    eku: { type: 'string' },
    'crl-days': { type: 'string' },
    name: { type: 'string' },
    finish: { type: 'boolean' },
    at: { type: 'string' },
  };
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') return HELP.certs!;
  const { values: v, positionals: p } = parse(rest, flags);
  if (bool(v, 'help')) return HELP.certs!;
  const dir = pkiDir(str(v, 'dir'), env, cwd);
  const days = (fallback: number, max = 36500) => int(v, 'days', fallback, [1, max]);
  switch (sub) {
    case 'init':
      return certsInit({ dir, cwd, days: days(3650), ...(str(v, 'org') !== undefined ? { org: str(v, 'org')! } : {}) });
    case 'tenant':
      return certsTenant({ dir, cwd, tenant: required(p[0], 'the tenant id (hookguard certs tenant <id>)'), days: days(1825) });
    case 'issue': {
      const eku = str(v, 'eku') ?? 'clientAuth';
      if (!['clientAuth', 'serverAuth', 'none'].includes(eku)) throw usageError('--eku must be clientAuth, serverAuth or none');
      const nb = str(v, 'not-before');
      return certsIssue({
        dir, cwd, tenant: required(p[0], 'the tenant (hookguard certs issue <tenant> --san ...)'), san: list(v, 'san'), days: days(90),
        eku: eku as Eku, ...(nb !== undefined ? { notBefore: parseDate(nb, '--not-before') } : {}), ...(str(v, 'cn') !== undefined ? { cn: str(v, 'cn')! } : {}),
        ...(str(v, 'name') !== undefined ? { name: str(v, 'name')! } : {}),
      });
    }
    case 'server':
      return certsServer({ dir, cwd, san: list(v, 'san'), days: days(90, 825) });
    case 'revoke':
      return certsRevoke({ dir, cwd, target: required(p[0], 'the serial or certificate file to revoke'), crlDays: int(v, 'crl-days', 30, [1, 3650]) });
    case 'crl':
      return certsCrl({ dir, cwd, ...(p[0] !== undefined ? { tenant: p[0] } : {}), days: days(30, 3650) });
    case 'rotate-ca':
      return certsRotateCa({ dir, cwd, tenant: required(p[0], 'the tenant (hookguard certs rotate-ca <tenant>)'), finish: bool(v, 'finish'), days: days(1825) });
    case 'list': {
      const at = str(v, 'at');
      return certsList({ dir, ...(at !== undefined ? { now: parseDate(at, '--at').getTime() } : {}) });
    }
    default:
      throw usageError(`unknown certs subcommand ${sub}: init, tenant, issue, server, revoke, crl, rotate-ca, list`);
  }
}

async function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv, progress: Progress): Promise<CommandOutput<unknown> | string> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return HELP.main!;
  if (command === '--version' || command === '-v' || command === 'version') {
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    return `hookguard ${pkg.version}`;
  }
  if (command === 'certs') return certs(rest, cwd, env);
  const now = Date.now();
  switch (command) {
    case 'sign': {
      const { values: v, positionals: p } = parse(rest, { ...COMMON, ...SECRET, body: { type: 'string' }, id: { type: 'string' }, timestamp: { type: 'string' } });
      if (bool(v, 'help')) return HELP.sign!;
      const secret = (await readSecret(secretSource(v), env))!;
      const ts = str(v, 'timestamp');
      return signCommand({
        scheme: required(p[0], 'the scheme (hookguard sign <scheme>)'), secret: secret.secret, body: await readBody(required(str(v, 'body'), '--body')),
        ...(str(v, 'id') !== undefined ? { id: str(v, 'id')! } : {}), ...(ts !== undefined ? { timestamp: parseTimestamp(ts, now) } : {}),
      });
    }
    case 'send': {
      const { values: v, positionals: p } = parse(rest, {
        ...COMMON, ...SECRET, scheme: { type: 'string' }, body: { type: 'string' }, 'content-type': { type: 'string' }, id: { type: 'string' },
        timestamp: { type: 'string' }, header: { type: 'string', short: 'H', multiple: true }, cert: { type: 'string' }, key: { type: 'string' },
        ca: { type: 'string' }, insecure: { type: 'boolean' }, timeout: { type: 'string' },
      });
      if (bool(v, 'help')) return HELP.send!;
      const secret = (await readSecret(secretSource(v), env))!;
      const ts = str(v, 'timestamp');
      const body = str(v, 'body');
      const [cert, key, ca] = await Promise.all([readPemFile(str(v, 'cert'), '--cert'), readPemFile(str(v, 'key'), '--key'), readPemFile(str(v, 'ca'), '--ca')]);
      return send({
        url: required(p[0], 'the URL (hookguard send <url>)'), scheme: required(str(v, 'scheme'), '--scheme'), secret: secret.secret,
        ...(body !== undefined ? { body: await readBody(body) } : {}), ...(str(v, 'content-type') !== undefined ? { contentType: str(v, 'content-type')! } : {}),
        ...(str(v, 'id') !== undefined ? { id: str(v, 'id')! } : {}), ...(ts !== undefined ? { timestamp: parseTimestamp(ts, now) } : {}),
        headers: list(v, 'header'), ...(cert !== undefined ? { cert } : {}), ...(key !== undefined ? { key } : {}), ...(ca !== undefined ? { ca } : {}),
        insecure: bool(v, 'insecure'), timeoutMs: seconds(v, 'timeout', 15), progress,
      });
    }
    case 'explain': {
      const { values: v } = parse(rest, {
        ...COMMON, ...SECRET, scheme: { type: 'string' }, headers: { type: 'string' }, curl: { type: 'string' }, body: { type: 'string' },
        keyring: { type: 'string' }, at: { type: 'string' }, tolerance: { type: 'string' },
      });
      if (bool(v, 'help')) return HELP.explain!;
      const scheme = required(str(v, 'scheme'), '--scheme');
      const secret = (await readSecret(secretSource(v), env))!;
      const headersFile = str(v, 'headers');
      const curl = str(v, 'curl');
      if ((headersFile === undefined) === (curl === undefined)) throw usageError('give one of --headers <file> or --curl "<curl command>"');
      const bodyPath = str(v, 'body');
      const captured = headersFile !== undefined ? await readCapturedHeaders(headersFile) : undefined;
      const fromCurl = curl !== undefined ? await parseCurl(curl, cwd) : undefined;
      const body = bodyPath !== undefined ? await readBody(bodyPath) : (captured?.body ?? fromCurl?.body);
      if (body === undefined) throw usageError('no body: pass --body <file> (the exact bytes received)');
      const at = str(v, 'at');
      const keyring = str(v, 'keyring');
      return explain({
        scheme, secret: secret.secret, secretStrippedNewline: secret.strippedNewline, headers: (captured?.headers ?? fromCurl?.headers)!, body,
        intendedBody: bodyPath === undefined ? fromCurl?.intendedBody : undefined, notes: fromCurl?.notes ?? [],
        ...(keyring !== undefined ? { keyring: await readKeyring(keyring) } : {}),
        ...(at !== undefined ? { at: /^\d{9,11}$/.test(at) ? Number(at) * 1000 : parseDate(at, '--at').getTime() } : {}),
        toleranceSec: int(v, 'tolerance', 300, [1, 86400 * 365]),
      });
    }
    case 'doctor': {
      const { values: v, positionals: p } = parse(rest, {
        ...COMMON, ...SECRET, cert: { type: 'string' }, key: { type: 'string' }, ca: { type: 'string' }, crl: { type: 'string' },
        scheme: { type: 'string' }, body: { type: 'string' }, timeout: { type: 'string' },
      });
      if (bool(v, 'help')) return HELP.doctor!;
      const secret = await readSecret(secretSource(v), env, false);
      const [cert, key, ca] = await Promise.all([readPemFile(str(v, 'cert'), '--cert'), readPemFile(str(v, 'key'), '--key'), readPemFile(str(v, 'ca'), '--ca')]);
      const crlPath = str(v, 'crl');
      let crl: Buffer | undefined;
      if (crlPath !== undefined) crl = await readFile(crlPath).catch(() => {
        throw new CliError(`cannot read --crl ${crlPath}`);
      });
      const body = str(v, 'body');
      return doctor({
        url: required(p[0], 'the URL (hookguard doctor <https-url>)'), ...(cert !== undefined ? { cert } : {}), ...(key !== undefined ? { key } : {}),
        ...(ca !== undefined ? { ca } : {}), ...(crl !== undefined ? { crl } : {}), ...(str(v, 'scheme') !== undefined ? { scheme: str(v, 'scheme')! } : {}),
        ...(secret !== undefined ? { secret: secret.secret } : {}), ...(body !== undefined ? { body: await readBody(body) } : {}),
        timeoutMs: seconds(v, 'timeout', 10), progress,
      });
    }
    default:
      throw usageError(`unknown command ${command}: certs, sign, send, explain, doctor (hookguard --help)`);
  }
}

async function main(): Promise<ExitCode> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const out = styleFor(process.stdout, process.env);
  const { progress, done } = progressOn(process.stderr, process.env);
  try {
    const result = await run(argv, process.cwd(), process.env, progress);
    done();
    if (typeof result === 'string') {
      process.stdout.write(`${result}\n`);
      return EXIT.ok;
    }
    process.stdout.write(json ? `${JSON.stringify(result.json, null, 2)}\n` : `${result.text(out)}\n`);
    return result.exitCode;
  } catch (e) {
    done();
    const known = e instanceof CliError;
    const code = known ? e.exitCode : EXIT.internal;
    const message = known ? e.message : `internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    if (json) process.stdout.write(`${JSON.stringify({ error: { message, exitCode: code } }, null, 2)}\n`);
    process.stderr.write(`hookguard: ${message}\n${code === EXIT.usage ? 'see hookguard --help\n' : ''}`);
    return code;
  }
}

main().then((code) => {
  process.exitCode = code;
});
