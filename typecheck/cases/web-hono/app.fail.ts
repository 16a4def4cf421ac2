import { Hono } from 'hono';
import { github } from '@hookguard/core';
import { webhook } from '@hookguard/web/hono';

const app = new Hono();
app.post('/github', webhook<{ ref: string }>({ scheme: github({ secret: 'x' }) }), (c) => {
  const n: number = c.get('webhook').payload.ref; // @fail TS2322
  return c.json({ n });
});
// remoteAddress takes Hono's Context, not a Request and a socket.
app.post('/b', webhook({ scheme: github({ secret: 'x' }), remoteAddress: (req: Request, socket: string) => socket }), (c) => c.text('ok')); // @fail TS2322
export default app;
