// The few Bun, Deno and Cloudflare Workers globals the @hookguard/web recipes use, for
// scripts/check-readme-blocks.mjs. Their type packages (bun-types, Deno's lib.deno.d.ts,
// @cloudflare/workers-types) are not installed here and the README check downloads nothing, so
// these are minimal stand-ins with the same names and shapes as the runtimes' own declarations.

declare namespace Bun {
  interface SocketAddress {
    address: string;
    port: number;
    family: 'IPv4' | 'IPv6';
  }
  interface Server {
    readonly port: number;
    requestIP(request: Request): SocketAddress | null;
  }
  interface ServeOptions {
    hostname?: string;
    port?: number | string;
    fetch(this: Server, request: Request, server: Server): Response | Promise<Response>;
  }
  const env: Record<string, string | undefined>;
  function serve(options: ServeOptions): Server;
}

declare namespace Deno {
  interface NetAddr {
    transport: 'tcp' | 'udp';
    hostname: string;
    port: number;
  }
  interface UnixAddr {
    transport: 'unix' | 'unixpacket';
    path: string;
  }
  type Addr = NetAddr | UnixAddr;
  interface ServeHandlerInfo<A extends Addr = Addr> {
    remoteAddr: A;
    completed: Promise<void>;
  }
  type ServeHandler<A extends Addr = Addr> = (request: Request, info: ServeHandlerInfo<A>) => Response | Promise<Response>;
  interface ServeTcpOptions {
    port?: number;
    hostname?: string;
    onListen?: (localAddr: NetAddr) => void;
  }
  interface HttpServer {
    readonly finished: Promise<void>;
    shutdown(): Promise<void>;
  }
  function serve(options: ServeTcpOptions, handler: ServeHandler<NetAddr>): HttpServer;
  const env: {
    get(key: string): string | undefined;
  };
}

/** Workers' third fetch() argument (@cloudflare/workers-types names it ExecutionContext). */
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}
