import { createVerifier, isWebhookVerificationError } from '@hookguard/core';
import type { HeaderMap } from './header-map.js';
import type { SchemeKit } from './schemes.js';

export type OfflineVerdict =
  | { kind: 'verified'; timestamp: number | undefined }
  | { kind: 'rejected'; code: string; detail: string | undefined }
  | { kind: 'config'; message: string };

/** core's own verdict on a captured delivery, as a receiver configured with this secret would give it. */
export async function verifyOffline(kit: SchemeKit, secret: string, headers: HeaderMap, body: Buffer, at: number, toleranceSec: number): Promise<OfflineVerdict> {
  let verifier;
  try {
    verifier = createVerifier({ scheme: kit.scheme(secret), replay: false, toleranceSec, now: () => at, maxBodyBytes: 17 * 1024 * 1024 });
  } catch (e) {
    // WebhookConfigError: core refuses the secret itself (whitespace, not base64...); its message holds no secret.
    return { kind: 'config', message: (e as Error).message };
  }
  try {
    const w = await verifier.verify({ method: 'POST', url: '/', headers: headers.toRecord(), body });
    return { kind: 'verified', timestamp: w.timestamp };
  } catch (e) {
    if (isWebhookVerificationError(e)) return { kind: 'rejected', code: e.code, detail: e.detail };
    throw e;
  }
}
