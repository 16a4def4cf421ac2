import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isWebhookVerificationError, type WebhookErrorCode, type WebhookRequest } from '@hookguard/core';

const here = dirname(fileURLToPath(import.meta.url));

/** Public vectors, copied from shared/vectors into the package so any clone can run them. */
export function vectors<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(here, '..', 'test', 'vectors', name), 'utf8')) as T;
}

export function request(headers: Record<string, string>, body: Buffer | string, extra: Partial<WebhookRequest> = {}): WebhookRequest {
  return { method: 'POST', url: '/webhooks', headers, body: typeof body === 'string' ? Buffer.from(body) : body, ...extra };
}

/** Asserts the promise rejects with a WebhookVerificationError of this code; returns it. */
export async function rejectsWith(p: Promise<unknown>, code: WebhookErrorCode) {
  try {
    await p;
  } catch (e) {
    assert.ok(isWebhookVerificationError(e), `expected a WebhookVerificationError, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code} (${e.message})`);
    return e;
  }
  assert.fail(`expected rejection with ${code}, but it verified`);
}

export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
