import { createHash } from 'node:crypto';

/** Longest key stored as given. Core's keys stay well under it; the cap keeps a caller's odd key inside a btree entry. */
export const MAX_STORED_KEY = 512;

/**
 * The primary key a replay key is stored under: itself, or past MAX_STORED_KEY characters its
 * SHA-256 (of the UTF-16 bytes: UTF-8 would map distinct lone surrogates to the same bytes)
 * behind a '#', a prefix no key of core's shape starts with.
 */
export function storedKey(key: string): string {
  return key.length > MAX_STORED_KEY ? '#sha256:' + createHash('sha256').update(key, 'utf16le').digest('base64url') : key;
}
