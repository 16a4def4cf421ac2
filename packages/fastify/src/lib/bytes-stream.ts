import { Readable } from 'node:stream';

/**
 * The verified bytes, handed back to Fastify as the request payload: its content-type parser
 * (JSON, @fastify/formbody, your own) then reads exactly what was verified. `receivedEncodedLength`
 * is what Fastify compares with Content-Length; it is the length of the bytes read off the wire.
 */
export function bytesStream(body: Buffer): Readable {
  const stream = new Readable({ read() {} });
  if (body.length > 0) stream.push(body);
  stream.push(null);
  (stream as Readable & { receivedEncodedLength?: number }).receivedEncodedLength = body.length;
  return stream;
}
