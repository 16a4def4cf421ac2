import Fastify5, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import Fastify4 from 'fastify4';
import formbody from '@fastify/formbody';
import { verifyWebhook } from '@hookguard/fastify';
import type { ReplayStore } from '@hookguard/core';
import { HandlerLog, routeOptions, type RunningServer } from './fixture.js';

/** The fixture's routes on Fastify 5 or 4, each verified with @hookguard/fastify's route options. */
export async function startFastify(flavour: 'fastify5' | 'fastify4', store?: ReplayStore): Promise<RunningServer> {
  const log = new HandlerLog();
  const o = routeOptions(log, store);
  const app = (flavour === 'fastify4' ? Fastify4() : Fastify5()) as unknown as FastifyInstance;
  // Twilio's form bodies: @fastify/formbody on 5; on 4 (formbody 8 refuses it) a form parser of its own.
  if (flavour === 'fastify5') await app.register(formbody);
  else app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
  const handler = (route: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    const status = await log.run(route, request.webhook?.id, request.body);
    return reply.code(status).send({ ok: status < 400, tenant: request.webhook?.tenant ?? null });
  };
  // What a Fastify app's error handler does: the error's status, else 500.
  app.setErrorHandler((error: { status?: number; statusCode?: number }, _request, reply) => reply.code(error.statusCode ?? error.status ?? 500).send({ error: 'handler failed' }));
  app.post('/webhooks/:tenant', verifyWebhook(o.tenants, handler('tenants')));
  app.post('/github', verifyWebhook(o.github, handler('github')));
  app.post('/stripe', verifyWebhook(o.stripe, handler('stripe')));
  app.post('/strict/:tenant', verifyWebhook(o.strict, handler('strict')));
  app.post('/down/:tenant', verifyWebhook(o.down, handler('down')));
  app.post('/large/:tenant', verifyWebhook(o.large, handler('large')));
  app.post('/twilio', verifyWebhook(o.twilio, handler('twilio')));
  app.post('/twilio-untrusted', verifyWebhook(o.twilioUntrusted, handler('twilioUntrusted')));
  app.post('/http-signature', verifyWebhook(o.httpSignature, handler('httpSignature')));
  app.post('/pagerduty', verifyWebhook(o.pagerduty, handler('pagerduty')));
  // One verifier for both methods; it answers Adobe's verification GET itself (the handler never runs).
  app.route({ method: ['GET', 'POST'], url: '/adobe', ...verifyWebhook(o.adobe, handler('adobe')) });
  // Another plugin's preParsing hook read the body first: the exact bytes are gone.
  await app.register(async (scope) => {
    scope.addHook('preParsing', async (_request, _reply, payload) => {
      for await (const _chunk of payload) void _chunk;
    });
    scope.post('/parsed/:tenant', verifyWebhook(routeOptions(log).tenants, handler('parsed')));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { name: flavour, url: `http://127.0.0.1:${port}`, log, close: () => app.close() };
}
