import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body in these pieces with chunked transfer encoding (no Content-Length). */
  chunks?: readonly Buffer[];
  /** Called once the request is on its way; return to abort it, for the disconnect cases. */
  signal?: AbortSignal;
}

export async function listen(handler: Parameters<typeof import('node:http').createServer>[1]): Promise<{ server: Server; base: string }> {
  const { createServer } = await import('node:http');
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}` };
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** One real HTTP request on its own connection (no keep-alive agent, so nothing lingers). */
export function send(url: string, options: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body);
    const req = httpRequest(url, { method: options.method ?? 'POST', headers, agent: false, signal: options.signal }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    // The server may answer (413) and close before it read everything we send: the answer wins.
    req.on('error', reject);
    if (options.chunks) {
      for (const c of options.chunks) req.write(c);
      req.end();
    } else req.end(options.body);
  });
}

export interface Gate {
  /** Resolves when the handler reached the gate. */
  entered: Promise<void>;
  enter(): void;
  /** Resolves when the test opens the gate. */
  opened: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let enter!: () => void;
  let open!: () => void;
  const entered = new Promise<void>((r) => (enter = r));
  const opened = new Promise<void>((r) => (open = r));
  return { entered, enter, opened, open };
}

export function whsec(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}
