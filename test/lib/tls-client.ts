import { request, Agent, type AgentOptions } from 'node:https';
import { request as httpRequest } from 'node:http';

export interface TlsAnswer {
  status: number;
  body: any;
  contentType: string;
  reusedSocket: boolean;
  sessionReused: boolean;
}

/** POST over HTTPS with an optional client certificate, through node:https (fetch cannot send one). */
export function post(url: string, o: { headers: Record<string, string>; body: string | Buffer; agent?: Agent; key?: string; cert?: string; ca?: string }): Promise<TlsAnswer> {
  const u = new URL(url);
  const isHttps = u.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const options = {
      host: '127.0.0.1',
      port: u.port,
      path: u.pathname,
      method: 'POST',
      headers: { ...o.headers, 'content-length': String(Buffer.byteLength(o.body)) },
      timeout: 10_000,
      ...(isHttps ? { servername: 'localhost', ...(o.agent ? { agent: o.agent } : { agent: false as const, key: o.key, cert: o.cert, ca: o.ca }) } : {}),
    };
    const req = (isHttps ? request : httpRequest)(options, (res) => {
      // Read now: the socket is detached from the response once it ends.
      const sessionReused = (res.socket as { isSessionReused?: () => boolean } | null)?.isSessionReused?.() === true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({
          status: res.statusCode ?? 0,
          body,
          contentType: String(res.headers['content-type'] ?? ''),
          reusedSocket: (req as { reusedSocket?: boolean }).reusedSocket === true,
          sessionReused,
        });
      });
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(o.body);
  });
}

export function clientAgent(o: AgentOptions): Agent {
  return new Agent({ servername: 'localhost', ...o });
}
