import type { KeyInput, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { decodeHex } from '../lib/compare.js';
import { matchHmac } from '../lib/hmac.js';
import { jsonMember } from '../lib/json-member.js';
import { MAX_ID_LENGTH } from '../lib/limits.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { prepareUtf8Secrets } from '../lib/secret-keys.js';

export interface MailgunOptions {
  /** HTTP webhook signing keys (or the parent account's, for subaccounts), newest first. Omit to take them from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
}

interface Fields {
  timestamp: unknown;
  token: unknown;
  signature: unknown;
  parent: unknown;
}

// The signed content is timestamp + token with nothing between: ten digits (2001-09-09 to 2286) split it
// one way only, whatever the token starts with.
const TIMESTAMP = /^[1-9][0-9]{9}$/;
// Printable ASCII: the same bytes as UTF-8 and latin1, so no two spellings of a token sign alike.
const TOKEN = new RegExp(`^[\\x21-\\x7e]{1,${MAX_ID_LENGTH}}$`);
const MAX_SIGNATURE_OBJECT = 4096;

function malformed(detail: string): WebhookVerificationError {
  return new WebhookVerificationError('MALFORMED_SIGNATURE', { detail, scheme: 'mailgun' });
}

/** The signature fields: the `signature` object of a JSON body, or the fields of a form body. */
function fieldsOf(body: Buffer): Fields | undefined {
  let i = 0;
  while (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09) i++;
  // The body says which it is (the Content-Type is not signed either): one reading per body.
  if (body[i] === 0x7b || (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf)) {
    const at = jsonMember(body, 'signature', 'mailgun');
    if (at === undefined) return undefined;
    if (at.end - at.start > MAX_SIGNATURE_OBJECT) throw malformed('the signature object is too large');
    let o: unknown;
    try {
      o = JSON.parse(body.toString('utf8', at.start, at.end));
    } catch {
      throw malformed('the signature member is not valid JSON');
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw malformed('signature must be an object of timestamp, token and signature');
    const s = o as Record<string, unknown>;
    return { timestamp: s.timestamp, token: s.token, signature: s.signature, parent: s['parent-signature'] };
  }
  const form = new URLSearchParams(body.toString('utf8'));
  const one = (name: string): unknown => {
    const all = form.getAll(name);
    if (all.length > 1) throw malformed(`${name} appears more than once in the form`);
    return all[0];
  };
  const fields = { timestamp: one('timestamp'), token: one('token'), signature: one('signature'), parent: undefined };
  return fields.signature === undefined && fields.token === undefined ? undefined : fields;
}

/**
 * Mailgun: the `signature` object inside the body — timestamp, token, and signature = hex HMAC-SHA256 of
 * timestamp + token under the webhook signing key (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks);
 * JSON webhooks, and form fields of the same names for routes and legacy webhooks. The body itself is NOT
 * signed: the signature vouches for the timestamp and the token only. The token is signed and random, so it
 * is the replay identity: each (timestamp, token) pair runs the handler once. `parent-signature` (a
 * subaccount's event signed with the parent account's key) is accepted in place of `signature`.
 */
export function mailgun(options: MailgunOptions = {}): Scheme {
  const prepareKeys = prepareUtf8Secrets('mailgun');
  return {
    name: 'mailgun',
    idReading: 'mailgun',
    staticKeys: staticKeysOf('mailgun', prepareKeys, options.secret),
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const f = fieldsOf(input.body);
      if (f === undefined) throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'the body holds no Mailgun signature', scheme: 'mailgun' });
      // A JSON number is the same signed text as the string of its digits.
      const timestamp = typeof f.timestamp === 'number' && Number.isSafeInteger(f.timestamp) ? String(f.timestamp) : f.timestamp;
      if (typeof timestamp !== 'string' || !TIMESTAMP.test(timestamp)) throw malformed('timestamp must be 10 ASCII digits (seconds)');
      if (typeof f.token !== 'string' || !TOKEN.test(f.token)) throw malformed(`token must be 1-${MAX_ID_LENGTH} printable ASCII characters`);
      const candidates: Buffer[] = [];
      for (const s of [f.signature, f.parent]) {
        const bytes = typeof s === 'string' && s.length === 64 ? decodeHex(s) : undefined;
        if (bytes) candidates.push(bytes);
      }
      if (candidates.length === 0) throw malformed('signature must be 64 hex digits');
      const token = f.token;
      const match = matchHmac('sha256', input.keysFor(this), timestamp, Buffer.from(token, 'latin1'), undefined, candidates);
      if (match === undefined) throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'signature matched no active signing key', scheme: 'mailgun' });
      return { scheme: 'mailgun', id: token, timestamp: Number(timestamp), keyId: match, replayId: token, replayable: true };
    },
  };
}
