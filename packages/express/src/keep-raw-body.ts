import type { IncomingMessage, ServerResponse } from 'node:http';
import { RAW_BODY_KEY } from './lib/raw-body-key.js';

/**
 * A body-parser `verify` function that keeps the exact bytes for verifyWebhook(), for apps that
 * parse bodies before the webhook middleware:
 * `app.use(express.json({ verify: keepRawBody }))` (also express.urlencoded / express.raw / express.text).
 */
export function keepRawBody(req: IncomingMessage, _res: ServerResponse, buf: Buffer): void {
  Object.defineProperty(req, RAW_BODY_KEY, { value: buf, configurable: true, writable: true, enumerable: false });
}
