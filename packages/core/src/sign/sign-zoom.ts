import { createHmac } from 'node:crypto';
import { bodyBytes, seconds, type SignBody } from './common.js';

export interface SignZoomInput {
  /** The app's secret token. */
  secret: string;
  body: SignBody;
  timestamp?: number | Date;
}

/** `x-zm-signature: v0=<hex>` over `v0:{ts}:{body}` and `x-zm-request-timestamp`. */
export function signZoom(input: SignZoomInput): Record<string, string> {
  const ts = seconds(input.timestamp);
  const sig = createHmac('sha256', input.secret).update(`v0:${ts}:`).update(bodyBytes(input.body)).digest('hex');
  return { 'x-zm-request-timestamp': String(ts), 'x-zm-signature': `v0=${sig}` };
}
