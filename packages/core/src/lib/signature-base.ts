// RFC 9421 §2: component values and the signature base, for the verifier and the signer alike (one
// code path, so what the signer writes is exactly what the verifier reads). One reading: every line
// is `"name": value`, in the covered order, and no value may hold a line break (or anything outside
// latin1), so no value can pose as another line.

/** The components hookguard derives from a request (RFC 9421 §2.2), besides HTTP fields. */
export const DERIVED_COMPONENTS: ReadonlySet<string> = new Set(['@method', '@target-uri', '@authority', '@scheme', '@request-target', '@path', '@query']);
const FIELD_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
// Printable latin1 and HTAB: what a header value may hold in a line of the base.
const LINE_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/;
const isSpace = (c: number) => c === 0x20 || c === 0x09;
const URL_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?$/;

/** Why a component name cannot be covered, or undefined when it can. */
export function unsupportedComponent(name: string): string | undefined {
  if (name === '@signature-params') return '@signature-params may not be covered';
  if (name.startsWith('@')) {
    if (DERIVED_COMPONENTS.has(name)) return undefined;
    if (name === '@query-param') return '@query-param is not supported (its re-encoding has no single reading across implementations)';
    if (name === '@status') return '@status belongs to responses';
    return `unknown derived component ${name}`;
  }
  return FIELD_NAME.test(name) ? undefined : `${JSON.stringify(name)} is not a lower-case field name`;
}

export interface TargetParts {
  /** Lower case, e.g. https. */
  scheme: string;
  /** Host (lower case) and a port other than the scheme's default. */
  authority: string;
  /** The path as sent, `/` when empty. */
  path: string;
  /** The query without its `?`; undefined when the URL has none. */
  query: string | undefined;
  /** Derived values, made and checked once per parts object (a verifier keeps the parts of its last URL). */
  derived?: Derived;
}
interface Derived {
  targetUri: string;
  requestTarget: string;
  query: string;
  /** Every part can stand in a line of the base. */
  safe: boolean;
}
function derivedOf(t: TargetParts): Derived {
  if (t.derived) return t.derived;
  const search = t.query === undefined ? '' : `?${t.query}`;
  const d: Derived = { targetUri: `${t.scheme}://${t.authority}${t.path}${search}`, requestTarget: `${t.path}${search}`, query: `?${t.query ?? ''}`, safe: false };
  d.safe = LINE_SAFE.test(d.targetUri) && LINE_SAFE.test(d.query);
  return (t.derived = d);
}

/** The parts of an absolute http(s) URL, normalised as RFC 9421 §2.2.3 asks of @authority; undefined if it is not one. */
export function targetParts(url: string): TargetParts | undefined {
  const m = URL_PARTS.exec(url);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const host = m[2]!.toLowerCase();
  // Credentials have no place in a request's authority (RFC 9110 §4.2.4).
  if ((scheme !== 'http' && scheme !== 'https') || host === '' || host.includes('@')) return undefined;
  const authority = (scheme === 'https' && host.endsWith(':443')) || (scheme === 'http' && host.endsWith(':80')) ? host.slice(0, host.lastIndexOf(':')) : host;
  return { scheme, authority, path: m[3] === '' ? '/' : m[3]!, query: m[4] };
}

/** What a component's value is read from. */
export interface MessageSource {
  method: string;
  /** The target URI's parts (may throw: an untrusted forwarded header, no usable host). */
  target(): TargetParts;
  /** A header's value by lower-case name (repeated headers already combined with ", "), or undefined. */
  field(name: string): string | undefined;
}

export type ComponentValue = { value: string } | { absent: string } | { invalid: string };

/** One component's value (RFC 9421 §2.1, §2.2), for a name unsupportedComponent() accepted. */
export function componentValue(name: string, source: MessageSource): ComponentValue {
  let value: string;
  let checked = false;
  switch (name) {
    case '@method':
      value = source.method;
      break;
    case '@target-uri':
    case '@authority':
    case '@scheme':
    case '@request-target':
    case '@path':
    case '@query': {
      const t = source.target();
      const d = derivedOf(t);
      value = name === '@target-uri' ? d.targetUri : name === '@authority' ? t.authority : name === '@scheme' ? t.scheme : name === '@request-target' ? d.requestTarget : name === '@path' ? t.path : d.query;
      checked = d.safe;
      break;
    }
    default: {
      const raw = source.field(name);
      if (raw === undefined) return { absent: `the covered field ${name} is absent` };
      // RFC 9421 §2.1: leading and trailing whitespace removed (sliced only when there is some).
      value = isSpace(raw.charCodeAt(0)) || isSpace(raw.charCodeAt(raw.length - 1)) ? raw.replace(/^[ \t]+|[ \t]+$/g, '') : raw;
      checked = LINE_SAFE.test(value);
      if (!checked) return { invalid: `the value of ${name} holds a line break, a control character or text past latin1` };
    }
  }
  // Derived values come from the request line and the public URL (printable ASCII by then); checked all the same.
  return checked || LINE_SAFE.test(value) ? { value } : { invalid: `the value of ${name} holds a line break, a control character or text past latin1` };
}

/** The lines of the covered components (each ending in LF), in their order: the signature base but its last line. */
export function coveredLines(components: readonly string[], source: MessageSource): { lines: string } | { absent: string } | { invalid: string } {
  let lines = '';
  for (const name of components) {
    const v = componentValue(name, source);
    if (!('value' in v)) return v;
    lines += `"${name}": ${v.value}\n`;
  }
  return { lines };
}

/**
 * The signature base: the covered lines, then `"@signature-params": <params>`. `params` is the
 * serialized inner list (structured-fields.ts), which the signer and the verifier serialize alike.
 */
export function signatureBase(lines: string, params: string): string {
  return `${lines}"@signature-params": ${params}`;
}
