/**
 * For adapters on Node's http server that settle from the response's events: calls `fn` when the
 * client hangs up while `response` is still queued, and returns the function that cancels it (or
 * undefined when there is nothing to watch). A pipelined request's response has no socket until
 * the answers before it on the connection are written; when the client hangs up meanwhile, that
 * response gets neither 'finish' nor 'close' (nor does the request): only the socket closes, and a
 * reservation waiting on the response would stay in flight until its TTL and then let the handler
 * run again. One listener per socket serves all its waiting responses, so a deep pipeline cannot
 * pile up listeners.
 */
export function onQueuedResponseHangUp(response: QueuedResponse, fn: () => void): (() => void) | undefined {
  const socket = response.req?.socket;
  // A response with its socket gets 'close' itself; a socket already gone fired its 'close' before.
  if (response.socket || !socket || socket.destroyed) return undefined;
  let set = waiting.get(socket);
  if (set === undefined) {
    const all = (set = new Set());
    waiting.set(socket, all);
    socket.once('close', () => {
      waiting.delete(socket);
      for (const f of all) f();
    });
  }
  set.add(fn);
  return () => void set.delete(fn);
}

/** The part of Node's ServerResponse this needs (Express's and Fastify's raw reply are one). */
export interface QueuedResponse {
  readonly socket: object | null;
  readonly req?: { readonly socket?: SocketEvents | null } | undefined;
}

/** The part of a net.Socket this needs. */
export interface SocketEvents {
  readonly destroyed?: boolean;
  once(event: 'close', listener: () => void): unknown;
}

const waiting = new WeakMap<object, Set<() => void>>();
