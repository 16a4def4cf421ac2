// Reads a curl command line (as logged, or from a browser's "Copy as cURL") into the request it sends.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, usageError } from './exit-codes.js';
import { HeaderMap } from './header-map.js';
import { shellWords } from './shell-words.js';

export interface CurlRequest {
  url: string | undefined;
  method: string;
  headers: HeaderMap;
  /** The bytes curl would send, when the command carries data. */
  body: Buffer | undefined;
  /** Bytes the command's author probably meant (a file before `-d @file` stripped its newlines). */
  intendedBody: { bytes: Buffer; why: string } | undefined;
  notes: string[];
}

// Short options that take a value (curl's own list, the ones seen in webhook commands).
const SHORT_WITH_VALUE = new Set(['H', 'd', 'X', 'u', 'A', 'e', 'b', 'c', 'o', 'F', 'T', 'E', 'm', 'x', 'r', 'w', 'K', 'C', 'U', 'Y', 'y', 'z']);
const LONG_WITH_VALUE = new Set([
  'header', 'data', 'data-raw', 'data-binary', 'data-ascii', 'data-urlencode', 'json', 'request', 'url', 'user', 'user-agent', 'referer', 'cookie',
  'output', 'form', 'upload-file', 'cert', 'key', 'cacert', 'capath', 'max-time', 'connect-timeout', 'proxy', 'resolve', 'connect-to', 'write-out',
  'cert-type', 'key-type', 'pass', 'interface', 'retry', 'ciphers', 'tls-max', 'config', 'range', 'oauth2-bearer', 'variable', 'expand-data',
]);

async function dataArg(value: string, raw: boolean, binary: boolean, cwd: string, notes: string[]): Promise<{ sent: Buffer; file?: Buffer }> {
  if (raw || !value.startsWith('@')) return { sent: Buffer.from(value, 'utf8') };
  const path = value.slice(1);
  let file: Buffer;
  try {
    file = path === '-' ? Buffer.alloc(0) : await readFile(resolve(cwd, path));
  } catch {
    throw new CliError(`the curl command reads ${path}, which cannot be read from here`);
  }
  if (path === '-') notes.push('the curl command reads its data from stdin: pass the body with --body');
  if (binary) return { sent: file, file };
  // -d @file drops carriage returns and newlines from the file (curl's man page).
  const sent = Buffer.from(file.toString('latin1').replace(/[\r\n]/g, ''), 'latin1');
  return { sent, file };
}

export async function parseCurl(command: string, cwd: string): Promise<CurlRequest> {
  const words = shellWords(command.trim());
  if (words[0] !== 'curl' && !words[0]?.endsWith('/curl') && words[0] !== 'curl.exe') throw usageError('--curl must be a curl command (starting with curl)');
  const headers = new HeaderMap();
  const notes: string[] = [];
  const parts: Buffer[] = [];
  let intended: CurlRequest['intendedBody'];
  let url: string | undefined;
  let method: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    let name: string | undefined;
    let value: string | undefined;
    if (w.startsWith('--')) {
      name = w.slice(2);
      if (LONG_WITH_VALUE.has(name)) value = words[++i];
    } else if (w.startsWith('-') && w.length > 1) {
      const flag = w[1]!;
      if (SHORT_WITH_VALUE.has(flag)) {
        name = flag;
        value = w.length > 2 ? w.slice(2) : words[++i];
      } else continue; // -s, -S, -k, -v, -i, -L ... (flags without values, possibly combined)
    } else {
      url ??= w;
      continue;
    }
    if (value === undefined) {
      if (LONG_WITH_VALUE.has(name) || SHORT_WITH_VALUE.has(name)) throw usageError(`curl option ${w} has no value`);
      continue;
    }
    switch (name) {
      case 'H':
      case 'header': {
        const c = value.indexOf(':');
        if (c > 0) {
          const v = value.slice(c + 1).trim();
          // `-H 'Name:'` removes a header in curl; nothing is sent.
          if (v !== '') headers.add(value.slice(0, c), v);
        } else if (value.endsWith(';')) headers.add(value.slice(0, -1), '');
        break;
      }
      case 'd':
      case 'data':
      case 'data-ascii':
      case 'data-binary':
      case 'data-raw':
      case 'json': {
        const d = await dataArg(value, name === 'data-raw', name === 'data-binary' || name === 'json', cwd, notes);
        parts.push(d.sent);
        if (d.file && !d.file.equals(d.sent)) {
          intended = { bytes: d.file, why: `\`${w} @${value.slice(1)}\` strips the file's newlines, so curl sends other bytes than the file holds: use --data-binary @file` };
        }
        if (name === 'json' && !headers.has('content-type')) headers.add('content-type', 'application/json');
        break;
      }
      case 'data-urlencode':
        notes.push('--data-urlencode re-encodes the data: the bytes sent are not the ones given; use --data-binary');
        parts.push(Buffer.from(value, 'utf8'));
        break;
      case 'F':
      case 'form':
        notes.push('multipart -F data is not reproduced here: pass the exact body with --body');
        break;
      case 'X':
      case 'request':
        method = value.toUpperCase();
        break;
      case 'url':
        url ??= value;
        break;
      default:
        break;
    }
  }
  // Several -d are joined with & (curl's rule).
  const body = parts.length === 0 ? undefined : Buffer.concat(parts.flatMap((p, k) => (k === 0 ? [p] : [Buffer.from('&'), p])));
  return { url, method: method ?? (body ? 'POST' : 'GET'), headers, body, intendedBody: intended, notes };
}
