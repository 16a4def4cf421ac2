import type { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from '../types.js';

/** The parts of a net.Socket / tls.TLSSocket (or an HTTP/2 socket proxy) read here. */
export interface SocketLike {
  encrypted?: boolean;
  authorized?: boolean;
  authorizationError?: Error | string | null;
  getPeerX509Certificate?(): X509Certificate | undefined;
}

// One verdict per connection: a keep-alive connection carries many deliveries, and the
// certificate (and Node's verdict on it) cannot change without a new handshake.
const perSocket = new WeakMap<object, PeerCertificate>();
const PLAIN: PeerCertificate = Object.freeze({ tls: false, source: 'socket' as const });

/**
 * What the TLS handshake said about the client certificate; `tls: false` for plain HTTP. Works
 * for HTTP/1.1 TLS sockets and for HTTP/2 (whose `req.socket` proxy answers the same calls).
 */
export function peerFromSocket(socketOrPlain: SocketLike | object | undefined | null): PeerCertificate {
  // Typed loosely on purpose: a plain net.Socket (HTTP) shares no field with a TLS socket.
  const socket = socketOrPlain as SocketLike | undefined | null;
  if (!socket || socket.encrypted !== true) return PLAIN;
  const cached = perSocket.get(socket);
  if (cached) return cached;
  const peer: PeerCertificate = { tls: true, authorized: socket.authorized === true, source: 'socket' };
  const err = socket.authorizationError;
  if (err) peer.authorizationError = typeof err === 'string' ? err : ((err as { code?: string }).code ?? err.message);
  const cert = socket.getPeerX509Certificate?.();
  if (cert) peer.certificate = cert;
  perSocket.set(socket, peer);
  return peer;
}
