// HTTPS (and plain HTTP) servers of every adapter for the mTLS suite, sharing one verifier per
// route so the tests can invalidate a tenant after revoking a certificate.
import 'reflect-metadata';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import express4 from 'express4';
import Koa from 'koa';
import Router from '@koa/router';
import { Controller, HttpCode, Module, Post, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { verifyWebhook as expressVerify } from '@hookguard/express';
import { verifyWebhook as koaVerify } from '@hookguard/koa';
import Fastify5, { type FastifyInstance } from 'fastify';
import Fastify4 from 'fastify4';
import { verifyWebhook as fastifyVerify } from '@hookguard/fastify';
import { VerifiedWebhook, Webhook, WebhookCertificate, WebhookModule } from '@hookguard/nestjs';
import type { X509Certificate } from 'node:crypto';
import type { Verifier, VerifiedWebhook as Verified } from '@hookguard/core';

export type TlsRoute = 'mtls' | 'proxied' | 'spoofed' | 'envoy';
export type TlsVerifiers = Record<TlsRoute, Verifier>;

export interface TlsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function answer(w: Verified | undefined) {
  return { tenant: w?.tenant ?? null, subject: w?.peer?.certificate?.subject.split('\n')[0] ?? null, source: w?.peer?.source ?? null };
}

async function listen(server: Server, scheme: 'http' | 'https'): Promise<TlsServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${scheme}://localhost:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function expressApp(v: TlsVerifiers, flavour: typeof express) {
  const app = flavour();
  for (const route of Object.keys(v) as TlsRoute[]) {
    app.post(`/${route}/:tenant`, expressVerify({ verifier: v[route] }), (req, res) => {
      res.json(answer(req.webhook));
    });
  }
  return app;
}

function koaApp(v: TlsVerifiers) {
  const app = new Koa();
  app.silent = true;
  const router = new Router();
  for (const route of Object.keys(v) as TlsRoute[]) {
    router.post(`/${route}/:tenant`, koaVerify({ verifier: v[route] }), (ctx) => {
      ctx.body = answer(ctx.state.webhook as Verified);
    });
  }
  app.use(router.routes());
  return app;
}

@Controller()
class TlsController {
  @Post('mtls/:tenant')
  @HttpCode(200)
  @VerifiedWebhook('mtls')
  mtls(@Webhook() w: Verified, @WebhookCertificate() cert: X509Certificate | undefined) {
    // Reads the certificate through the param decorator, as an app would.
    return { ...answer(w), subject: cert?.subject.split('\n')[0] ?? null };
  }
  @Post('proxied/:tenant')
  @HttpCode(200)
  @VerifiedWebhook('proxied')
  proxied(@Webhook() w: Verified) {
    return answer(w);
  }
  @Post('spoofed/:tenant')
  @HttpCode(200)
  @VerifiedWebhook('spoofed')
  spoofed(@Webhook() w: Verified) {
    return answer(w);
  }
  @Post('envoy/:tenant')
  @HttpCode(200)
  @VerifiedWebhook('envoy')
  envoy(@Webhook() w: Verified) {
    return answer(w);
  }
}

export type TlsAdapter = 'express' | 'express4' | 'koa' | 'nestjs' | 'nestjs-fastify' | 'fastify5' | 'fastify4';

/** Fastify serves HTTPS itself (`https`), with the same TLS options as the other adapters' servers. */
async function startFastifyTls(flavour: 'fastify5' | 'fastify4', v: TlsVerifiers, tls: ServerOptions | undefined): Promise<TlsServer> {
  const options = (tls ? { https: tls } : {}) as Record<string, never>;
  const app = (flavour === 'fastify4' ? Fastify4(options) : Fastify5(options)) as unknown as FastifyInstance;
  for (const route of Object.keys(v) as TlsRoute[]) {
    app.post(`/${route}/:tenant`, fastifyVerify({ verifier: v[route] }, async (request) => answer(request.webhook ?? undefined)));
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return { url: `${tls ? 'https' : 'http'}://localhost:${port}`, port, close: () => app.close() };
}

/** Starts one adapter over HTTPS (requestCert, rejectUnauthorized: false) or plain HTTP. */
export async function startTlsServer(adapter: TlsAdapter, v: TlsVerifiers, tls: ServerOptions | undefined): Promise<TlsServer> {
  if (adapter === 'nestjs' || adapter === 'nestjs-fastify') {
    @Module({ imports: [WebhookModule.forRoot({ verifiers: { mtls: { verifier: v.mtls }, proxied: { verifier: v.proxied }, spoofed: { verifier: v.spoofed }, envoy: { verifier: v.envoy } } })], controllers: [TlsController] })
    class TlsModule {}
    const options: NestApplicationOptions = { rawBody: true, logger: false };
    if (tls) options.httpsOptions = tls as NonNullable<NestApplicationOptions["httpsOptions"]>;
    const app =
      adapter === 'nestjs-fastify'
        ? await NestFactory.create(TlsModule, new FastifyAdapter((tls ? { https: tls } : {}) as never), { rawBody: true, logger: false })
        : await NestFactory.create(TlsModule, options);
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer().address() as AddressInfo).port;
    return { url: `${tls ? 'https' : 'http'}://localhost:${port}`, port, close: () => app.close() };
  }
  if (adapter === 'fastify5' || adapter === 'fastify4') return startFastifyTls(adapter, v, tls);
  const handler = adapter === 'koa' ? koaApp(v).callback() : expressApp(v, (adapter === 'express4' ? express4 : express) as typeof express);
  const server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  return listen(server, tls ? 'https' : 'http');
}
