// Node entry point: node:http bridged to the Fetch handler (Node 20's own Request/Response), as a
// Fetch bridge does it. `node node.js <collector>`; prints `listening <port>` (127.0.0.1).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRuntimeApp, type FetchHandler } from '../runtime-app.js';

interface ConnInfo {
  remoteAddress: string | undefined;
}

/** The request body as a web stream; cancelled (the verifier refused it), the rest is drained, not reset, so the sender reads the answer. */
function bodyOf(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on('end', () => {
        if (!done) controller.close();
        done = true;
      });
      req.on('error', (e) => {
        if (!done) controller.error(e);
        done = true;
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      done = true;
      req.resume();
    },
  });
}

function toRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (method !== 'GET' && method !== 'HEAD') {
    init.body = bodyOf(req);
    init.duplex = 'half';
  }
  return new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, init);
}

async function bridge(app: FetchHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let response: Response;
  try {
    response = await app(toRequest(req), { remoteAddress: req.socket.remoteAddress } satisfies ConnInfo);
  } catch {
    response = new Response('internal error', { status: 500 });
  }
  const body = Buffer.from(await response.arrayBuffer());
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.setHeader('content-length', body.length);
  res.end(body);
}

const collector = process.argv[2];
if (!collector) throw new Error('usage: node node.js <collector url>');
const app = createRuntimeApp({ runtime: 'node', collector, remoteAddress: (_request, info: ConnInfo) => info.remoteAddress });
const server = createServer((req, res) => void bridge(app, req, res));
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
