// A TLS handshake that also reads the server's CertificateRequest: whether the server asks for a
// client certificate at all, and the CA names it advertises as acceptable.
//
// Node has no API for either. The client socket runs over a tee'd stream that keeps the bytes the
// server sent; TLS 1.2 sends CertificateRequest in the clear, and for TLS 1.3 (where it is
// encrypted) the 'keylog' event hands us the server's handshake traffic secret, so the handshake
// records are decrypted here (RFC 8446 section 7) — our own connection, our own keys.
import { createDecipheriv, createHmac, type X509Certificate } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export interface TraceInput {
  host: string;
  port: number;
  /** SNI name (omitted for IP literals). */
  servername: string | undefined;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  /** First bytes to send once connected (a HEAD request): a TLS 1.3 server's verdict on our certificate arrives after the handshake, as an alert on the first read. */
  request: string;
  timeoutMs: number;
}

export interface HandshakeTrace {
  /** The handshake completed from our side. */
  connected: boolean;
  /** A failure during or right after the handshake (the server's alert, a reset). */
  error: { code: string | undefined; message: string } | undefined;
  /** The server answered our request (so it accepted the connection as it was). */
  answered: boolean;
  protocol: string | undefined;
  /** Undefined: the handshake records could not be read (see `traceNote`). */
  certificateRequested: boolean | undefined;
  /** DER of each DistinguishedName in CertificateRequest.certificate_authorities. */
  acceptableCas: Buffer[];
  server: { certificate: X509Certificate | undefined; chain: X509Certificate[]; authorized: boolean; authorizationError: string | undefined };
  traceNote: string | undefined;
}

const MAX_CAPTURE = 1024 * 1024;
const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

interface TlsRecord {
  type: number;
  header: Buffer;
  body: Buffer;
}

function records(buf: Buffer): TlsRecord[] {
  const out: TlsRecord[] = [];
  let off = 0;
  while (off + 5 <= buf.length && out.length < 4096) {
    const len = buf.readUInt16BE(off + 3);
    if (off + 5 + len > buf.length) break;
    out.push({ type: buf[off]!, header: buf.subarray(off, off + 5), body: buf.subarray(off + 5, off + 5 + len) });
    off += 5 + len;
  }
  return out;
}

function* handshakeMessages(stream: Buffer): Generator<{ type: number; body: Buffer }> {
  let off = 0;
  while (off + 4 <= stream.length) {
    const len = stream.readUIntBE(off + 1, 3);
    if (off + 4 + len > stream.length) return;
    yield { type: stream[off]!, body: stream.subarray(off + 4, off + 4 + len) };
    off += 4 + len;
  }
}

/** ServerHello: the cipher suite and whether TLS 1.3 was chosen (supported_versions = 0x0304). */
function readServerHello(body: Buffer): { suite: number; tls13: boolean; retry: boolean } | undefined {
  if (body.length < 38) return undefined;
  const retry = body.subarray(2, 34).toString('hex') === HRR_RANDOM;
  let off = 34;
  off += 1 + body[off]!; // session id
  if (off + 3 > body.length) return undefined;
  const suite = body.readUInt16BE(off);
  off += 3; // suite + compression
  let tls13 = false;
  if (off + 2 <= body.length) {
    const end = off + 2 + body.readUInt16BE(off);
    off += 2;
    while (off + 4 <= end && off + 4 <= body.length) {
      const type = body.readUInt16BE(off);
      const len = body.readUInt16BE(off + 2);
      if (type === 43 && len === 2 && body.readUInt16BE(off + 4) === 0x0304) tls13 = true;
      off += 4 + len;
    }
  }
  return { suite, tls13, retry };
}

/** DistinguishedName<1..2^16-1> authorities<3..2^16-1> */
function readDnList(buf: Buffer, off: number): Buffer[] {
  const out: Buffer[] = [];
  if (off + 2 > buf.length) return out;
  const end = Math.min(buf.length, off + 2 + buf.readUInt16BE(off));
  off += 2;
  while (off + 2 <= end && out.length < 256) {
    const len = buf.readUInt16BE(off);
    if (off + 2 + len > end) break;
    out.push(Buffer.from(buf.subarray(off + 2, off + 2 + len)));
    off += 2 + len;
  }
  return out;
}

function caNames12(body: Buffer): Buffer[] {
  // certificate_types<1..2^8-1>, supported_signature_algorithms<2..2^16-2>, certificate_authorities
  let off = 1 + (body[0] ?? 0);
  if (off + 2 > body.length) return [];
  off += 2 + body.readUInt16BE(off);
  return readDnList(body, off);
}

function caNames13(body: Buffer): Buffer[] {
  // certificate_request_context<0..2^8-1>, extensions<2..2^16-1>; certificate_authorities is extension 47
  let off = 1 + (body[0] ?? 0);
  if (off + 2 > body.length) return [];
  const end = Math.min(body.length, off + 2 + body.readUInt16BE(off));
  off += 2;
  while (off + 4 <= end) {
    const type = body.readUInt16BE(off);
    const len = body.readUInt16BE(off + 2);
    if (type === 47) return readDnList(body, off + 4);
    off += 4 + len;
  }
  return [];
}

/** HKDF-Expand-Label (RFC 8446 7.1) with an empty context. */
function expandLabel(hash: string, secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
  const blocks: Buffer[] = [];
  let prev = Buffer.alloc(0);
  for (let i = 1, got = 0; got < length; i++) {
    prev = createHmac(hash, secret).update(prev).update(info).update(Buffer.from([i])).digest();
    blocks.push(prev);
    got += prev.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

const SUITES: Record<number, { cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305'; keyLength: number; hash: string }> = {
  0x1301: { cipher: 'aes-128-gcm', keyLength: 16, hash: 'sha256' },
  0x1302: { cipher: 'aes-256-gcm', keyLength: 32, hash: 'sha384' },
  0x1303: { cipher: 'chacha20-poly1305', keyLength: 32, hash: 'sha256' },
};

/** The CertificateRequest in the bytes the server sent; undefined when they cannot be read. */
export function findCertificateRequest(inbound: Buffer, serverHandshakeSecret: Buffer | undefined): { requested: boolean; cas: Buffer[] } | { unreadable: string } {
  const recs = records(inbound);
  let plain = Buffer.alloc(0);
  let hello: ReturnType<typeof readServerHello>;
  let i = 0;
  for (; i < recs.length; i++) {
    const r = recs[i]!;
    if (r.type === 22) plain = Buffer.concat([plain, r.body]);
    else if (r.type === 20) {
      // TLS 1.2: after the server's ChangeCipherSpec its records are encrypted; 1.3 sends a dummy one.
      hello = undefined;
      for (const m of handshakeMessages(plain)) if (m.type === 2) hello = readServerHello(m.body);
      if (!hello?.tls13) break;
    } else if (r.type === 23) break;
    else if (r.type === 21) break; // alert
  }
  hello = undefined;
  for (const m of handshakeMessages(plain)) {
    if (m.type === 2) {
      const h = readServerHello(m.body);
      if (h && !h.retry) hello = h;
    }
  }
  if (!hello) return { unreadable: 'no ServerHello in the bytes received' };
  if (!hello.tls13) {
    for (const m of handshakeMessages(plain)) {
      if (m.type === 13) return { requested: true, cas: caNames12(m.body) };
      if (m.type === 14) return { requested: false, cas: [] }; // ServerHelloDone without a request
    }
    return { unreadable: 'the TLS 1.2 handshake ended before ServerHelloDone' };
  }
  const suite = SUITES[hello.suite];
  if (!suite) return { unreadable: `unknown TLS 1.3 cipher suite 0x${hello.suite.toString(16)}` };
  if (!serverHandshakeSecret) return { unreadable: 'Node did not report the handshake secret (keylog)' };
  const key = expandLabel(suite.hash, serverHandshakeSecret, 'key', suite.keyLength);
  const iv = expandLabel(suite.hash, serverHandshakeSecret, 'iv', 12);
  let stream = Buffer.alloc(0);
  let seq = 0n;
  for (; i < recs.length; i++) {
    const r = recs[i]!;
    if (r.type === 20) continue;
    if (r.type !== 23 || r.body.length < 17) break;
    const nonce = Buffer.from(iv);
    const s = Buffer.alloc(8);
    s.writeBigUInt64BE(seq++);
    for (let k = 0; k < 8; k++) nonce[4 + k]! ^= s[k]!;
    let inner: Buffer;
    try {
      const d = createDecipheriv(suite.cipher, key, nonce, { authTagLength: 16 } as never) as ReturnType<typeof createDecipheriv> & { setAAD(b: Buffer): void; setAuthTag(b: Buffer): void };
      d.setAAD(r.header);
      d.setAuthTag(r.body.subarray(r.body.length - 16));
      inner = Buffer.concat([d.update(r.body.subarray(0, r.body.length - 16)), d.final()]);
    } catch {
      break; // application-data keys from here on: the handshake part is over
    }
    let end = inner.length;
    while (end > 0 && inner[end - 1] === 0) end--;
    if (end === 0 || inner[end - 1] !== 22) break;
    stream = Buffer.concat([stream, inner.subarray(0, end - 1)]);
    for (const m of handshakeMessages(stream)) {
      if (m.type === 13) return { requested: true, cas: caNames13(m.body) };
      if (m.type === 20) return { requested: false, cas: [] }; // server Finished without a request
    }
  }
  return { unreadable: "the server's encrypted handshake could not be read" };
}

function chainOf(socket: TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = [];
  let cur = socket.getPeerX509Certificate()?.issuerCertificate;
  while (cur && out.length < 8 && !out.some((c) => c.fingerprint256 === cur!.fingerprint256)) {
    out.push(cur);
    cur = cur.issuerCertificate;
  }
  return out;
}

/** One connection: handshake (with the client certificate when given), a request, and what the server said. */
export function traceHandshake(i: TraceInput): Promise<HandshakeTrace> {
  return new Promise((resolve) => {
    const inbound: Buffer[] = [];
    let captured = 0;
    const raw = netConnect({ host: i.host, port: i.port });
    const tee = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        if (raw.destroyed) cb();
        else raw.write(chunk, cb);
      },
      final(cb) {
        raw.end();
        cb();
      },
      destroy(err, cb) {
        raw.destroy();
        cb(err);
      },
    });
    raw.on('data', (d: Buffer) => {
      if (captured < MAX_CAPTURE) {
        inbound.push(d);
        captured += d.length;
      }
      tee.push(d);
    });
    raw.on('end', () => tee.push(null));
    raw.on('error', (e) => tee.destroy(e));
    let secret: Buffer | undefined;
    const socket = tlsConnect({
      socket: tee,
      ...(i.servername !== undefined ? { servername: i.servername } : {}),
      ...(i.ca !== undefined ? { ca: i.ca } : {}),
      ...(i.cert !== undefined ? { cert: i.cert } : {}),
      ...(i.key !== undefined ? { key: i.key } : {}),
      // We judge the server's certificate ourselves and report it; the probe must reach the end.
      rejectUnauthorized: false,
    });
    socket.on('keylog', (line: Buffer) => {
      const m = /^SERVER_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]+ ([0-9a-f]+)/i.exec(line.toString('latin1'));
      if (m?.[1]) secret = Buffer.from(m[1], 'hex');
    });
    let connected = false;
    let answered = false;
    let error: HandshakeTrace['error'];
    let server: HandshakeTrace['server'] = { certificate: undefined, chain: [], authorized: false, authorizationError: undefined };
    let protocol: string | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      raw.destroy();
      const found = findCertificateRequest(Buffer.concat(inbound), secret);
      resolve({
        connected,
        error,
        answered,
        protocol,
        certificateRequested: 'requested' in found ? found.requested : undefined,
        acceptableCas: 'requested' in found ? found.cas : [],
        server,
        traceNote: 'unreadable' in found ? found.unreadable : undefined,
      });
    };
    const timer = setTimeout(() => {
      error ??= { code: 'ETIMEDOUT', message: `no answer within ${Math.round(i.timeoutMs / 1000)} s` };
      finish();
    }, i.timeoutMs);
    socket.on('secureConnect', () => {
      connected = true;
      protocol = socket.getProtocol() ?? undefined;
      server = {
        certificate: socket.getPeerX509Certificate(),
        chain: chainOf(socket),
        authorized: socket.authorized,
        authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
      };
      socket.write(i.request);
    });
    socket.on('data', () => {
      answered = true;
      finish();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error ??= { code: e.code, message: e.message };
      finish();
    });
    // Node's TLS server with rejectUnauthorized: true refuses a certificate by closing the
    // connection after the handshake, without an alert: an end without an answer says that.
    socket.on('end', () => {
      if (!answered) error ??= { code: 'ERR_CLOSED_WITHOUT_ANSWER', message: 'the server closed the connection without answering' };
      finish();
    });
    socket.on('close', () => {
      if (!answered && connected) error ??= { code: 'ERR_CLOSED_WITHOUT_ANSWER', message: 'the server closed the connection without answering' };
      finish();
    });
    raw.on('close', () => {
      if (!answered && connected) error ??= { code: 'ERR_CLOSED_WITHOUT_ANSWER', message: 'the server closed the connection without answering' };
      finish();
    });
  });
}
