import type { KeyInput, Scheme } from '../types.js';
import { defineScheme } from '../define-scheme.js';

export interface ZoomOptions {
  /** The app's webhook secret token, newest first. Omit to take it from the tenant. */
  secret?: KeyInput | readonly KeyInput[];
}

// https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events: `x-zm-signature: v0=<hex>`,
// HMAC-SHA256 of `v0:{x-zm-request-timestamp}:{body}` keyed with the secret token; the timestamp in
// seconds. Zoom's payloads carry no event id: the replay identity is the digest of the signed content.
const defineZoom = defineScheme({
  name: 'zoom',
  template: 'v0:{timestamp}:{body}',
  read(request) {
    const header = request.header('x-zm-signature');
    return {
      signatures: header === undefined ? undefined : header.startsWith('v0=') ? header.slice(3) : [],
      timestamp: request.header('x-zm-request-timestamp') ?? '',
    };
  },
});

/** Zoom: `x-zm-signature: v0=<hex>` over `v0:{timestamp}:{body}`, `x-zm-request-timestamp`. */
export function zoom(options: ZoomOptions = {}): Scheme {
  return defineZoom(options);
}
