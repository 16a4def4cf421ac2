import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa3 from 'koa';
import type Koa from 'koa';
import Koa2 from 'koa2';

/** The same tests run against both major versions. */
export const KOA_VERSIONS = [
  { name: 'Koa 3', Koa: Koa3 },
  { name: 'Koa 2', Koa: Koa2 },
] as const;

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1, port 0. */
export async function listen(app: Koa): Promise<TestServer> {
  // Rejections are asserted from the responses; keep Koa's default logger quiet.
  app.silent = true;
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export { send, startRequest, whsec, deferred, JSON_TYPE, type Reply, type SendOptions, type PendingRequest, type Deferred } from '@hookguard/testkit';
