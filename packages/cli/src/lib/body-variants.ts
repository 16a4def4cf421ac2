// A fixed, small set of ways the bytes a sender signed commonly differ from the bytes a receiver
// verifies. Each is one plausible "before" of the received body; none depends on the secret.

export interface BodyVariant {
  bytes: Buffer;
  cause: string;
  why: string;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Upper bound on the set, whatever the body holds. */
export const MAX_BODY_VARIANTS = 16;

function sortKeys(v: unknown, depth = 0): unknown {
  if (depth > 64) return v;
  if (Array.isArray(v)) return v.map((x) => sortKeys(x, depth + 1));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k], depth + 1);
    return out;
  }
  return v;
}

function asciiEscaped(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Python's json.dumps default: ", " and ": " separators, non-ASCII escaped. */
function pythonDumps(v: unknown): string {
  return asciiEscaped(JSON.stringify(v, null, 1).replace(/\n\s*/g, (m, offset: number, s: string) => {
    const prev = s[offset - 1];
    const next = s[offset + m.length];
    return prev === '[' || prev === '{' || next === ']' || next === '}' ? '' : ' ';
  }));
}

export function bodyVariants(body: Buffer, contentType: string | undefined): BodyVariant[] {
  const out: BodyVariant[] = [];
  const add = (bytes: Buffer, cause: string, why: string) => {
    if (out.length < MAX_BODY_VARIANTS && !bytes.equals(body) && !out.some((v) => v.bytes.equals(bytes))) out.push({ bytes, cause, why });
  };
  const text = body.toString('utf8');
  const validUtf8 = Buffer.from(text, 'utf8').equals(body);

  if (/\r?\n$/.test(text)) add(Buffer.from(text.replace(/(\r?\n)+$/, ''), 'utf8'), 'body-trailing-newline', 'the signed body has no trailing newline: one was added on the way (an editor saving the capture, echo, a logger)');
  else add(Buffer.concat([body, Buffer.from('\n')]), 'body-trailing-newline', 'the signed body ends with a newline that is missing here (stripped on the way, or by `curl -d`)');
  if (text.includes('\r\n')) add(Buffer.from(text.replace(/\r\n/g, '\n'), 'utf8'), 'body-line-endings', 'the signed body has LF line endings; CRLF arrived (a Windows tool or a text-mode copy)');
  else if (text.includes('\n')) add(Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8'), 'body-line-endings', 'the signed body has CRLF line endings; LF arrived (a text-mode copy converted them)');
  if (body.subarray(0, 3).equals(BOM)) add(body.subarray(3), 'body-bom', 'the signed body has no byte-order mark; one was added (a Windows editor saving the capture)');
  else add(Buffer.concat([BOM, body]), 'body-bom', 'the signed body starts with a UTF-8 byte-order mark that was stripped on the way');

  let json: unknown;
  let isJson = false;
  if (validUtf8) {
    try {
      json = JSON.parse(text.replace(/^\uFEFF/, ''));
      isJson = json !== null && typeof json === 'object';
    } catch {
      isJson = false;
    }
  }
  if (isJson) {
    const reserialised = 'the body was parsed and re-serialised before verification (JSON whitespace differs): verify the raw bytes, e.g. mount the webhook route before express.json()';
    // Pretty-printed senders (and files) usually end with a newline; compact ones do not.
    add(Buffer.from(JSON.stringify(json)), 'body-reserialised', reserialised);
    add(Buffer.from(`${JSON.stringify(json, null, 2)}\n`), 'body-reserialised', reserialised);
    add(Buffer.from(JSON.stringify(json, null, 2)), 'body-reserialised', reserialised);
    add(Buffer.from(`${JSON.stringify(json, null, 4)}\n`), 'body-reserialised', reserialised);
    add(Buffer.from(pythonDumps(json)), 'body-reserialised', `${reserialised} (Python json.dumps style)`);
    add(Buffer.from(JSON.stringify(sortKeys(json))), 'body-key-order', 'the body was re-serialised with its keys in another order (sorted keys): verify the raw bytes, never a re-encoded object');
    if (/[^\u0000-\u007e]/.test(text)) add(Buffer.from(asciiEscaped(JSON.stringify(json))), 'body-charset', 'the signed body wrote non-ASCII characters as \\u escapes; they arrived as UTF-8 (re-serialised on the way)');
  }
  if (validUtf8 && /[^\u0000-\u007f]/.test(text) && !/[^\u0000-\u00ff]/.test(text)) {
    add(Buffer.from(text, 'latin1'), 'body-charset', 'the sender signed the body in ISO-8859-1 (latin1); it arrived re-encoded as UTF-8 (a charset conversion on the way)');
  }
  if (/[\u0080-\u00ff]/.test(body.toString('latin1'))) {
    add(Buffer.from(body.toString('latin1'), 'utf8'), 'body-charset', 'the sender signed UTF-8 of text that arrived here in another charset (decoded as latin1 on the way, or the other way round)');
  }
  const form = /x-www-form-urlencoded/i.test(contentType ?? '') || (!isJson && /^[\w.%+-]+=[^&]*(&[\w.%+-]+=[^&]*)*$/.test(text));
  if (form) {
    add(Buffer.from(new URLSearchParams(text).toString()), 'body-reserialised', 'the form body was parsed and re-encoded (%20 vs +, escaping) before verification: verify the raw bytes');
  }
  return out;
}

/** A body that can only come from `String(object)` or `JSON.stringify` of a parsed request. */
export function looksParsed(body: Buffer): boolean {
  const t = body.toString('utf8').trim();
  return t === '[object Object]' || t === '{}' || t === '""' || t === 'undefined';
}
