import { standardWebhooks, createVerifier, type VerifiedWebhook } from '@hookguard/core';
import { createWebVerifier, verifyWebhook, withWebhook, type WebhookHandler } from '@hookguard/web';

type Invoice = { type: string; data: { id: string } };
// Workers-style extra arguments reach the handler, typed.
type Env = { SECRET: string };
type Ctx = { waitUntil(p: Promise<unknown>): void };
export const fetchHandler = withWebhook<Invoice, { id?: string }, [Env, Ctx]>(
  { scheme: standardWebhooks({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }), onHandlerError: 'respond', remoteAddress: (req) => req.headers.get('cf-connecting-ip') ?? undefined },
  async (webhook, request, env, ctx) => {
    const id: string = webhook.payload.data.id;
    ctx.waitUntil(Promise.resolve(env.SECRET));
    return Response.json({ id, url: request.url });
  },
);
export async function nextRoute(request: Request, context: { params: Promise<{ tenant: string }> }): Promise<Response> {
  const verifier = createVerifier({ scheme: standardWebhooks({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }) });
  const webhook: VerifiedWebhook<Invoice> = await verifyWebhook<Invoice>(request, { verifier, params: async (_req, ctx: typeof context) => await ctx.params }, context);
  return Response.json({ type: webhook.payload.type });
}
const web = createWebVerifier({ scheme: standardWebhooks({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }), problemDetail: false });
export const direct = (request: Request) => web.verify(request);
export const handler: WebhookHandler = (webhook) => new Response(webhook.id ?? '');
