import { KeyObject, verify as cryptoVerify } from 'node:crypto';
import type { KeyInput, KeySpec, PreparedKey, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { WebhookConfigError } from '../webhook-config-error.js';
import { decodeBase64 } from '../lib/compare.js';
import { HmacCandidates } from '../lib/hmac-candidates.js';
import { prepared } from '../lib/keys.js';
import { staticKeysOf } from '../lib/scheme-keys.js';
import { decodeWhpk, decodeWhsec, type StandardKey } from '../lib/standard-webhooks-keys.js';
import { hmacKey } from '../lib/hmac.js';
import { MAX_ID_LENGTH } from '../lib/limits.js';

export interface StandardWebhooksOptions {
  /**
   * `whsec_...` secrets (HMAC, `v1`) and/or `whpk_...` public keys (Ed25519, `v1a`), newest
   * first. Omit to take them from the tenant's config.
   */
  secret?: KeyInput | readonly KeyInput[];
}

const MAX_SIGNATURES = 16;
const TIMESTAMP = /^[0-9]{1,15}$/;
const NOT_LATIN1 = /[^\u0000-\u00ff]/;
const HEADER_SETS = [
  ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  ['svix-id', 'svix-timestamp', 'svix-signature'],
] as const;

function prepareKeys(specs: readonly KeySpec[]): PreparedKey[] {
  return specs.map((spec) => {
    let key: StandardKey;
    if (spec.publicKey !== undefined) {
      const pk = spec.publicKey;
      if (pk instanceof KeyObject) {
        if (pk.asymmetricKeyType !== 'ed25519') throw new WebhookConfigError(`standardWebhooks key ${spec.id}: public key must be Ed25519`);
        key = { kind: 'ed25519', key: pk };
      } else key = { kind: 'ed25519', key: decodeWhpk(pk, spec.id) };
    } else if (typeof spec.secret === 'string' && spec.secret.startsWith('whpk_')) {
      key = { kind: 'ed25519', key: decodeWhpk(spec.secret, spec.id) };
    } else if (typeof spec.secret === 'string' && spec.secret.startsWith('whsk_')) {
      throw new WebhookConfigError(`standardWebhooks key ${spec.id}: whsk_ is the sender's signing key; give the verifier the whpk_ public key`);
    } else if (spec.secret !== undefined) {
      key = { kind: 'hmac', key: hmacKey(decodeWhsec(spec.secret, spec.id)) };
    } else {
      throw new WebhookConfigError(`standardWebhooks key ${spec.id}: give a secret (whsec_) or a publicKey (whpk_)`);
    }
    return prepared(spec, key);
  });
}

/**
 * Standard Webhooks (and Svix): `webhook-id`, `webhook-timestamp`, `webhook-signature` (or the
 * `svix-*` names), signed content `id.timestamp.body`, `v1` HMAC-SHA256 and `v1a` Ed25519.
 */
export function standardWebhooks(options: StandardWebhooksOptions = {}): Scheme {
  const staticKeys = staticKeysOf('standardWebhooks', prepareKeys, options.secret);
  // The v1 entries are compared as text with the canonical base64 of each key's HMAC, as
  // hmac-candidates.ts explains: no decode, no Buffer per entry. Verification is synchronous, so one
  // instance per scheme serves every request.
  const hmacCandidates = new HmacCandidates('base64', 32, MAX_SIGNATURES);
  // Ed25519 signs one message in one call, so prefix and body must sit in one buffer. Reusing one
  // scratch buffer (verify is synchronous) spares a fresh allocation of the body's size per request.
  let scratch = Buffer.alloc(0);
  const joined = (prefix: string, body: Buffer): Buffer => {
    const size = Buffer.byteLength(prefix, 'latin1') + body.length;
    if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2, 4096));
    const at = scratch.write(prefix, 0, 'latin1');
    body.copy(scratch, at);
    return scratch.subarray(0, size);
  };
  return {
    name: 'standardWebhooks',
    idReading: 'standardWebhooks',
    staticKeys,
    prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      let set: (typeof HEADER_SETS)[number] | undefined;
      let signature: string | undefined;
      for (const s of HEADER_SETS) {
        signature = input.header(s[2]);
        if (signature !== undefined) {
          set = s;
          break;
        }
      }
      if (set === undefined || signature === undefined)
        throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: 'no webhook-signature header', scheme: 'standardWebhooks' });
      const id = input.header(set[0]);
      const ts = input.header(set[1]);
      // The signed content is `id.timestamp.body`: an id holding a `.` could swallow part of the
      // body, and one signature would verify a second (id, body) pair with a new replay key.
      // Past U+00FF a character would be signed as one latin1 byte, aliasing another id (hand-built
      // or Fetch-API headers; Node's own are latin1 already).
      if (!id || id.length > MAX_ID_LENGTH || id.includes('.') || NOT_LATIN1.test(id))
        throw new WebhookVerificationError('MALFORMED_SIGNATURE', {
          detail: `${set[0]} must be 1-${MAX_ID_LENGTH} characters without "."`,
          scheme: 'standardWebhooks',
        });
      if (!ts || !TIMESTAMP.test(ts))
        throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `${set[1]} must be integer seconds`, scheme: 'standardWebhooks' });

      const v1 = hmacCandidates.clear();
      const v1a: Buffer[] = [];
      let entries = 0;
      // Space-separated `version,base64` entries, scanned in place: no array and no string per
      // entry, only the base64 text of the versions we know (unknown ones are ignored by the spec).
      for (let start = 0; start < signature.length; ) {
        let end = signature.indexOf(' ', start);
        if (end === -1) end = signature.length;
        if (end > start) {
          if (++entries > MAX_SIGNATURES)
            throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `more than ${MAX_SIGNATURES} signatures`, scheme: 'standardWebhooks' });
          // Only a canonical base64 of the right size can match: v1 of 32 bytes, v1a of 64.
          if (signature.startsWith('v1,', start)) v1.add(signature, start + 3, end);
          else if (signature.startsWith('v1a,', start)) {
            const bytes = decodeBase64(signature.slice(start + 4, end));
            if (bytes && bytes.length === 64) v1a.push(bytes);
          }
        }
        start = end + 1;
      }
      if (!v1.wellFormed && v1a.length === 0)
        throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'no well-formed v1 or v1a signature in webhook-signature', scheme: 'standardWebhooks' });

      const prefix = `${id}.${ts}.`;
      let signed: Buffer | undefined;
      let begun = false;
      for (const k of input.keysFor(this)) {
        const key = k.key as StandardKey;
        if (key.kind === 'hmac') {
          if (!v1.wellFormed) continue;
          if (!begun) {
            v1.begin();
            begun = true;
          }
          // Header text was decoded as latin1 by Node: latin1 gives back the bytes the sender signed.
          // matches() wipes the digest, matched or not (not left in pooled memory).
          if (v1.matches(key.key.mac('sha256', prefix, input.body, undefined))) {
            v1.clear();
            return { scheme: 'standardWebhooks', id, timestamp: Number(ts), keyId: k.id, replayId: id, replayable: true };
          }
        } else {
          if (v1a.length === 0) continue;
          signed ??= joined(prefix, input.body);
          for (const c of v1a) {
            // Bounded per request: 32 bogus entries must not cost 32 verifications of a 1 MiB body.
            if (!input.tryAsymmetric()) break;
            if (cryptoVerify(null, signed, key.key, c)) {
              v1.clear();
              return { scheme: 'standardWebhooks', id, timestamp: Number(ts), keyId: k.id, replayId: id, replayable: true };
            }
          }
        }
      }
      v1.clear();
      throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'no signature matched an active key', scheme: 'standardWebhooks' });
    },
  };
}
