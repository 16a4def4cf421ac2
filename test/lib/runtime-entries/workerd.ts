// workerd entry point: a module Worker, `export default { fetch(request, env, ctx) }`, built on the
// first request from env (the README's recipe); withWebhook settles under ctx.waitUntil. The client's
// address is CF-Connecting-IP, the only one a Worker gets: the test's workerd config sets it on every
// request, as Cloudflare's edge does (injectRequestHeaders replaces any the client sent).
import { createRuntimeApp, type FetchHandler } from '../runtime-app.js';

interface Env {
  /** The test's collector, a text binding. */
  COLLECTOR: string;
}
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}

let app: FetchHandler | undefined;

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    app ??= createRuntimeApp({ runtime: 'workerd', collector: env.COLLECTOR, remoteAddress: (req) => req.headers.get('cf-connecting-ip') ?? undefined });
    return app(request, env, ctx);
  },
};
