import { WebhookVerificationError } from '../webhook-verification-error.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decodeText(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new WebhookVerificationError('MALFORMED_PAYLOAD', { detail: 'body is not valid UTF-8' });
  }
}

function mediaType(contentType: string | undefined): string {
  if (!contentType) return '';
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/**
 * JSON for application/json and +json, fields for urlencoded forms, text for text/*, the Buffer
 * otherwise. An empty body has no payload (undefined): it may be legitimately signed. `form`: the
 * fields the scheme already read from this body (SchemeVerdict.formFields), used for a form only.
 */
export function parsePayload(body: Buffer, contentType: string | undefined, form?: ReadonlyMap<string, readonly string[]>): unknown {
  const type = mediaType(contentType);
  const isJson = type === 'application/json' || type.endsWith('+json');
  if (isJson) {
    if (body.length === 0) return undefined;
    const text = decodeText(body);
    try {
      return JSON.parse(text);
    } catch {
      throw new WebhookVerificationError('MALFORMED_PAYLOAD', { detail: 'body is not valid JSON although the signature verified' });
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    const out: Record<string, string | string[]> = Object.create(null);
    if (form !== undefined) {
      for (const [k, values] of form) out[k] = values.length === 1 ? values[0]! : [...values];
      return out;
    }
    for (const [k, v] of new URLSearchParams(decodeText(body))) {
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return out;
  }
  if (type.startsWith('text/')) return decodeText(body);
  return body;
}
