// A real receiver for the CLI's tests: Express 5 with @hookguard/express over HTTPS (or plain
// HTTP), on 127.0.0.1, recording every rejected delivery exactly as the verifier saw it.
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import express from 'express';
import { fromParam, type Scheme, type TenantConfig, type WebhookRequest, type WebhookVerificationError } from '@hookguard/core';
import { verifyWebhook } from '@hookguard/express';

export interface Rejection {
  code: string;
  headers: Record<string, string | readonly string[] | undefined>;
  body: Buffer;
}

export interface ReceiverOptions {
  scheme: Scheme;
  tenants: Map<string, TenantConfig>;
  /** HTTPS options; omit for plain HTTP. */
  tls?: ServerOptions;
  /** express.json() mounted before the webhook route: the "body parsed first" mistake. */
  parseFirst?: boolean;
  /** The verifier's clock (a receiver whose clock is off). */
  now?: () => number;
}

export interface Receiver {
  /** https://localhost:<port> (or http://). */
  origin: string;
  port: number;
  rejections: Rejection[];
  handled: number;
  /** Writes the last rejection as a headers file and a body file, as a receiver's log would hold them. */
  saveLastRejection(dir: string, name: string): Promise<{ headers: string; body: string }>;
  close(): Promise<void>;
}

export async function startReceiver(o: ReceiverOptions): Promise<Receiver> {
  const rejections: Rejection[] = [];
  const state = { handled: 0 };
  const app = express();
  if (o.parseFirst) app.use(express.json());
  app.post(
    '/hooks/:tenant',
    verifyWebhook({
      scheme: o.scheme,
      tenants: { resolve: fromParam('tenant'), lookup: (id) => o.tenants.get(id), cacheTtlMs: 0 },
      ...(o.now ? { now: o.now } : {}),
      onRejected: (e: WebhookVerificationError, r: WebhookRequest) => {
        rejections.push({ code: e.code, headers: { ...r.headers }, body: Buffer.from(r.body) });
      },
    }),
    (_req, res) => {
      state.handled++;
      res.status(200).json({ received: true });
    },
  );
  const server: Server = o.tls ? createHttpsServer(o.tls, app) : createHttpServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `${o.tls ? 'https' : 'http'}://localhost:${port}`,
    port,
    rejections,
    get handled() {
      return state.handled;
    },
    async saveLastRejection(dir, name) {
      const r = rejections.at(-1);
      if (!r) throw new Error('no rejection recorded');
      await mkdir(dir, { recursive: true });
      const headers = join(dir, `${name}.headers`);
      const body = join(dir, `${name}.body`);
      const lines = Object.entries(r.headers).flatMap(([k, v]) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => `${k}: ${x}`));
      await writeFile(headers, `POST /hooks HTTP/1.1\n${lines.join('\n')}\n`);
      await writeFile(body, r.body);
      return { headers, body };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
