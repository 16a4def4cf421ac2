// Reads a captured request's headers: `Name: value` lines (an HTTP request dump, curl -v's "> "
// lines, a log), or a JSON object; a dump's body after the blank line is kept.
import { readFile } from 'node:fs/promises';
import { CliError } from './exit-codes.js';
import { HeaderMap } from './header-map.js';

export interface CapturedHeaders {
  headers: HeaderMap;
  /** Bytes after the header block, when the file is a whole request. */
  body: Buffer | undefined;
}

const MAX_FILE = 16 * 1024 * 1024 + 64 * 1024;
const MAX_HEADERS = 500;

export async function readCapturedHeaders(path: string): Promise<CapturedHeaders> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch {
    throw new CliError(`cannot read the headers file ${path}`);
  }
  if (raw.length > MAX_FILE) throw new CliError(`${path} is too large for a headers file`);
  const headers = new HeaderMap();
  const text = raw.toString('latin1');
  if (text.trimStart().startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new CliError(`${path} starts with { but is not JSON`);
    }
    let n = 0;
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      if (++n > MAX_HEADERS) break;
      for (const item of Array.isArray(v) ? v : [v]) if (typeof item === 'string' || typeof item === 'number') headers.add(k, String(item));
    }
    return { headers, body: undefined };
  }
  // Header block ends at the first empty line (CRLF or LF); header bytes are latin1, as Node reads them.
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const body = m ? raw.subarray(m.index + m[0].length) : undefined;
  let n = 0;
  for (const line0 of head.split(/\r?\n/)) {
    const line = line0.replace(/^> /, '');
    if (/^[A-Z]+ \S+ HTTP\/\d/.test(line) || line.trim() === '') continue;
    const c = line.indexOf(':');
    if (c <= 0) continue;
    if (++n > MAX_HEADERS) break;
    headers.add(line.slice(0, c), line.slice(c + 1).trim());
  }
  return { headers, body: body && body.length > 0 ? body : undefined };
}
