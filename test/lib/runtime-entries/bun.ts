// Bun entry point: Bun.serve, the client's address from server.requestIP (the README's recipe).
// `bun bun.js <collector>`; prints `listening <port>` (127.0.0.1).
import { createRuntimeApp } from '../runtime-app.js';

// What this file uses of Bun's API (no bun-types package here).
interface BunServer {
  readonly port: number;
  requestIP(request: Request): { address: string; port: number; family: string } | null;
}
declare const Bun: {
  readonly argv: string[];
  serve(options: { hostname: string; port: number; fetch: (request: Request, server: BunServer) => Response | Promise<Response> }): BunServer;
};

const collector = Bun.argv[2];
if (!collector) throw new Error('usage: bun bun.js <collector url>');
const app = createRuntimeApp({ runtime: 'bun', collector, remoteAddress: (request, server: BunServer) => server.requestIP(request)?.address });
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (request, server) => app(request, server) });
console.log(`listening ${server.port}`);
