import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { PreparedKey, SignedContent } from '../types.js';
import { safeEqual } from './compare.js';

// crypto.hash() (Node >= 20.12) digests in one native call. Read off the namespace, not imported by
// name: an ESM named import of a missing export would stop the module from loading on older 20.x.
const oneShot = (nodeCrypto as Partial<Pick<typeof nodeCrypto, 'hash'>>).hash;
const BLOCK_BYTES: Readonly<Record<string, number>> = { sha1: 64, sha256: 64, sha384: 128, sha512: 128 };
// Above this the one-shot path's copy of the body costs more than createHmac's object set-up saves.
const ONE_SHOT_MAX = 32 * 1024;
// Inner-hash input (key block | prefix | body | suffix); verification is synchronous, so one buffer serves every call.
let scratch = Buffer.allocUnsafe(4096);
// Buffer's own latin1 writer: buf.write(s, at, 'latin1') looks the encoding up on every call.
type Latin1Writer = Buffer & { latin1Write(text: string, offset: number, length: number): number };
const HAS_LATIN1_WRITE = typeof (Buffer.prototype as Partial<Latin1Writer>).latin1Write === 'function';

/**
 * `text` as latin1 into `into` at `at`; the bytes written. latin1Write is undocumented and its
 * length default differs: Node's is what is left after the offset, workerd's (nodejs_compat) the
 * whole buffer, which it refuses past offset 0 (a RangeError: every HMAC failed there). So the
 * length is always given, and a Buffer without the method gets buf.write.
 */
export function writeLatin1(into: Buffer, text: string, at: number): number {
  return HAS_LATIN1_WRITE ? (into as Latin1Writer).latin1Write(text, at, into.length - at) : into.write(text, at, 'latin1');
}
const ZEROS_64 = new Uint8Array(64);
const ZEROS_128 = new Uint8Array(128);

interface Pads {
  block: number;
  digest: number;
  inner: Buffer; // K0 ^ ipad
  outer: Buffer; // K0 ^ opad, followed by room for the inner digest
}

/**
 * An HMAC key (RFC 2104). createHmac() costs ~2 µs of object set-up per call on Node 20, more than
 * hashing a 1 KiB body; for bodies up to 32 KiB the HMAC is computed as two one-shot hashes over
 * precomputed key blocks instead (~0.6x the cost at 256 B). Larger bodies stream through createHmac,
 * so they are never copied. The key bytes live only in private fields.
 */
export class HmacKey {
  readonly #object: KeyObject;
  readonly #bytes: Buffer;
  #sha256: Pads | undefined;
  readonly #pads = new Map<string, Pads>();

  /** Tells keys with the same bytes apart from others; a digest, never the key, and never printed. */
  readonly #fingerprint: string;

  constructor(bytes: Uint8Array) {
    this.#bytes = Buffer.from(bytes);
    this.#object = createSecretKey(this.#bytes);
    this.#fingerprint = createHash('sha256').update('hookguard key fingerprint\0').update(this.#bytes).digest('base64url');
  }

  get fingerprint(): string {
    return this.#fingerprint;
  }

  #padsFor(algorithm: string): Pads | undefined {
    if (algorithm === 'sha256' && this.#sha256) return this.#sha256;
    let pads = this.#pads.get(algorithm);
    if (pads) return pads;
    const block = BLOCK_BYTES[algorithm];
    if (block === undefined) return undefined;
    const k0 = Buffer.alloc(block);
    (this.#bytes.length > block ? createHash(algorithm).update(this.#bytes).digest() : this.#bytes).copy(k0);
    const digest = createHash(algorithm).digest().length;
    const inner = Buffer.alloc(block);
    const outer = Buffer.alloc(block + digest);
    for (let i = 0; i < block; i++) {
      inner[i] = k0[i]! ^ 0x36;
      outer[i] = k0[i]! ^ 0x5c;
    }
    pads = { block, digest, inner, outer };
    this.#pads.set(algorithm, pads);
    if (algorithm === 'sha256') this.#sha256 = pads;
    return pads;
  }

  /** HMAC over prefix|body|suffix; prefix and suffix are header text, written back as latin1 (the bytes Node read). */
  mac(algorithm: string, prefix: string | undefined, body: Buffer, suffix: string | undefined): Buffer {
    const size = body.length + (prefix?.length ?? 0) + (suffix?.length ?? 0);
    const pads = oneShot && size <= ONE_SHOT_MAX ? this.#padsFor(algorithm) : undefined;
    if (!pads || !oneShot) {
      const h = createHmac(algorithm, this.#object);
      if (prefix) h.update(prefix, 'latin1');
      h.update(body);
      if (suffix) h.update(suffix, 'latin1');
      return h.digest();
    }
    if (scratch.length < pads.block + size) scratch = Buffer.allocUnsafe(Math.max(pads.block + size, scratch.length * 2));
    const into = scratch;
    let at = pads.inner.copy(into, 0);
    if (prefix) at += writeLatin1(into, prefix, at);
    at += body.copy(into, at);
    if (suffix) at += writeLatin1(into, suffix, at);
    // 'binary' (latin1) output: a digest as a one-byte string is far cheaper for Node to return than a Buffer.
    const inner = oneShot(algorithm, into.subarray(0, at), 'binary');
    into.set(pads.block === 64 ? ZEROS_64 : ZEROS_128, 0); // the key block does not outlive the call in the shared buffer
    writeLatin1(pads.outer, inner, pads.block);
    // Pooled like any small Buffer; callers wipe a digest that matched nothing (see matchHmac).
    const out = Buffer.allocUnsafe(pads.digest);
    writeLatin1(out, oneShot(algorithm, pads.outer, 'binary'), 0);
    return out;
  }

  /** Never the key bytes in logs, inspection or JSON. */
  toJSON(): string {
    return '[HmacKey]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[HmacKey]';
  }
}

/** Secret bytes held as an HmacKey: padded once per key, so requests never touch the raw secret. */
export function hmacKey(bytes: Buffer): HmacKey {
  return new HmacKey(bytes);
}

/**
 * The id of the first key whose HMAC over prefix|body|suffix equals one of `candidates`. The body is
 * never decoded (and copied only below HmacKey's one-shot limit).
 */
export function matchHmac(
  algorithm: string,
  keys: readonly PreparedKey[],
  prefix: string | undefined,
  body: Buffer,
  suffix: string | undefined,
  candidates: readonly Buffer[],
): string | undefined {
  for (const k of keys) {
    // Header-derived text: Node decoded the header bytes as latin1, so latin1 restores those bytes.
    const digest = (k.key as HmacKey).mac(algorithm, prefix, body, suffix);
    for (const c of candidates) if (safeEqual(digest, c)) return k.id;
    // A digest that matched nothing is the valid signature of the sender's bytes: wipe it rather
    // than leave it in pooled memory.
    digest.fill(0);
  }
  return undefined;
}

/** Event id at the top of a JSON body, read from the signed bytes whatever the Content-Type says. */
export function jsonIdOf(body: Buffer, field: string): string | undefined {
  let i = 0;
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i++;
  if (body[i] !== 0x7b) return undefined; // not a JSON object
  try {
    const id = (JSON.parse(body.toString('utf8')) as Record<string, unknown>)[field];
    return typeof id === 'string' && id.length > 0 && id.length <= 255 ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Replay identity for schemes without a signed id: SHA-256 of the exact signed bytes. It depends on
 * nothing but what the sender signed — not on which of our keys matched, their order, the scheme
 * that read it or the header that carried it.
 */
export function contentDigest(content: SignedContent): string {
  const h = createHash('sha256');
  if (content.prefix) h.update(content.prefix, 'latin1');
  h.update(content.body);
  if (content.suffix) h.update(content.suffix, 'latin1');
  return h.digest('base64url');
}

/** A fixed-size stand-in for a long key part. */
export function shortDigest(text: string): string {
  // UTF-16 code units, not UTF-8: lossless for lone surrogates, so two ids never share a digest input.
  return createHash('sha256').update(text, 'utf16le').digest('base64url');
}
