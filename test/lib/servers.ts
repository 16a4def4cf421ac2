import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express5 from 'express';
import express4 from 'express4';
import Koa from 'koa';
import Router from '@koa/router';
import { verifyWebhook as expressVerify } from '@hookguard/express';
import { verifyWebhook as koaVerify } from '@hookguard/koa';
import type { ReplayStore } from '@hookguard/core';
import { HandlerLog, routeOptions, type RunningServer } from './fixture.js';

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}
function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
}

export async function startExpress(flavour: 'express4' | 'express5', store?: ReplayStore): Promise<RunningServer> {
  const express = (flavour === 'express4' ? express4 : express5) as typeof express5;
  const log = new HandlerLog();
  const o = routeOptions(log, store);
  const app = express();
  const handler = (route: string) => async (req: express5.Request, res: express5.Response, next: express5.NextFunction) => {
    try {
      const status = await log.run(route, req.webhook?.id, req.body);
      res.status(status).json({ ok: status < 400, tenant: req.webhook?.tenant ?? null });
    } catch (e) {
      next(e);
    }
  };
  app.post('/webhooks/:tenant', expressVerify(o.tenants), handler('tenants'));
  app.post('/github', expressVerify(o.github), handler('github'));
  app.post('/stripe', expressVerify(o.stripe), handler('stripe'));
  app.post('/strict/:tenant', expressVerify(o.strict), handler('strict'));
  app.post('/down/:tenant', expressVerify(o.down), handler('down'));
  app.post('/large/:tenant', expressVerify(o.large), handler('large'));
  app.post('/twilio', expressVerify(o.twilio), handler('twilio'));
  app.post('/twilio-untrusted', expressVerify(o.twilioUntrusted), handler('twilioUntrusted'));
  app.post('/http-signature', expressVerify(o.httpSignature), handler('httpSignature'));
  app.post('/pagerduty', expressVerify(o.pagerduty), handler('pagerduty'));
  // One middleware for both methods; it answers Adobe's verification GET itself (the handler never runs).
  const adobe = expressVerify(o.adobe);
  app.get('/adobe', adobe, handler('adobe'));
  app.post('/adobe', adobe, handler('adobe'));
  // A body parser mounted first, without keepRawBody: the raw bytes are gone.
  app.post('/parsed/:tenant', express.json(), expressVerify(routeOptions(log).tenants), handler('parsed'));
  // What an Express app's error handler does: the error's status, else 500.
  app.use((err: { status?: number }, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
    res.status(err.status ?? 500).json({ error: 'handler failed' });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { name: flavour, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log, close: closer(server) };
}

export async function startKoa(store?: ReplayStore): Promise<RunningServer> {
  const log = new HandlerLog();
  const o = routeOptions(log, store);
  const app = new Koa();
  const router = new Router();
  const handler = (route: string) => async (ctx: Koa.Context) => {
    const webhook = ctx.state.webhook as { id?: string; tenant?: string } | undefined;
    const status = await log.run(route, webhook?.id, ctx.request.body);
    ctx.status = status;
    ctx.body = { ok: status < 400, tenant: webhook?.tenant ?? null };
  };
  router.post('/webhooks/:tenant', koaVerify(o.tenants), handler('tenants'));
  router.post('/github', koaVerify(o.github), handler('github'));
  router.post('/stripe', koaVerify(o.stripe), handler('stripe'));
  router.post('/strict/:tenant', koaVerify(o.strict), handler('strict'));
  router.post('/down/:tenant', koaVerify(o.down), handler('down'));
  router.post('/large/:tenant', koaVerify(o.large), handler('large'));
  router.post('/twilio', koaVerify(o.twilio), handler('twilio'));
  router.post('/twilio-untrusted', koaVerify(o.twilioUntrusted), handler('twilioUntrusted'));
  router.post('/http-signature', koaVerify(o.httpSignature), handler('httpSignature'));
  router.post('/pagerduty', koaVerify(o.pagerduty), handler('pagerduty'));
  const adobe = koaVerify(o.adobe);
  router.get('/adobe', adobe, handler('adobe'));
  router.post('/adobe', adobe, handler('adobe'));
  // A middleware that consumed the body without keeping the bytes.
  router.post(
    '/parsed/:tenant',
    async (ctx, next) => {
      for await (const _chunk of ctx.req) void _chunk;
      await next();
    },
    koaVerify(routeOptions(log).tenants),
    handler('parsed'),
  );
  app.silent = true;
  app.use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  const url = await new Promise<string>((resolve) => server.once('listening', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  return { name: 'koa', url, log, close: closer(server) };
}

export { listen };
