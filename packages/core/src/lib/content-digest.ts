// RFC 9530 Content-Digest: a Dictionary of algorithm = :digest: over the exact body bytes.
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { ByteSequence, isInnerList, parseDictionary } from './structured-fields.js';

/** The algorithms we check; RFC 9530 deprecates the rest (md5, sha, unixsum, crc32c...), which are ignored. */
const ALGORITHMS: Readonly<Record<string, { hash: string; bytes: number }>> = { 'sha-256': { hash: 'sha256', bytes: 32 }, 'sha-512': { hash: 'sha512', bytes: 64 } };
const BOUNDS = { maxLength: 1024, maxMembers: 8, maxItems: 0, maxParams: 4 };
// Canonical base64 of 32 or 64 bytes ends in "=" / "==" after a character with its unused bits zero.
const SINGLE = /^sha-(256|512)=:([A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/]{85}[AQgw]==):$/;
// crypto.hash() (Node >= 20.12) digests in one call, without a Hash object; read off the namespace so
// older 20.x still load (see hmac.ts).
const oneShot = (nodeCrypto as Partial<Pick<typeof nodeCrypto, 'hash'>>).hash;
const digestOf = (hash: string, body: Buffer) => (oneShot ? oneShot(hash, body, 'base64') : createHash(hash).update(body).digest('base64'));

export type DigestVerdict = 'match' | { mismatch: string } | { malformed: string };

/**
 * Checks a Content-Digest field against the body: every sha-256 / sha-512 member must match (at
 * least one must be there). A member of another algorithm is ignored, as RFC 9530 allows.
 */
export function checkContentDigest(field: string, body: Buffer): DigestVerdict {
  // The common field, one sha-256 or sha-512 member as signers write it: the digest of the body is
  // compared with the field's text in place (no match array, no slice, no dictionary). Equal text is
  // a canonical member; anything else is read as before, the digest reused (the body hashed once).
  let known: string | undefined;
  const sha256 = field.length === 54 && field.startsWith('sha-256=:');
  if ((sha256 || (field.length === 98 && field.startsWith('sha-512=:'))) && field.charCodeAt(field.length - 1) === 0x3a) {
    known = digestOf(sha256 ? 'sha256' : 'sha512', body);
    if (field.startsWith(known, 9)) return 'match';
  }
  const one = SINGLE.exec(field);
  if (one && one[2]!.length === (one[1] === '256' ? 44 : 88)) {
    const name = `sha-${one[1]}`;
    return (known ?? digestOf(ALGORITHMS[name]!.hash, body)) === one[2] ? 'match' : { mismatch: `the ${name} digest does not match the body` };
  }
  const parsed = parseDictionary(field, BOUNDS);
  if (!parsed.ok) return { malformed: `Content-Digest is not a structured dictionary: ${parsed.reason}` };
  let checked = 0;
  for (const [name, member] of parsed.value) {
    const algorithm = ALGORITHMS[name];
    if (!algorithm) continue;
    if (isInnerList(member) || !(member.value instanceof ByteSequence) || member.value.length !== algorithm.bytes)
      return { malformed: `Content-Digest ${name} must be a byte sequence of ${algorithm.bytes} bytes` };
    checked++;
    // Digests are public: compared as text (canonical base64 has one spelling per digest).
    if (digestOf(algorithm.hash, body) !== member.value.base64) return { mismatch: `the ${name} digest does not match the body` };
  }
  return checked > 0 ? 'match' : { malformed: 'Content-Digest holds neither sha-256 nor sha-512' };
}

/** The Content-Digest field of a body, for signers. */
export function contentDigestField(body: Buffer, algorithm: 'sha-256' | 'sha-512' = 'sha-256'): string {
  return `${algorithm}=:${digestOf(ALGORITHMS[algorithm]!.hash, body)}:`;
}
