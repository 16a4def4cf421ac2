import getRawBody from 'raw-body';
import type { Readable } from 'node:stream';
import { WebhookVerificationError } from '../webhook-verification-error.js';

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
 * The exact request bytes, for adapters on Node's http server. Refuses at once when a body
 * parser already drained the stream (reading it again would hang forever).
 */
export async function readRawBody(req: NodeRequest, options: ReadRawBodyOptions): Promise<Buffer> {
  const hint = options.consumedHint ?? 'mount the webhook middleware before any body parser';
  if (req._body === true || req.readableEnded || (req.complete === true && req.readableLength === 0 && req.readable === false))
    throw new WebhookVerificationError('RAW_BODY_UNAVAILABLE', { detail: `the request body was already consumed by another parser; ${hint}` });
  const lengthHeader = req.headers?.['content-length'];
  const length = typeof lengthHeader === 'string' && /^[0-9]+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  if (length !== undefined && length > options.limit)
    throw new WebhookVerificationError('BODY_TOO_LARGE', { detail: `Content-Length ${length} exceeds the limit of ${options.limit} bytes` });
  try {
    return await getRawBody(req, length === undefined ? { limit: options.limit } : { limit: options.limit, length });
  } catch (e) {
    const type = (e as { type?: string }).type;
    if (type === 'entity.too.large') throw new WebhookVerificationError('BODY_TOO_LARGE', { detail: `body exceeds the limit of ${options.limit} bytes`, cause: e });
    if (type === 'request.size.invalid') throw new WebhookVerificationError('MALFORMED_PAYLOAD', { detail: 'body length does not match Content-Length', cause: e });
    if (type === 'stream.not.readable')
      throw new WebhookVerificationError('RAW_BODY_UNAVAILABLE', { detail: `the request body was already consumed by another parser; ${hint}`, cause: e });
    throw new WebhookVerificationError('RAW_BODY_UNAVAILABLE', { detail: 'the request body could not be read (client aborted?)', cause: e });
  }
}
