import type { Readable } from 'node:stream';
import { WebhookVerificationError } from '../webhook-verification-error.js';
import { DRAIN_MAX_BYTES, DRAIN_MAX_MS } from '../limits.js';

export interface ReadRawBodyOptions {
  /** Largest body read, bytes; past it: BODY_TOO_LARGE without buffering the rest. */
  limit: number;
  /** How to fix it, shown when another body parser already consumed the stream. */
  consumedHint?: string;
}

type NodeRequest = Readable & {
  headers?: Record<string, string | string[] | undefined>;
  complete?: boolean;
  _body?: boolean;
};


/**
 * Reads the rest of an oversized upload and drops it, until it ends or the bound (bytes or time) is
 * reached; then the 413 is sent with `Connection: close`. A sender that keeps writing past the bound
 * is cut off: nobody can hold a socket open or make us read without limit.
 */
function drain(req: NodeRequest, already: number): Promise<void> {
  return new Promise((resolve) => {
    let dropped = already;
    const finish = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', finish);
      req.off('error', finish);
      req.off('close', finish);
      if (!req.readableEnded) req.pause();
      resolve();
    };
    const onData = (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > DRAIN_MAX_BYTES) finish();
    };
    const timer = setTimeout(finish, DRAIN_MAX_MS);
    timer.unref?.();
    req.on('data', onData);
    req.on('end', finish);
    req.on('error', finish);
    req.on('close', finish);
    if (req.readableEnded) finish();
    else req.resume();
  });
}

/**
 * The exact request bytes, for adapters on Node's http server. Refuses at once when a body
 * parser already drained the stream (reading it again would hang forever). Written against the
 * stream directly (no raw-body): one listener set, and one copy at most.
 */
export function readRawBody(req: NodeRequest, options: ReadRawBodyOptions): Promise<Buffer> {
  const hint = options.consumedHint ?? 'mount the webhook middleware before any body parser';
  const limit = options.limit;
  if (req._body === true || req.readableEnded || (req.complete === true && req.readableLength === 0 && req.readable === false))
    return Promise.reject(new WebhookVerificationError('RAW_BODY_UNAVAILABLE', { detail: `the request body was already consumed by another parser; ${hint}` }));
  if (req.readableEncoding)
    return Promise.reject(new WebhookVerificationError('RAW_BODY_UNAVAILABLE', { detail: `the request stream was set to decode text (setEncoding), so its exact bytes are lost; ${hint}` }));
  const lengthHeader = req.headers?.['content-length'];
  const length = typeof lengthHeader === 'string' && /^[0-9]+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  if (length !== undefined && length > limit) {
    const error = new WebhookVerificationError('BODY_TOO_LARGE', { detail: `Content-Length ${length} exceeds the limit of ${limit} bytes` });
    // Within the drain bound, the upload is read off (never kept) so the sender gets to read the 413.
    return length - limit <= DRAIN_MAX_BYTES ? drain(req, 0).then(() => Promise.reject(error)) : Promise.reject(error);
  }

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error: WebhookVerificationError | undefined, body?: Buffer) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (error) reject(error);
      else resolve(body!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Nothing more is buffered. The rest is read off and dropped (bounded) before the adapter
        // answers, so the sender, still writing, reads the 413 instead of a reset connection.
        const error = new WebhookVerificationError('BODY_TOO_LARGE', { detail: `body exceeds the limit of ${limit} bytes` });
        chunks.length = 0;
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('close', onClose);
        void drain(req, size - limit).then(() => reject(error));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (length !== undefined && size !== length) done(new WebhookVerificationError('MALFORMED_PAYLOAD', { detail: 'body length does not match Content-Length' }));
      else done(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (e: unknown) => done(new WebhookVerificationError('RAW_BODY_UNAVAILABLE', { detail: 'the request body could not be read (client aborted?)', cause: e }));
    const onClose = () => done(new WebhookVerificationError('RAW_BODY_UNAVAILABLE', { detail: 'the client closed the connection before the body was complete' }));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
