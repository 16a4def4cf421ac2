import { createHmac } from 'node:crypto';
import { WebhookConfigError } from './webhook-config-error.js';
import { MAX_ID_LENGTH } from './limits.js';

export interface ZoomUrlValidationOptions {
  /** The verified payload (`webhook.payload`) of a zoom() delivery. */
  payload: unknown;
  /** The app's secret token, the one zoom() verified the delivery with. */
  secret: string;
}

export interface ZoomUrlValidationAnswer {
  plainToken: string;
  /** Hex HMAC-SHA256 of plainToken under the secret token. */
  encryptedToken: string;
}

/**
 * The JSON body Zoom expects back (status 200) for an `endpoint.url_validation` event, or undefined for
 * any other event (https://developers.zoom.us/docs/api/webhooks/#validate-your-webhook-endpoint). Zoom
 * signs these events like any other: answer only after zoom() verified the delivery.
 */
export function zoomUrlValidation(options: ZoomUrlValidationOptions): ZoomUrlValidationAnswer | undefined {
  if (typeof options?.secret !== 'string' || options.secret === '') throw new WebhookConfigError('zoomUrlValidation: secret is required');
  const p = options.payload as { event?: unknown; payload?: { plainToken?: unknown } } | null | undefined;
  if (typeof p !== 'object' || p === null || p.event !== 'endpoint.url_validation') return undefined;
  const plainToken = p.payload?.plainToken;
  // Echoed back as it is: bounded like any id.
  if (typeof plainToken !== 'string' || plainToken === '' || plainToken.length > MAX_ID_LENGTH) return undefined;
  return { plainToken, encryptedToken: createHmac('sha256', options.secret).update(plainToken, 'utf8').digest('hex') };
}
