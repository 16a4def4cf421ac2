import type { KeyObject } from 'node:crypto';
import type { PreparedKey, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { joiner } from './public-keys.js';

export interface TimestampedBodyDefinition {
  name: string;
  /** Header names as the vendor spells them (matched case-insensitively). */
  signatureHeader: string;
  timestampHeader: string;
  /** The signature bytes of the header, or undefined (with `malformed` as the detail). */
  decode(header: string): Buffer | undefined;
  malformed: string;
  /** One public-key verification of the signed bytes. */
  check(signed: Buffer, key: KeyObject, signature: Buffer): boolean;
  staticKeys: readonly PreparedKey[] | undefined;
  prepareKeys: Scheme['prepareKeys'];
}

const TIMESTAMP = /^[0-9]{1,15}$/;

/**
 * A public-key scheme that signs `timestamp | body` (Discord, SendGrid). The timestamp is digits
 * and the body follows it without a separator: a digit moved between them changes the timestamp
 * tenfold (out of tolerance), and every split signs the same bytes, whose digest is the replay
 * identity — so one signature has one reading and one key.
 */
export function timestampedBodyScheme(d: TimestampedBodyDefinition): Scheme {
  const join = joiner();
  const sigName = d.signatureHeader.toLowerCase();
  const tsName = d.timestampHeader.toLowerCase();
  const scheme: Scheme = {
    name: d.name,
    staticKeys: d.staticKeys,
    prepareKeys: d.prepareKeys,
    verify(input: SchemeInput): SchemeVerdict {
      const header = input.header(sigName);
      if (header === undefined) throw new WebhookVerificationError('MISSING_SIGNATURE', { detail: `no ${d.signatureHeader} header`, scheme: d.name });
      const ts = input.header(tsName);
      if (ts === undefined || !TIMESTAMP.test(ts)) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: `${d.timestampHeader} must be integer seconds`, scheme: d.name });
      const signature = d.decode(header);
      if (!signature) throw new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: d.malformed, scheme: d.name });
      const signed = join(ts, input.body);
      for (const k of input.keysFor(scheme)) {
        // Bounded per request (rotation: two keys), shared with every public-key scheme of the request.
        if (!input.tryAsymmetric()) break;
        if (d.check(signed, k.key as KeyObject, signature))
          return { scheme: d.name, timestamp: Number(ts), keyId: k.id, signedContent: { prefix: ts, body: input.body }, replayable: true };
      }
      throw new WebhookVerificationError('SIGNATURE_MISMATCH', { detail: 'signature matched no active public key', scheme: d.name });
    },
  };
  return scheme;
}
