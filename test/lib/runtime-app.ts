// The contract fixture as one portable Fetch handler, `(request, ...rest) => Promise<Response>`,
// built on @hookguard/web's withWebhook: the routes of ROUTES with the verifier options of
// routeOptions() (fixture.ts imports nothing but @hookguard/core, so it runs on Bun, Deno and
// workerd as it is), answered as servers.ts's Express and Koa handlers answer. It imports nothing
// Node-only: the per-runtime entry points in runtime-entries/ serve it with their own server.
//
// Handler runs go to the test process: each one POSTs `{ route, id, behavior }` to the collector
// (`${collector}/run`), where the test's HandlerLog runs it and says what to answer (a status, or
// an error to throw). So the fixture's behaviours work unchanged across the process boundary —
// 'fail' / 'throw' the first time, 'slow' held until the test opens it — and the test counts the
// runs itself. What the verifiers' hooks saw (onRejected, onSettleFailed) is kept here and read by
// the test from GET /__log, because the hooks are synchronous and a report sent from them could
// arrive after the answer it belongs to.
import { withWebhook } from '@hookguard/web';
import { HandlerLog, ROUTES, routeOptions, type RouteName } from './fixture.js';

export type FetchHandler = (request: Request, ...rest: any[]) => Promise<Response>;

export interface RuntimeAppOptions {
  /** Base URL of the test's collector (http://127.0.0.1:port/<runtime>). */
  collector: string;
  /** The client's address, from the runtime's own API (Node's socket, Bun's server.requestIP, Deno's info, CF-Connecting-IP). */
  remoteAddress?: (request: Request, ...rest: any[]) => string | undefined;
  /** What the runtime is, for GET /__log. */
  runtime: string;
}

/** What GET /__log answers. */
export interface RuntimeLog {
  runtime: string;
  rejected: string[];
  settleFailed: string[];
}

interface RunAnswer {
  status?: number;
  /** The handler throws, with this HTTP status when given (an http-errors style error). */
  throw?: { message: string; status?: number };
}

/** `/webhooks/:tenant` -> a matcher of pathnames giving the params. */
function matcher(pattern: string): (pathname: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const source = pattern.replace(/:(\w+)/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const re = new RegExp(`^${source}$`);
  return (pathname) => {
    const m = re.exec(pathname);
    if (!m) return undefined;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      const raw = m[i + 1] ?? '';
      let value = raw;
      try {
        value = decodeURIComponent(raw);
      } catch {
        // left as sent, as Express leaves a malformed escape
      }
      Object.defineProperty(params, name, { value, enumerable: true, writable: true, configurable: true });
    });
    return params;
  };
}

const pathnameOf = (request: Request) => new URL(request.url).pathname;

export function createRuntimeApp(options: RuntimeAppOptions): FetchHandler {
  // Only its hook arrays are used here: the handler runs are the test's HandlerLog's.
  const hooks = new HandlerLog();
  const log: RuntimeLog = { runtime: options.runtime, rejected: hooks.rejected, settleFailed: hooks.settleFailed };
  const o = routeOptions(hooks);
  const remoteAddress = options.remoteAddress;

  async function run(route: string, id: string | undefined, payload: unknown): Promise<number> {
    const behavior = (payload as { behavior?: unknown } | null)?.behavior;
    const res = await fetch(`${options.collector}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route, id, behavior: typeof behavior === 'string' ? behavior : undefined }),
    });
    if (res.status !== 200) throw new Error(`collector answered ${res.status}`);
    const answer = (await res.json()) as RunAnswer;
    if (answer.throw) throw Object.assign(new Error(answer.throw.message), answer.throw.status === undefined ? {} : { status: answer.throw.status, expose: true });
    return answer.status ?? 200;
  }

  interface Route {
    methods: string[];
    match: (pathname: string) => Record<string, string> | undefined;
    handle: FetchHandler;
  }
  const routes: Route[] = [];
  const add = (name: RouteName | 'parsed', pattern: string, methods: string[], verify: (typeof o)[RouteName], before?: (request: Request) => Promise<void>) => {
    const match = matcher(pattern);
    const hook = withWebhook(
      {
        ...verify,
        params: (request: Request) => match(pathnameOf(request)),
        ...(remoteAddress ? { remoteAddress } : {}),
      },
      async (webhook) => {
        const status = await run(name, webhook.id, webhook.payload);
        return Response.json({ ok: status < 400, tenant: webhook.tenant ?? null }, { status });
      },
    );
    routes.push({
      methods,
      match,
      handle: async (request, ...rest) => {
        if (before) await before(request);
        return hook(request, ...rest);
      },
    });
  };
  for (const name of Object.keys(ROUTES) as RouteName[]) add(name, ROUTES[name], name === 'adobe' ? ['GET', 'POST'] : ['POST'], o[name]);
  // The web form of "a body parser ran first": something read the Request's body before the
  // verifier (await request.json() in an earlier middleware); the exact bytes are gone.
  add('parsed', '/parsed/:tenant', ['POST'], routeOptions(hooks).tenants, async (request) => {
    await request.text();
  });

  return async (request, ...rest) => {
    const pathname = pathnameOf(request);
    if (pathname === '/__log' && request.method === 'GET') return Response.json(log);
    const route = routes.find((r) => r.match(pathname) !== undefined);
    if (!route) return Response.json({ error: 'not found' }, { status: 404 });
    if (!route.methods.includes(request.method)) return Response.json({ error: 'method not allowed' }, { status: 405 });
    try {
      return await route.handle(request, ...rest);
    } catch (e) {
      // What the Express app's error handler does: the error's status, else 500.
      const status = (e as { status?: unknown } | null)?.status;
      return Response.json({ error: 'handler failed' }, { status: typeof status === 'number' ? status : 500 });
    }
  };
}
