// workerd: a module Worker; GET /measure?n=&rounds= checks both paths and runs the loop inside one
// request (Requests made in one request cannot be read in another). workerd's clock here has 1 ms
// steps, so section.mjs gives it batches of at least ~20 ms.
import { check, measure } from './loop.mjs';

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/noop') return new Response('ok');
    if (url.pathname !== '/measure') return new Response('not found', { status: 404 });
    try {
      await check();
      return Response.json(await measure(Number(url.searchParams.get('n')), Number(url.searchParams.get('rounds')), () => performance.now()));
    } catch (e) {
      return Response.json({ error: String(e?.stack ?? e) });
    }
  },
};
