// RFC 9530 Content-Digest: a Dictionary of algorithm = :digest: over the exact body bytes.
import { createHash } from 'node:crypto';
import { safeEqual } from './compare.js';
import { isInnerList, parseDictionary } from './structured-fields.js';

/** The algorithms we check; RFC 9530 deprecates the rest (md5, sha, unixsum, crc32c...), which are ignored. */
const ALGORITHMS: Readonly<Record<string, { hash: string; bytes: number }>> = { 'sha-256': { hash: 'sha256', bytes: 32 }, 'sha-512': { hash: 'sha512', bytes: 64 } };
const BOUNDS = { maxLength: 1024, maxMembers: 8, maxItems: 0, maxParams: 4 };

export type DigestVerdict = 'match' | { mismatch: string } | { malformed: string };

/**
 * Checks a Content-Digest field against the body: every sha-256 / sha-512 member must match (at
 * least one must be there). A member of another algorithm is ignored, as RFC 9530 allows.
 */
export function checkContentDigest(field: string, body: Buffer): DigestVerdict {
  const parsed = parseDictionary(field, BOUNDS);
  if (!parsed.ok) return { malformed: `Content-Digest is not a structured dictionary: ${parsed.reason}` };
  let checked = 0;
  for (const [name, member] of parsed.value) {
    const algorithm = ALGORITHMS[name];
    if (!algorithm) continue;
    if (isInnerList(member) || !Buffer.isBuffer(member.value) || member.value.length !== algorithm.bytes)
      return { malformed: `Content-Digest ${name} must be a byte sequence of ${algorithm.bytes} bytes` };
    checked++;
    if (!safeEqual(createHash(algorithm.hash).update(body).digest(), member.value)) return { mismatch: `the ${name} digest does not match the body` };
  }
  return checked > 0 ? 'match' : { malformed: 'Content-Digest holds neither sha-256 nor sha-512' };
}

/** The Content-Digest field of a body, for signers. */
export function contentDigestField(body: Buffer, algorithm: 'sha-256' | 'sha-512' = 'sha-256'): string {
  return `${algorithm}=:${createHash(ALGORITHMS[algorithm]!.hash).update(body).digest('base64')}:`;
}
