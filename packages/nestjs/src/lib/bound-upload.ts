import type { IncomingMessage } from 'node:http';
// The same drain bound as core's readRawBody, from core: one number for every adapter.
import { DRAIN_MAX_BYTES, DRAIN_MAX_MS, WebhookConfigError } from '@hookguard/core';

/** What useWebhookBodyParser's parsers read (body-parser's default types for json and urlencoded). */
const PARSED_TYPES = new Set(['application/json', 'application/x-www-form-urlencoded']);

const UNITS: Record<string, number> = { kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30, tb: 2 ** 40, pb: 2 ** 50 };

/** body-parser's limit in bytes, read as body-parser reads it (the `bytes` package); 100kb when unset. */
export function parserLimit(limit: number | string | undefined): number {
  if (limit === undefined) return 100 * 1024;
  if (typeof limit === 'number' && Number.isFinite(limit) && limit >= 0) return limit;
  if (typeof limit === 'string') {
    const m = /^(\d+(?:\.\d+)?) *(kb|mb|gb|tb|pb)$/i.exec(limit.trim());
    const n = m ? Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!) : /^\d+ *b?$/i.test(limit.trim()) ? parseInt(limit, 10) : NaN;
    if (Number.isFinite(n)) return n;
  }
  // body-parser 1.x would read such a limit as "no limit" and buffer any upload.
  throw new WebhookConfigError(`useWebhookBodyParser: limit must be a number of bytes or a size such as '1mb' (got ${JSON.stringify(limit)})`);
}

/** Could this request run past the parser's limit? Only bodies our parsers read are watched. */
function mayExceed(req: IncomingMessage, limit: number): boolean {
  const type = req.headers['content-type'];
  if (typeof type !== 'string' || !PARSED_TYPES.has(type.split(';', 1)[0]!.trim().toLowerCase())) return false;
  const length = req.headers['content-length'];
  if (length === undefined) return req.headers['transfer-encoding'] !== undefined;
  return !/^[0-9]+$/.test(length) || Number(length) > limit;
}

/**
 * Past the limit, body-parser reads an upload off to its very end before it hands on its 413 — so
 * that the sender reads the answer — but without any bound: a chunked sender could stream for as
 * long as Node's requestTimeout (300 s). This holds body-parser to core's bound: once DRAIN_MAX_BYTES
 * past the limit, or DRAIN_MAX_MS after passing it, the connection is cut (the sender then gets no
 * answer; body-parser's error still reaches the guard, which reports BODY_TOO_LARGE to onRejected).
 *
 * A class, and only for bodies that can exceed the limit (chunked, or a Content-Length over it).
 * Listening here cannot take bytes from the parser: body-parser attaches its own listener in the
 * same tick (it is mounted right after), and for these content types nobody else reads the stream.
 */
class UploadBound {
  #seen = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly limit: number,
  ) {
    req.on('data', this.onData);
    req.once('end', this.stop);
    req.once('close', this.stop);
  }

  readonly onData = (chunk: Buffer): void => {
    this.#seen += chunk.length;
    if (this.#seen <= this.limit) return;
    if (this.#seen - this.limit > DRAIN_MAX_BYTES) return this.cut();
    if (this.#timer === undefined) {
      this.#timer = setTimeout(this.cut, DRAIN_MAX_MS);
      this.#timer.unref?.();
    }
  };

  readonly stop = (): void => {
    clearTimeout(this.#timer);
    this.req.off('data', this.onData);
    this.req.off('end', this.stop);
    this.req.off('close', this.stop);
  };

  readonly cut = (): void => {
    this.stop();
    this.req.destroy();
  };
}

/** Express middleware, mounted right before the body parsers. */
export function boundUploads(limit: number): (req: IncomingMessage, res: unknown, next: () => void) => void {
  return function hookguardBoundUpload(req, _res, next) {
    if (mayExceed(req, limit)) new UploadBound(req, limit);
    next();
  };
}
