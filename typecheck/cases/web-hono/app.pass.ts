import { Hono } from 'hono';
import { github } from '@hookguard/core';
import { webhook } from '@hookguard/web/hono';

type Push = { ref: string };
const app = new Hono();
app.post('/github', webhook<Push>({ scheme: github({ secret: 'x' }), problemDetail: false }), (c) => {
  const ref: string = c.get('webhook').payload.ref;
  return c.json({ ref });
});
export default app;
