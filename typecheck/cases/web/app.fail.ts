import { github } from '@hookguard/core';
import { withWebhook, verifyWebhook } from '@hookguard/web';

// The handler answers with a Response, nothing else.
export const a = withWebhook({ scheme: github({ secret: 'x' }) }, async () => ({ ok: true })); // @fail TS2345|TS2322
// onHandlerError takes 'throw' or 'respond'.
export const b = withWebhook({ scheme: github({ secret: 'x' }), onHandlerError: 'next' }, async () => new Response()); // @fail TS2322
// Neither a scheme nor a verifier.
export const c = (request: Request) => verifyWebhook(request, { problemDetail: false }); // @fail TS2345
// A Request, not a Node IncomingMessage.
export const d = verifyWebhook({ headers: {} }, { scheme: github({ secret: 'x' }) }); // @fail TS2345|TS2740
