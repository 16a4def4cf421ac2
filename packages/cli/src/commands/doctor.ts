import { isIP } from 'node:net';
import { EXIT, usageError } from '../lib/exit-codes.js';
import type { CommandOutput, Progress } from '../lib/command-output.js';
import { traceHandshake, type HandshakeTrace } from '../lib/handshake-trace.js';
import { CLIENT_AUTH, dnText, inspect, inspectCrl, keyMatches, pemBlocks, type InspectedCert } from '../lib/cert-inspect.js';
import { expiryOf, describeExpiry } from '../lib/expiry.js';
import { tlsCauseOf } from '../lib/tls-errors.js';
import { post, PostError, type PostAnswer } from '../lib/https-post.js';
import { readProblem } from '../lib/read-problem.js';
import { causeOf } from '../lib/problem-causes.js';
import { schemeKit, type SchemeKit } from '../lib/schemes.js';
import { probeBody } from '../lib/probe-body.js';
import { duration } from '../lib/duration.js';
import { mark, type Style } from '../lib/style.js';

export interface DoctorOptions {
  url: string;
  /** PEM: the client certificate (with its chain, as the sender presents it), its key, the CA for the server's certificate. */
  cert?: string;
  key?: string;
  ca?: string;
  /** A CRL (PEM or DER) to check the client certificate against. */
  crl?: Buffer;
  /** For signed probes. Without them the probes are unsigned. */
  scheme?: string;
  secret?: string;
  body?: Buffer;
  timeoutMs?: number;
  progress?: Progress;
  now?: number;
}

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info' | 'skip';

export interface Check {
  id: string;
  status: CheckStatus;
  /** Stable cause id when status is fail or warn. */
  cause: string | null;
  title: string;
  detail: string;
  fix: string | null;
}

export interface ProbeResult {
  clientCertificate: boolean;
  signed: boolean;
  status: number | null;
  code: string | null;
  detail: string | null;
  hint: string | null;
  error: string | null;
}

export interface DoctorJson {
  url: string;
  checks: Check[];
  /** Causes of the failed checks, in the order found. */
  causes: string[];
  server: { protocol: string | null; subject: string; issuer: string; notAfter: string; daysLeft: number } | null;
  certificateRequested: boolean | null;
  acceptableCaNames: string[] | null;
  probes: { withoutCertificate: ProbeResult | null; withCertificate: ProbeResult | null };
}

interface Probe {
  answer: PostAnswer | undefined;
  error: PostError | undefined;
  code: string | undefined;
  detail: string | undefined;
  hint: string | undefined;
  signed: boolean;
  sentAt: number;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Probes a live HTTPS endpoint: the server's certificate, whether it asks for a client certificate
 * and which CAs it names, the client certificate against all of that, then a probe delivery without
 * and with the certificate, each answer explained from its problem+json code.
 */
export async function doctor(o: DoctorOptions): Promise<CommandOutput<DoctorJson>> {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    throw usageError(`not a URL: ${o.url}`);
  }
  if (url.protocol !== 'https:') throw usageError('doctor probes TLS: give an https:// URL');
  if ((o.cert === undefined) !== (o.key === undefined)) throw usageError('--cert and --key go together');
  if ((o.scheme === undefined) !== (o.secret === undefined)) throw usageError('--scheme and --secret go together');
  const kit = o.scheme !== undefined ? schemeKit(o.scheme) : undefined;
  const progress = o.progress ?? (() => {});
  const timeoutMs = o.timeoutMs ?? 10_000;
  const now = o.now ?? Date.now();
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  const servername = isIP(host) ? undefined : host;
  const head = `HEAD ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: hookguard-cli\r\nConnection: close\r\n\r\n`;
  const checks: Check[] = [];
  const add = (id: string, status: CheckStatus, title: string, detail: string, cause: string | null = null, fix: string | null = null) =>
    checks.push({ id, status, cause: status === 'fail' || status === 'warn' ? cause : null, title, detail, fix });

  // 1. The server, without a client certificate.
  progress(`TLS handshake with ${url.host} without a client certificate...`);
  const bare = await traceHandshake({ host, port, servername, ca: o.ca, request: head, timeoutMs });
  const json: DoctorJson = { url: url.href, checks, causes: [], server: null, certificateRequested: null, acceptableCaNames: null, probes: { withoutCertificate: null, withCertificate: null } };
  const unreachable = !bare.connected && bare.error !== undefined && (UNREACHABLE.has(bare.error.code ?? '') || tlsCauseOf(bare.error.code)?.cause === 'not-tls');
  if (unreachable) {
    const t = tlsCauseOf(bare.error!.code);
    add('server-reachable', 'fail', 'server reachable', `${t?.why ?? bare.error!.message} (${bare.error!.code ?? 'error'})`, t?.cause ?? 'server-unreachable', t?.fix ?? null);
    return finish(json, EXIT.environment);
  }
  add('server-reachable', 'ok', 'server reachable', `${url.host} answers TLS${bare.protocol ? ` (${bare.protocol})` : ''}`);

  // 2. With the client certificate: read it first, then hand it to the server.
  let leaf: InspectedCert | undefined;
  let chain: InspectedCert[] = [];
  if (o.cert !== undefined) {
    const blocks = pemBlocks(o.cert);
    if (blocks.length === 0) throw usageError('--cert holds no PEM certificate');
    [leaf, ...chain] = blocks.map(inspect);
  }
  let withCert: HandshakeTrace | undefined;
  if (leaf) {
    progress(`TLS handshake with ${leaf.subject}...`);
    withCert = await traceHandshake({ host, port, servername, ca: o.ca, cert: o.cert, key: o.key, request: head, timeoutMs });
  }

  serverChecks(bare.server.certificate ? bare : (withCert ?? bare), host, now, add, json);
  mtlsRequestChecks(bare, add, json);

  if (leaf) clientChecks(leaf, chain, o.key!, bare, now, add);
  if (leaf && o.crl) await crlChecks(leaf, chain, o.crl, now, add);

  // What the TLS layer said about the connection without, then with, a certificate.
  const tlsRefusedBare = !bare.answered && bare.error !== undefined;
  if (tlsRefusedBare) {
    add('tls-without-certificate', 'info', 'TLS without a certificate', `the TLS server refuses a connection without a client certificate (${bare.error!.code ?? bare.error!.message}): senders see a TLS alert, not a problem+json code (rejectUnauthorized: true)`);
  }
  if (withCert) {
    if (withCert.answered) add('tls-with-certificate', 'ok', 'TLS with the certificate', 'the TLS server accepted the connection with this certificate');
    else if (withCert.error) {
      const t = tlsCauseOf(withCert.error.code);
      // Without an alert, the certificate checks above are the evidence of why.
      const local = checks.find((c) => c.status === 'fail' && c.cause !== null && c.id.startsWith('client-'));
      if (t) add('tls-with-certificate', 'fail', 'TLS with the certificate', `${t.why} (${withCert.error.code})`, t.cause, t.fix);
      else if (withCert.error.code === 'ERR_CLOSED_WITHOUT_ANSWER' || withCert.error.code === 'ECONNRESET')
        add(
          'tls-with-certificate',
          'fail',
          'TLS with the certificate',
          `the server closed the connection right after the handshake, without an answer: Node's rejectUnauthorized: true refuses a certificate that way, with no alert${local ? `; the check above says why (${local.cause})` : ''}`,
          local?.cause ?? 'tls-refused',
          local?.fix ?? "see the server's tlsClientError log; with rejectUnauthorized: false hookguard answers with a precise problem code",
        );
      else add('tls-with-certificate', 'fail', 'TLS with the certificate', `the connection failed: ${withCert.error.message} (${withCert.error.code ?? 'error'})`, 'handshake-failure');
    }
  }

  // 3. Probe deliveries: without a certificate (is mTLS enforced?), then with it.
  const send = async (withCertificate: boolean): Promise<Probe> => {
    const body = o.body ?? probeBody(now);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'hookguard-cli doctor' };
    if (kit && o.secret !== undefined) Object.assign(headers, kit.sign({ secret: o.secret, body }));
    const sentAt = Date.now();
    try {
      const answer = await post({ url, headers, body, ...(withCertificate ? { cert: o.cert, key: o.key } : {}), ca: o.ca, insecure: true, timeoutMs });
      const p = readProblem(answer.headers, answer.body);
      return { answer, error: undefined, code: p.code, detail: p.detail, hint: p.hint, signed: kit !== undefined, sentAt };
    } catch (e) {
      if (!(e instanceof PostError)) throw e;
      return { answer: undefined, error: e, code: undefined, detail: undefined, hint: undefined, signed: kit !== undefined, sentAt };
    }
  };
  const summary = (p: Probe, withCertificate: boolean): ProbeResult => ({
    clientCertificate: withCertificate, signed: p.signed, status: p.answer?.status ?? null, code: p.code ?? null, detail: p.detail ?? null, hint: p.hint ?? null, error: p.error ? `${p.error.code ?? ''} ${p.error.message}`.trim() : null,
  });

  if (!tlsRefusedBare) {
    progress(`${kit ? 'signed' : 'unsigned'} probe without a client certificate...`);
    const p = await send(false);
    json.probes.withoutCertificate = summary(p, false);
    enforcementCheck(p, bare.certificateRequested, add);
  } else {
    add('mtls-enforced', 'ok', 'mTLS enforced', 'without a certificate the TLS handshake is refused');
  }
  if (leaf && withCert?.answered) {
    progress(`${kit ? 'signed' : 'unsigned'} probe with the client certificate...`);
    const p = await send(true);
    json.probes.withCertificate = summary(p, true);
    probeCheck(p, kit, leaf, checks, add);
  } else if (!leaf) {
    add('probe', 'skip', 'probe with a certificate', 'no --cert/--key given: the client certificate checks and the probe with it were skipped');
  }
  return finish(json, checks.some((c) => c.status === 'fail') ? EXIT.problem : EXIT.ok);
}

type Add = (id: string, status: CheckStatus, title: string, detail: string, cause?: string | null, fix?: string | null) => void;

function serverChecks(t: HandshakeTrace, host: string, now: number, add: Add, json: DoctorJson) {
  const cert = t.server.certificate;
  if (!cert) {
    add('server-certificate', 'skip', "server's certificate", 'the handshake ended before the server sent its certificate');
    return;
  }
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  const e = expiryOf(notBefore, notAfter, now);
  json.server = { protocol: t.protocol ?? null, subject: cert.subject.replace(/\n/g, ', '), issuer: cert.issuer.replace(/\n/g, ', '), notAfter: notAfter.toISOString(), daysLeft: e.daysLeft };
  if (t.server.authorized) add('server-certificate-trust', 'ok', "server's certificate trusted", `issued by ${json.server.issuer}`);
  else {
    const c = tlsCauseOf(t.server.authorizationError);
    add('server-certificate-trust', 'fail', "server's certificate trusted", `${c?.why ?? 'not trusted'} (${t.server.authorizationError ?? 'unknown'}); senders that verify it refuse to connect`, c?.cause ?? 'server-cert-untrusted', c?.fix ?? "pass the server's CA with --ca");
  }
  const named = isIP(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;
  if (named) add('server-certificate-name', 'ok', "server's certificate name", `valid for ${host}`);
  else add('server-certificate-name', 'fail', "server's certificate name", `not issued for ${host} (SAN: ${cert.subjectAltName ?? 'none'})`, 'server-cert-name-mismatch', 'reissue it with this name (`hookguard certs server --san dns:<name>`), or use the name it carries');
  const status: CheckStatus = e.state === 'ok' ? 'ok' : e.state === 'warn-30' || e.state === 'warn-7' ? 'warn' : 'fail';
  add('server-certificate-validity', status, "server's certificate validity", describeExpiry(e, notBefore, notAfter), e.state === 'expired' ? 'server-cert-expired' : e.state === 'not-yet-valid' ? 'server-cert-not-yet-valid' : 'server-cert-expiring', status === 'ok' ? null : 'renew the server certificate');
}

function mtlsRequestChecks(bare: HandshakeTrace, add: Add, json: DoctorJson) {
  json.certificateRequested = bare.certificateRequested ?? null;
  if (bare.certificateRequested === true) {
    const names = bare.acceptableCas.map(dnText);
    json.acceptableCaNames = names;
    add('client-certificate-requested', 'ok', 'server requests a client certificate', 'CertificateRequest received in the handshake');
    add(
      'acceptable-ca-names',
      'info',
      'acceptable CA names',
      names.length > 0 ? `the server names ${names.length} acceptable CA(s): ${names.join('; ')}` : "the server names no acceptable CAs (its TLS context has no ca option): any issuer may be sent, and the app's binding decides",
    );
  } else if (bare.certificateRequested === false) {
    add(
      'client-certificate-requested',
      'fail',
      'server requests a client certificate',
      'the server never asks for a client certificate (no CertificateRequest in the handshake): no certificate can reach the app, so mTLS is configured but not enforced at the TLS layer',
      'mtls-not-requested',
      'create the HTTPS server with requestCert: true (and rejectUnauthorized: false so hookguard answers with precise codes); behind a proxy, the proxy must request and forward it',
    );
  } else {
    add('client-certificate-requested', 'warn', 'server requests a client certificate', `could not read the server's handshake (${bare.traceNote ?? 'unknown'}); judged from the answers below instead`, 'handshake-unreadable');
  }
}

function clientChecks(leaf: InspectedCert, chain: InspectedCert[], keyPem: string, bare: HandshakeTrace, now: number, add: Add) {
  if (keyMatches(leaf.node, keyPem)) add('client-certificate-key', 'ok', 'key matches the certificate', `the key belongs to ${leaf.subject}`);
  else add('client-certificate-key', 'fail', 'key matches the certificate', `the --key is not the key of ${leaf.subject}`, 'client-key-mismatch', 'pass the key issued with the certificate');

  const e = expiryOf(leaf.notBefore, leaf.notAfter, now);
  const st: CheckStatus = e.state === 'ok' ? 'ok' : e.state === 'warn-30' || e.state === 'warn-7' ? 'warn' : 'fail';
  const cause = e.state === 'expired' ? 'client-cert-expired' : e.state === 'not-yet-valid' ? 'client-cert-not-yet-valid' : 'client-cert-expiring';
  add('client-certificate-validity', st, "client certificate's validity", `${leaf.subject}: ${describeExpiry(e, leaf.notBefore, leaf.notAfter)}`, cause, st === 'ok' ? null : e.state === 'not-yet-valid' ? "check the clocks and the certificate's notBefore" : 'issue a new one: `hookguard certs issue <tenant> --san ...`');
  for (const ca of chain) {
    const ce = expiryOf(ca.notBefore, ca.notAfter, now);
    if (ce.state === 'expired' || ce.state === 'not-yet-valid')
      add('client-chain-validity', 'fail', "validity of the client's CA certificates", `${ca.subject}: ${describeExpiry(ce, ca.notBefore, ca.notAfter)}`, ce.state === 'expired' ? 'client-cert-expired' : 'client-cert-not-yet-valid', 'the sender needs a certificate under a valid CA');
  }

  if (leaf.eku === undefined) add('client-certificate-usage', 'fail', 'issued for client authentication', 'the certificate has no extended key usage: hookguard requires clientAuth (unless mtls({ allowNoEku: true }))', 'client-cert-wrong-usage', 'reissue it with the clientAuth EKU');
  else if (!leaf.eku.includes(CLIENT_AUTH)) add('client-certificate-usage', 'fail', 'issued for client authentication', `its extended key usage is ${leaf.eku.join(', ')}, without clientAuth (${CLIENT_AUTH}): a server certificate used as a client certificate?`, 'client-cert-wrong-usage', 'reissue it with the clientAuth EKU');
  else if (leaf.digitalSignature === false) add('client-certificate-usage', 'fail', 'issued for client authentication', 'its key usage lacks digitalSignature, which a TLS client needs to prove its key', 'client-cert-wrong-usage', 'reissue it with digitalSignature');
  else add('client-certificate-usage', 'ok', 'issued for client authentication', 'clientAuth extended key usage');

  if (bare.certificateRequested !== true) return;
  const names = bare.acceptableCas;
  if (names.length === 0) {
    add('client-certificate-issuer', 'info', 'issuer among the acceptable CAs', 'the server names no CAs, so the issuer cannot be compared before the handshake');
    return;
  }
  const listed = (der: Buffer) => names.some((n) => n.equals(der));
  const chainListed = chain.find((c) => listed(c.subjectDer) || listed(c.issuerDer));
  if (listed(leaf.issuerDer)) add('client-certificate-issuer', 'ok', 'issuer among the acceptable CAs', `the server accepts certificates issued by ${leaf.issuer}`);
  else if (chainListed) add('client-certificate-issuer', 'ok', 'issuer among the acceptable CAs', `${leaf.issuer} is not named, but the chain sent with the certificate reaches ${listed(chainListed.subjectDer) ? chainListed.subject : chainListed.issuer}, which is`);
  else
    add(
      'client-certificate-issuer',
      'fail',
      'issuer among the acceptable CAs',
      `the certificate is issued by ${leaf.issuer}${chain.length ? ` (chain: ${chain.map((c) => c.subject).join(' <- ')})` : ''}, and the server names only ${names.map(dnText).join('; ')}: an unknown CA for this server`,
      'unknown-ca',
      chain.length === 0 ? "issue it from the tenant's CA, or send the chain (certificate + issuing CA) if that CA sits under a named one" : "issue it from the tenant's CA",
    );
}

async function crlChecks(leaf: InspectedCert, chain: InspectedCert[], crlData: Buffer, now: number, add: Add) {
  let crl;
  try {
    crl = await inspectCrl(crlData, chain);
  } catch (e) {
    add('client-certificate-revocation', 'warn', 'not revoked (--crl)', `the CRL could not be read: ${(e as Error).message}`, 'crl-unreadable');
    return;
  }
  if (!crl.issuerDer.equals(leaf.issuerDer)) {
    add('client-certificate-revocation', 'warn', 'not revoked (--crl)', `the CRL is issued by ${crl.issuer}, not by the certificate's issuer ${leaf.issuer}: it says nothing about this certificate`, 'crl-of-another-ca');
    return;
  }
  if (crl.signatureValid === false) add('crl-signature', 'fail', 'CRL signed by the issuer', "the CRL's signature does not verify with the issuing CA in --cert: hookguard refuses such a CRL (TENANT_LOOKUP_FAILED)", 'crl-bad-signature', 'sign the CRL with the tenant CA (`hookguard certs crl`)');
  if (crl.nextUpdate && crl.nextUpdate.getTime() < now)
    add('crl-freshness', 'fail', 'CRL up to date', `the CRL's nextUpdate was ${crl.nextUpdate.toISOString()}: past it, hookguard refuses every certificate of the tenant (CERT_UNTRUSTED)`, 'crl-expired', 'publish a fresh CRL (`hookguard certs crl <tenant>`)');
  if (crl.serials.has(leaf.serial)) add('client-certificate-revocation', 'fail', 'not revoked (--crl)', `serial ${leaf.serial} is in the CRL of ${crl.issuer}`, 'client-cert-revoked', 'the sender must switch to a replacement certificate');
  else add('client-certificate-revocation', 'ok', 'not revoked (--crl)', `serial ${leaf.serial} is not among the CRL's ${crl.serials.size} revoked serial(s)${crl.signatureValid === undefined ? ' (signature not checked: the issuing CA is not in --cert)' : ''}`);
}

function enforcementCheck(p: Probe, requested: boolean | undefined, add: Add) {
  if (p.error) {
    const t = tlsCauseOf(p.error.code);
    add('mtls-enforced', t?.side === 'client-certificate' ? 'ok' : 'warn', 'mTLS enforced', `without a certificate the request failed: ${t?.why ?? p.error.message}`, t?.cause ?? 'connection-failed');
    return;
  }
  const a = p.answer!;
  if (p.code === 'CERT_MISSING') {
    if (requested === false) add('mtls-enforced', 'fail', 'mTLS enforced', 'the route includes mtls() (CERT_MISSING) but the server never asks for a certificate: every delivery fails', 'mtls-not-requested', 'create the HTTPS server with requestCert: true');
    else add('mtls-enforced', 'ok', 'mTLS enforced', 'without a certificate the route answers 401 CERT_MISSING');
  } else if (a.status >= 200 && a.status < 300) {
    add(
      'mtls-enforced',
      'fail',
      'mTLS enforced',
      `a ${p.signed ? 'signed' : 'unsigned'} delivery without a client certificate was accepted (${a.status}${p.code ? ` ${p.code}` : ''}): the route does not check certificates`,
      'mtls-not-enforced',
      "put mtls() in the route's scheme: all(mtls(), <signature scheme>)",
    );
  } else if (p.code && p.code.startsWith('CERT_')) {
    add('mtls-enforced', 'ok', 'mTLS enforced', `without a certificate the route answers ${a.status} ${p.code}`);
  } else if (p.code && !p.signed && (p.code === 'MISSING_SIGNATURE' || p.code === 'MALFORMED_SIGNATURE')) {
    add('mtls-enforced', 'warn', 'mTLS enforced', `without a certificate the route answers ${p.code}: it checks a signature before (or instead of) the certificate; rerun with --scheme and --secret to tell`, 'mtls-unknown');
  } else if (p.code) {
    const c = causeOf(p.code);
    add('mtls-enforced', 'warn', 'mTLS enforced', `without a certificate the route answers ${a.status} ${p.code}${c ? ` (${c.why})` : ''}, before any certificate check`, 'mtls-unknown');
  } else {
    add('mtls-enforced', 'warn', 'mTLS enforced', `without a certificate the answer is HTTP ${a.status} without a hookguard problem code: is this a hookguard route?`, 'not-hookguard');
  }
}

function probeCheck(p: Probe, kit: SchemeKit | undefined, leaf: InspectedCert, checks: Check[], add: Add) {
  const title = `${kit ? 'signed' : 'unsigned'} probe with the certificate`;
  if (p.error) {
    const t = tlsCauseOf(p.error.code);
    add('probe', 'fail', title, `${t?.why ?? p.error.message} (${p.error.code ?? 'error'})`, t?.cause ?? 'connection-failed', t?.fix ?? null);
    return;
  }
  const a = p.answer!;
  if (a.status >= 200 && a.status < 300) {
    add('probe', 'ok', title, `${a.status}${p.code ? ` ${p.code}` : ''}: ${kit ? 'certificate and signature accepted; the handler ran with the probe delivery' : 'accepted without a signature: does the route check one?'}`);
    return;
  }
  if (!kit && (p.code === 'MISSING_SIGNATURE' || p.code === 'MALFORMED_SIGNATURE')) {
    add('probe', 'info', title, `${a.status} ${p.code}: no certificate problem came first; pass --scheme and --secret for a signed probe`);
    return;
  }
  const c = causeOf(p.code);
  if (!c) {
    add('probe', 'fail', title, `HTTP ${a.status} without a hookguard problem code`, 'not-hookguard', 'is the URL a hookguard route?');
    return;
  }
  let why = c.why;
  const fix = c.fix;
  // Local evidence makes the sentence specific.
  if (p.code === 'CERT_IDENTITY_MISMATCH') {
    const names = [...leaf.uris.map((u) => `URI ${u}`), ...leaf.dns.map((d) => `DNS ${d}`)];
    why = `${why}; this certificate carries ${names.length ? names.join(', ') : 'no SAN'} (CN in ${leaf.subject}), issued by ${leaf.issuer}`;
  } else if (p.code === 'CERT_UNTRUSTED' && checks.some((x) => x.cause === 'unknown-ca')) {
    why = `${why}; the server's advertised CA names do not include its issuer either (see above)`;
  } else if (p.code === 'TIMESTAMP_OUT_OF_TOLERANCE') {
    const date = Date.parse(String(a.headers.date ?? ''));
    const skew = Number.isFinite(date) ? Math.round((date - p.sentAt) / 1000) : undefined;
    why = `the probe was signed just now, so the receiver's clock (or its verifier's now()) is off${skew !== undefined && Math.abs(skew) > 2 ? `: its Date header is ${duration(skew)} ${skew > 0 ? 'ahead' : 'behind'}` : ' (its Date header agrees with ours: the verifier uses another clock)'}`;
  } else if (p.code === 'SIGNATURE_MISMATCH') {
    why = `${why}: the --secret is not the one this endpoint's tenant is configured with (another tenant or environment), its encoding differs, or the receiver re-serialises the body`;
  }
  add('probe', 'fail', title, `${a.status} ${p.code}${p.detail ? ` (${p.detail})` : ''}: ${why}${p.hint ? `; the receiver's hint: ${p.hint}` : ''}`, c.cause, fix);
}

function finish(json: DoctorJson, exitCode: (typeof EXIT)[keyof typeof EXIT]): CommandOutput<DoctorJson> {
  json.causes = [...new Set(json.checks.filter((c) => c.status === 'fail' && c.cause).map((c) => c.cause!))];
  return { exitCode, json, text: (s) => render(json, s) };
}

function render(json: DoctorJson, s: Style): string {
  const lines = [`${s.bold('hookguard doctor')} ${json.url}`];
  for (const c of json.checks) {
    lines.push(`${mark(s, c.status)} ${c.title}: ${c.detail}`);
    if ((c.status === 'fail' || c.status === 'warn') && c.fix) lines.push(`      fix: ${c.fix}`);
  }
  lines.push(json.causes.length > 0 ? s.bad(`${json.causes.length} problem(s): ${json.causes.join(', ')}`) : s.ok('no problem found'));
  return lines.join('\n');
}
