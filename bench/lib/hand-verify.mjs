// The hand-written Standard Webhooks verifier of the issue, shared by the verify cells and the HTTP
// servers: prefix and Buffer streamed into the HMAC, no copy of the body. Returns the message id
// when a `v1` signature matches, else undefined.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function handVerifyStandardWebhooks(headers, body, key, toleranceSec, nowSec) {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof signatures !== 'string') return undefined;
  const t = Number(ts);
  if (!Number.isInteger(t) || Math.abs(nowSec - t) > toleranceSec) return undefined;
  const expected = createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest();
  for (const part of signatures.split(' ')) {
    if (!part.startsWith('v1,')) continue;
    const sig = Buffer.from(part.slice(3), 'base64');
    if (sig.length === expected.length && timingSafeEqual(sig, expected)) return id;
  }
  return undefined;
}
