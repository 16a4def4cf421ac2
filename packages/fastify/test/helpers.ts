import Fastify5 from 'fastify';
import type { FastifyInstance } from 'fastify';
import Fastify4 from 'fastify4';

/** The same tests run against both major versions (Fastify 4's instance is typed as 5's: the API used here is common). */
export const FASTIFY_VERSIONS = [
  { name: 'Fastify 5', create: (opts: Record<string, unknown> = {}) => Fastify5(opts) as unknown as FastifyInstance },
  { name: 'Fastify 4', create: (opts: Record<string, unknown> = {}) => Fastify4(opts) as unknown as FastifyInstance },
] as const;

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1, port 0. */
export async function listen(app: FastifyInstance): Promise<TestServer> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
export { send, startRequest, whsec, deferred, JSON_TYPE, type Reply, type SendOptions, type PendingRequest, type Deferred } from '@hookguard/testkit';
