// What each of core's problem codes means for the person who just got it back, in one sentence,
// with the fix. Keyed on the stable `code` of the problem+json answer.
export interface ProblemCause {
  cause: string;
  /** One sentence: what is wrong. */
  why: string;
  fix: string;
}

// Keyed by string, not WebhookErrorCode: a newer core may add codes; they read as "no explanation".
export const PROBLEM_CAUSES: Readonly<Record<string, ProblemCause>> = Object.freeze({
  MISSING_SIGNATURE: { cause: 'signature-missing', why: "the receiver found no signature header of the scheme it expects", fix: 'sign with the scheme the route is configured for (or a proxy strips the header)' },
  MALFORMED_SIGNATURE: { cause: 'signature-malformed', why: 'the signature headers are there but not in the shape the scheme requires', fix: "read the problem's detail; timestamps are integer seconds, ids hold no '.'" },
  SIGNATURE_MISMATCH: { cause: 'signature-mismatch', why: "no signature matched the receiver's active secrets", fix: 'check the secret (this tenant, this environment, its encoding) and that nothing re-serialises the body; capture the delivery and run `hookguard explain`' },
  TIMESTAMP_OUT_OF_TOLERANCE: { cause: 'clock-skew', why: "the signed timestamp is outside the receiver's tolerance", fix: 'sync the clocks (NTP); timestamps are seconds, not milliseconds; an old capture must be re-signed' },
  CONTENT_DIGEST_MISMATCH: { cause: 'body-changed', why: 'the body is not the one its signed Content-Digest (RFC 9530) describes', fix: 'send the exact bytes that were digested; a proxy or client that re-encodes or re-compresses the body breaks it' },
  INSUFFICIENT_COVERAGE: { cause: 'signature-covers-too-little', why: 'the RFC 9421 signature does not cover every component the receiver requires (by default @method, @target-uri, and content-digest and content-type with a body), or has no created time', fix: "sign those components too (the problem's detail names the missing ones), or relax the receiver's required list" },
  CERT_MISSING: { cause: 'cert-missing', why: 'no client certificate reached the verifier', fix: 'send the certificate (--cert/--key); the server needs requestCert: true, or a proxy must forward it' },
  CERT_UNTRUSTED: { cause: 'unknown-ca', why: "the client certificate does not chain to the tenant's CA or any CA the receiver trusts", fix: "issue it from the tenant's CA (`hookguard certs issue <tenant>`), and send the chain when the tenant's ca is above the issuing CA" },
  CERT_EXPIRED: { cause: 'client-cert-expired', why: 'the client certificate (or a CA above it) has expired', fix: 'issue a new certificate and switch the sender to it' },
  CERT_NOT_YET_VALID: { cause: 'client-cert-not-yet-valid', why: 'the client certificate is not valid yet', fix: "check the sender's and receiver's clocks, and the certificate's notBefore" },
  CERT_REVOKED: { cause: 'client-cert-revoked', why: "the client certificate's serial is in the tenant's CRL or revokedSerials", fix: 'the sender must use its replacement certificate' },
  CERT_WRONG_USAGE: { cause: 'client-cert-wrong-usage', why: 'the client certificate is not issued for client authentication (no clientAuth extended key usage)', fix: 'reissue it with clientAuth (`hookguard certs issue` does by default)' },
  UNTRUSTED_PROXY: { cause: 'untrusted-proxy', why: 'a forwarded-certificate header came from an address that is not a trusted proxy', fix: "add the proxy's address to proxy.trusted, or strip the header at the edge" },
  MALFORMED_PAYLOAD: { cause: 'payload-malformed', why: 'the signature verified but the body is not valid for its Content-Type', fix: 'send valid JSON (or form data) with a matching Content-Type' },
  UNKNOWN_TENANT: { cause: 'unknown-tenant', why: 'the tenant in the URL (or header, host, certificate) is not known to the lookup', fix: "check the endpoint URL's tenant id" },
  TENANT_MISMATCH: { cause: 'tenant-mismatch', why: 'two tenant sources disagree (route vs certificate, header or host)', fix: 'send to the endpoint of the tenant the certificate or header names' },
  CERT_IDENTITY_MISMATCH: { cause: 'cert-not-bound-to-tenant', why: "the certificate is trusted but not bound to this tenant: another tenant's CA, or a SAN/CN/fingerprint the tenant's binding does not list", fix: "use the certificate issued for this tenant, or list its SAN in the tenant's certificates.uris / dns / cn" },
  CLAIM_MISMATCH: { cause: 'claim-mismatch', why: "the payload's account claim is not this tenant's", fix: "the provider account this endpoint is registered under is not the tenant's" },
  DUPLICATE: { cause: 'duplicate', why: 'this message was already processed; the handler did not run again', fix: 'nothing to fix: a new delivery needs a new id (or new content)' },
  REPLAY_IN_FLIGHT: { cause: 'replayed', why: 'the same message is being handled right now', fix: 'retry later' },
  REPLAYED: { cause: 'replayed', why: 'the message was already processed (duplicates: reject)', fix: 'a new delivery needs a new id' },
  BODY_TOO_LARGE: { cause: 'body-too-large', why: "the body is larger than the receiver's maxBodyBytes", fix: 'send less, or raise maxBodyBytes' },
  RAW_BODY_UNAVAILABLE: { cause: 'body-parsed-before-middleware', why: 'a body parser consumed the body before the webhook middleware, so the exact bytes are gone', fix: 'mount the webhook route before express.json(), or use express.json({ verify: keepRawBody }) (NestJS: rawBody: true)' },
  REPLAY_STORE_UNAVAILABLE: { cause: 'replay-store-down', why: 'the replay store (Redis) is unreachable or slow, so the receiver fails closed', fix: "check the receiver's Redis" },
  TENANT_LOOKUP_FAILED: { cause: 'tenant-misconfigured', why: "the tenant lookup failed, or the tenant's record holds an unusable key (a secret with whitespace, a whsec_ secret that is not base64, a CRL its CA did not sign)", fix: "the reason is in the receiver's onRejected log (error.cause); fix the tenant's record" },
});

export function causeOf(code: string | undefined): ProblemCause | undefined {
  return code !== undefined && Object.hasOwn(PROBLEM_CAUSES, code) ? PROBLEM_CAUSES[code] : undefined;
}
