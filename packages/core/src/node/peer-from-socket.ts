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
export function peerFromSocket(socket: SocketLike | undefined | null): PeerCertificate {
  if (!socket || socket.encrypted !== true) return { tls: false, source: 'socket' };
  const peer: PeerCertificate = { tls: true, authorized: socket.authorized === true, source: 'socket' };
  const err = socket.authorizationError;
  if (err) peer.authorizationError = typeof err === 'string' ? err : ((err as { code?: string }).code ?? err.message);
  const cert = socket.getPeerX509Certificate?.();
  if (cert) peer.certificate = cert;
  return peer;
}
