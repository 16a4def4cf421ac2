// A tiny webhook server for Bun and Deno (not Node): `bun server.js <secret>`, `deno run -A server.js <secret>`.
// Prints `listening <port>` once it accepts connections on 127.0.0.1.
import { standardWebhooks } from '@hookguard/core';
import { withWebhook } from '@hookguard/web';

declare const Bun: any;
declare const Deno: any;

const secret: string = typeof Deno !== 'undefined' ? Deno.args[0] : (globalThis as any).process.argv[2];
const handler = withWebhook({ scheme: standardWebhooks({ secret }) }, (webhook) => Response.json({ got: webhook.payload, runtime: typeof Deno !== 'undefined' ? 'deno' : 'bun' }));

if (typeof Deno !== 'undefined') {
  Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }: { port: number }) => console.log(`listening ${port}`) }, handler);
} else {
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handler });
  console.log(`listening ${server.port}`);
}
