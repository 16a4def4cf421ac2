// Deno entry point: Deno.serve with the handler itself, the client's address from the handler's
// info.remoteAddr (the README's recipe). `deno run -A deno.js <collector>`; prints `listening <port>`.
import { createRuntimeApp } from '../runtime-app.js';

// What this file uses of Deno's API (no Deno types here).
interface DenoServeHandlerInfo {
  remoteAddr: { transport: string; hostname: string; port: number };
}
declare const Deno: {
  readonly args: string[];
  serve(
    options: { hostname: string; port: number; onListen: (addr: { hostname: string; port: number }) => void },
    handler: (request: Request, info: DenoServeHandlerInfo) => Response | Promise<Response>,
  ): unknown;
};

const collector = Deno.args[0];
if (!collector) throw new Error('usage: deno run -A deno.js <collector url>');
const app = createRuntimeApp({ runtime: 'deno', collector, remoteAddress: (_request, info: DenoServeHandlerInfo) => info.remoteAddr.hostname });
Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(`listening ${port}`) }, app);
