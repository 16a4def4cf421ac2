import { WebhookVerificationError } from '@hookguard/core';

const EMPTY = Buffer.alloc(0);
const CONSUMED = 'the request body was already read (request.json(), .text(), .formData() or another middleware); verify the Request before anything reads its body';

/**
 * The exact bytes of a Fetch Request, bounded: a declared Content-Length over the limit is refused
 * before anything is read, and the stream is read with a running cap, cancelled past it.
 */
export async function readBody(request: Request, limit: number): Promise<Buffer> {
  if (request.bodyUsed || request.body?.locked === true) throw new WebhookVerificationError('RAW_BODY_UNAVAILABLE', { detail: CONSUMED });
  const lengthHeader = request.headers.get('content-length');
  const length = lengthHeader !== null && /^[0-9]+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  if (length !== undefined && length > limit) {
    request.body?.cancel().catch(ignore);
    throw new WebhookVerificationError('BODY_TOO_LARGE', { detail: `Content-Length ${length} exceeds the limit of ${limit} bytes` });
  }
  const stream = request.body;
  if (stream === null) return EMPTY;
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      let result: Awaited<ReturnType<typeof reader.read>>;
      try {
        result = await reader.read();
      } catch (e) {
        throw new WebhookVerificationError('RAW_BODY_UNAVAILABLE', { detail: 'the request body could not be read (client aborted?)', cause: e });
      }
      if (result.done) break;
      const chunk = result.value;
      size += chunk.byteLength;
      if (size > limit) {
        chunks.length = 0;
        reader.cancel().catch(ignore);
        throw new WebhookVerificationError('BODY_TOO_LARGE', { detail: `body exceeds the limit of ${limit} bytes` });
      }
      chunks.push(chunk);
    }
  } finally {
    try {
      reader.releaseLock();
    } catch {
      // a pending read after cancel: nothing to release
    }
  }
  if (length !== undefined && size !== length) throw new WebhookVerificationError('MALFORMED_PAYLOAD', { detail: 'body length does not match Content-Length' });
  if (chunks.length === 0) return EMPTY;
  if (chunks.length === 1) return Buffer.from(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.byteLength);
  return Buffer.concat(chunks, size);
}

function ignore(): void {}
