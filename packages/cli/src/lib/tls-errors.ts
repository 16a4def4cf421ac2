// What a TLS failure means, from Node's error code: the server's alert about our certificate, or
// our own refusal of the server's certificate.
export interface TlsCause {
  cause: string;
  why: string;
  fix: string;
  /** Whose side the problem is on. */
  side: 'client-certificate' | 'server-certificate' | 'connection';
}

const TABLE: Record<string, TlsCause> = {
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: { cause: 'cert-missing', side: 'client-certificate', why: 'the server requires a client certificate and none was sent', fix: 'pass --cert and --key' },
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: { cause: 'handshake-failure', side: 'connection', why: 'the server ended the handshake (no certificate sent while one is required, or no common TLS version or cipher)', fix: 'send a client certificate; check the TLS versions both sides allow' },
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: { cause: 'unknown-ca', side: 'client-certificate', why: "the server's TLS stack does not know the CA that issued the client certificate", fix: "issue the certificate from a CA in the server's ca option, and send the chain (leaf + tenant CA)" },
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: { cause: 'client-cert-expired', side: 'client-certificate', why: 'the server says the client certificate has expired (OpenSSL sends the same alert for one not yet valid)', fix: 'issue a new certificate' },
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: { cause: 'client-cert-revoked', side: 'client-certificate', why: "the client certificate is in the server's CRL", fix: 'switch the sender to its replacement' },
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: { cause: 'client-cert-wrong-usage', side: 'client-certificate', why: 'the server refuses the certificate for client authentication (its key usage or extended key usage)', fix: 'reissue it with the clientAuth EKU' },
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: { cause: 'bad-certificate', side: 'client-certificate', why: 'the server refused the client certificate (a bad signature, an unreadable CRL, or an unsupported key)', fix: "check the certificate against the server's ca and crl options" },
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: { cause: 'client-key-mismatch', side: 'client-certificate', why: "the client's proof of its key did not verify (the key does not belong to the certificate)", fix: 'pass the key issued with the certificate' },
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: { cause: 'tls-version', side: 'connection', why: 'no TLS version in common with the server', fix: "check the server's minVersion / maxVersion" },
  ERR_SSL_WRONG_VERSION_NUMBER: { cause: 'not-tls', side: 'connection', why: 'the port does not speak TLS (plain HTTP?)', fix: 'use http:// or the HTTPS port' },
  ERR_SSL_PACKET_LENGTH_TOO_LONG: { cause: 'not-tls', side: 'connection', why: 'the port does not speak TLS (plain HTTP?)', fix: 'use http:// or the HTTPS port' },
  ERR_OSSL_X509_KEY_VALUES_MISMATCH: { cause: 'client-key-mismatch', side: 'client-certificate', why: 'the --key does not belong to the --cert', fix: 'pass the key issued with the certificate' },
  DEPTH_ZERO_SELF_SIGNED_CERT: { cause: 'server-cert-untrusted', side: 'server-certificate', why: "the server's certificate is self-signed", fix: "pass the server's CA with --ca" },
  SELF_SIGNED_CERT_IN_CHAIN: { cause: 'server-cert-untrusted', side: 'server-certificate', why: "the server's certificate chains to a root we do not trust", fix: "pass the server's root with --ca" },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { cause: 'server-cert-untrusted', side: 'server-certificate', why: "the server's certificate is issued by a CA we do not know", fix: "pass the server's CA with --ca (or the server must send its intermediates)" },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { cause: 'server-cert-untrusted', side: 'server-certificate', why: "the server's certificate is issued by a CA we do not know", fix: "pass the server's CA with --ca" },
  CERT_HAS_EXPIRED: { cause: 'server-cert-expired', side: 'server-certificate', why: "the server's certificate has expired", fix: 'renew the server certificate' },
  CERT_NOT_YET_VALID: { cause: 'server-cert-not-yet-valid', side: 'server-certificate', why: "the server's certificate is not valid yet", fix: "check the clocks and the certificate's notBefore" },
  ERR_TLS_CERT_ALTNAME_INVALID: { cause: 'server-cert-name-mismatch', side: 'server-certificate', why: "the server's certificate is not issued for this host name", fix: 'use the name in its SAN, or reissue it with this name' },
  ECONNRESET: { cause: 'connection-reset', side: 'connection', why: 'the server closed the connection (a TLS server refusing the client certificate may do so without an alert)', fix: "see the server's log" },
  ECONNREFUSED: { cause: 'server-unreachable', side: 'connection', why: 'nothing listens at this address and port', fix: 'start the server, or check the URL' },
  ENOTFOUND: { cause: 'server-unreachable', side: 'connection', why: 'the host name does not resolve', fix: 'check the URL' },
  ETIMEDOUT: { cause: 'server-unreachable', side: 'connection', why: 'no answer in time', fix: 'check the URL, firewalls, or raise --timeout' },
};

export function tlsCauseOf(code: string | undefined): TlsCause | undefined {
  return code !== undefined && Object.hasOwn(TABLE, code) ? TABLE[code] : undefined;
}
