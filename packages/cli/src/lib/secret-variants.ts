// A fixed, small set of readings of a secret, each a common copy-paste or encoding slip, tried as
// HMAC keys against the captured signature. No reading ever leaves the process.
import type { SchemeKit } from './schemes.js';

export interface SecretVariant {
  key: Buffer;
  cause: string;
  why: string;
}

export const MAX_SECRET_VARIANTS = 8;

function b64(text: string, url = false): Buffer | undefined {
  const re = url ? /^[A-Za-z0-9_-]+={0,2}$/ : /^[A-Za-z0-9+/]+={0,2}$/;
  return re.test(text) && text.length >= 8 ? Buffer.from(text, url ? 'base64url' : 'base64') : undefined;
}
function hex(text: string): Buffer | undefined {
  return /^([0-9a-fA-F]{2}){8,}$/.test(text) ? Buffer.from(text, 'hex') : undefined;
}

export function secretVariants(kit: SchemeKit, secret: string): SecretVariant[] {
  const out: SecretVariant[] = [];
  const base = kit.keyBytes(secret);
  const add = (key: Buffer | undefined, cause: string, why: string) => {
    if (key && key.length > 0 && out.length < MAX_SECRET_VARIANTS && !(base && key.equals(base)) && !out.some((v) => v.key.equals(key))) out.push({ key, cause, why });
  };
  const trimmed = secret.trim();
  if (trimmed !== secret) add(kit.keyBytes(trimmed), 'secret-whitespace', 'the secret has leading or trailing whitespace (a newline from a file or an environment variable); the sender signs without it');
  const s = trimmed;
  const bare = s.replace(/^(whsec_|shpss_|whsk_)/, '');
  if (kit.id === 'standard-webhooks') {
    add(Buffer.from(s, 'utf8'), 'secret-encoding', 'the sender uses the whole secret string as raw UTF-8 bytes; Standard Webhooks decodes the base64 after whsec_');
    add(Buffer.from(bare, 'utf8'), 'secret-encoding', 'the sender uses the text after whsec_ as raw bytes instead of decoding its base64');
    add(hex(bare), 'secret-encoding', 'the sender decodes the secret as hex, not base64');
    add(b64(bare, true), 'secret-encoding', 'the sender decodes the secret as base64url, not base64');
  } else {
    if (kit.id === 'stripe' && !s.startsWith('whsec_')) add(Buffer.from(`whsec_${s}`, 'utf8'), 'secret-prefix-missing', 'the secret was stored without its whsec_ prefix: Stripe signs with the whole string, prefix included');
    if (bare !== s) add(Buffer.from(bare, 'utf8'), 'secret-prefix-extra', `the sender signs with the secret without its ${s.slice(0, s.length - bare.length)} prefix`);
    add(b64(bare), 'secret-encoding', 'the sender decodes the secret as base64 (Standard Webhooks style) instead of using the string as it is');
    add(hex(bare), 'secret-encoding', 'the sender decodes the secret as hex instead of using the string as it is');
  }
  return out;
}
