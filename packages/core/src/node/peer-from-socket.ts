import type { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from '../types.js';

/** The parts of a net.Socket / tls.TLSSocket (or an HTTP/2 socket proxy) read here. */
export interface SocketLike {
  encrypted?: boolean;
  authorized?: boolean;
  authorizationError?: Error | string | null;
  getPeerX509Certificate?(): X509Certificate | undefined;
}

/** What the TLS handshake said about the client certificate; `tls: false` for plain HTTP. */
export function peerFromSocket(socketOrPlain: SocketLike | object | undefined | null): PeerCertificate {
  // Typed loosely on purpose: a plain net.Socket (HTTP) shares no field with a TLS socket.
  const socket = socketOrPlain as SocketLike | undefined | null;
  if (!socket || socket.encrypted !== true) return { tls: false, source: 'socket' };
  const peer: PeerCertificate = { tls: true, authorized: socket.authorized === true, source: 'socket' };
  const err = socket.authorizationError;
  if (err) peer.authorizationError = typeof err === 'string' ? err : ((err as { code?: string }).code ?? err.message);
  const cert = socket.getPeerX509Certificate?.();
  if (cert) peer.certificate = cert;
  return peer;
}
