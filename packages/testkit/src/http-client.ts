// A plain HTTP/1.1 client for adapter tests: one connection per request, chunked uploads, early answers, hang-ups.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): any;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body in 256-byte chunks without Content-Length (Transfer-Encoding: chunked). */
  chunked?: boolean;
  /** Declare this Content-Length, send no body, and wait for the server's early answer. */
  declaredLength?: number;
}

/** One request on its own connection (no keep-alive: nothing is left open after the test). */
export function send(url: string, options: SendOptions = {}): Promise<Reply> {
  return startRequest(url, options).response;
}

export interface PendingRequest {
  response: Promise<Reply>;
  /** Destroy the connection without waiting for an answer. */
  abort(): void;
}

export function startRequest(url: string, options: SendOptions = {}): PendingRequest {
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (options.declaredLength !== undefined) headers['content-length'] = String(options.declaredLength);
  else if (body && !options.chunked) headers['content-length'] = String(body.length);
  const req = http.request(url, { method: options.method ?? 'POST', headers, agent: false });
  let answered = false;
  const response = new Promise<Reply>((resolve, reject) => {
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        // Early answers (413) leave our side of the upload unfinished.
        req.destroy();
      });
      res.on('error', reject);
    });
    req.on('error', (e) => {
      // Writing the rest of a refused upload may fail once the server has answered; the answer counts.
      if (!answered) reject(e);
    });
  });
  if (options.declaredLength !== undefined) req.flushHeaders();
  else if (body && options.chunked) void writeChunks(req, body, () => answered);
  else req.end(body);
  return { response, abort: () => req.destroy() };
}

async function writeChunks(req: http.ClientRequest, body: Buffer, answered: () => boolean): Promise<void> {
  const size = 256;
  // Bounded: one pass over the body; stops early once the server answered.
  for (let offset = 0; offset < body.length && !answered() && !req.destroyed; offset += size) {
    req.write(body.subarray(offset, offset + size));
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (!answered() && !req.destroyed) req.end();
}

/** A fresh Standard Webhooks secret. */
export function whsec(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** A promise with its resolver, for ordering steps across client and server. */
export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export const JSON_TYPE = { 'content-type': 'application/json' };
