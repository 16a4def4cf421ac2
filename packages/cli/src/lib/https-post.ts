// One POST over HTTP or HTTPS (with a client certificate when given), bounded in time and size.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface PostInput {
  url: URL;
  headers: Record<string, string>;
  body: Buffer;
  cert?: string | undefined;
  key?: string | undefined;
  ca?: string | undefined;
  /** Accept any server certificate (doctor checks it separately). */
  insecure?: boolean;
  timeoutMs: number;
}

export interface PostAnswer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  tlsProtocol: string | undefined;
}

const MAX_ANSWER = 256 * 1024;

export class PostError extends Error {
  constructor(
    message: string,
    /** Node's error code: ECONNREFUSED, ERR_SSL_TLSV1_ALERT_UNKNOWN_CA, ... */
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export function post(i: PostInput): Promise<PostAnswer> {
  const https = i.url.protocol === 'https:';
  const host = i.url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      {
        host,
        port: i.url.port || (https ? 443 : 80),
        path: `${i.url.pathname}${i.url.search}`,
        method: 'POST',
        headers: { ...i.headers, 'content-length': String(i.body.length) },
        timeout: i.timeoutMs,
        agent: false,
        ...(https
          ? {
              // SNI only for names (RFC 6066); an IP literal is sent without.
              ...(isIP(host) ? {} : { servername: host }),
              ...(i.cert !== undefined ? { cert: i.cert } : {}),
              ...(i.key !== undefined ? { key: i.key } : {}),
              ...(i.ca !== undefined ? { ca: i.ca } : {}),
              rejectUnauthorized: i.insecure !== true,
            }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const protocol = https ? ((res.socket as TLSSocket | null)?.getProtocol?.() ?? undefined) : undefined;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_ANSWER) chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks), tlsProtocol: protocol ?? undefined }),
        );
        res.on('error', (e: NodeJS.ErrnoException) => reject(new PostError(e.message, e.code)));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${Math.round(i.timeoutMs / 1000)} s`), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new PostError(e.message, e.code)));
    req.end(i.body);
  });
}
