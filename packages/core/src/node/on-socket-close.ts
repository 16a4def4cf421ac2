/**
 * For adapters on Node's http server: calls `fn` when `socket` closes, and returns the function
 * that cancels it. A pipelined request's response has no socket until the answers before it on the
 * connection are written; when the client hangs up meanwhile, that response gets neither 'finish'
 * nor 'close' (nor does the request): only the socket closes, and a reservation waiting on the
 * response would stay in flight until its TTL and then let the handler run again. One listener per
 * socket serves all its waiting responses, so a deep pipeline cannot pile up listeners.
 */
export function onSocketClose(socket: SocketEvents, fn: () => void): () => void {
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

/** The part of a net.Socket this needs. */
export interface SocketEvents {
  once(event: 'close', listener: () => void): unknown;
}

const waiting = new WeakMap<object, Set<() => void>>();
