import type { KeyObject, X509Certificate } from 'node:crypto';
import type { WebhookVerificationError } from './webhook-verification-error.js';
import type { WebhookHttpResponse } from './node/rejection-response.js';

export type HeaderValue = string | readonly string[] | undefined;
/** Header names in lower case, as Node's IncomingMessage gives them. */
export type WebhookHeaders = Readonly<Record<string, HeaderValue>>;

/** What the TLS socket (or a trusted proxy) says about the client certificate. */
export interface PeerCertificate {
  /** The request came over TLS (false for plain HTTP). */
  tls: boolean;
  /** Node's verdict for the handshake. */
  authorized?: boolean;
  authorizationError?: string;
  /** The leaf certificate, when the client sent one. */
  certificate?: X509Certificate;
  /** Certificates above the leaf, when known. */
  chain?: readonly X509Certificate[];
  /** Where the certificate came from. */
  source?: 'socket' | 'proxy';
}

/** Framework-neutral request, filled by adapters. */
export interface WebhookRequest {
  method: string;
  url: string;
  headers: WebhookHeaders;
  /** The exact bytes received. Never a re-serialised object. */
  body: Buffer | Uint8Array;
  /** Route parameters, for `fromParam()`. */
  /** Route params as the framework gives them; a wildcard's segments may come as an array (Express 5). */
  params?: Readonly<Record<string, string | readonly string[] | undefined>>;
  peer?: PeerCertificate;
  remoteAddress?: string;
}

/** A secret or public key with an id and an optional validity window. Newest first in lists. */
export interface KeySpec {
  /** Named in the result (`keyId`) so old keys can be retired once nothing matches them. */
  id?: string;
  /** Shared secret (HMAC schemes, API keys). */
  secret?: string;
  /** Public key (Standard Webhooks v1a `whpk_...`, or a KeyObject). */
  publicKey?: string | KeyObject;
  /** For apiKey: the hex SHA-256 digest of the key, so the key itself is never stored. */
  sha256?: string;
  notBefore?: Date | number | string;
  notAfter?: Date | number | string;
  /** Restrict this key to one scheme by name when a tenant holds keys of several schemes. */
  scheme?: string;
  /** httpSignature: the RFC 9421 algorithm, needed only where the key leaves it open (an RSA key: rsa-pss-sha512 or rsa-v1_5-sha256). */
  algorithm?: string;
}
export type KeyInput = string | KeySpec;

/**
 * Which client certificates belong to a tenant (mutual TLS). Every field given must hold: the
 * certificate chains to one of `ca`, or its fingerprint is pinned; and its SAN URI / DNS or CN
 * matches when those are listed.
 */
export interface CertificateBinding {
  /** The tenant's issuing CA(s), PEM (one per tenant, or a bundle). */
  ca?: string | Buffer | readonly (string | Buffer)[];
  /** Pinned SHA-256 fingerprints of the DER (hex, with or without colons). */
  fingerprints?: readonly string[];
  /** Accepted SAN URIs (e.g. SPIFFE ids), SAN DNS names and subject CNs. */
  uris?: readonly string[];
  dns?: readonly string[];
  cn?: readonly string[];
  /** Revoked serial numbers (hex), checked on every request. */
  revokedSerials?: readonly string[];
  /** CRLs (PEM or DER) signed by the tenant's CA, checked on every request. */
  crls?: readonly (string | Buffer)[];
}

/** Sent once per certificate when it has under 30 days left, and again under 7 days. */
export interface CertificateExpiringInfo {
  tenant: string | undefined;
  fingerprint: string;
  subject: string;
  serialNumber: string;
  validTo: Date;
  daysLeft: number;
  threshold: 30 | 7;
}

export type ProxyFormat = 'envoy' | 'nginx' | 'aws-alb' | 'traefik' | 'rfc9440';

/** A TLS-terminating proxy in front of the app that forwards the client certificate in a header. */
export interface TrustedProxyOptions {
  /**
   * Addresses or CIDRs of your proxies; their forwarded headers (the client certificate, and the
   * X-Forwarded-Proto / X-Forwarded-Host twilio() reads) are honoured only from them (else UNTRUSTED_PROXY).
   */
  trusted: readonly string[];
  /** How the proxy encodes the client certificate; omit when it forwards none (twilio() behind a plain proxy). */
  format?: ProxyFormat;
  /** Header with the certificate (default per format: x-forwarded-client-cert, x-ssl-client-cert, x-amzn-mtls-clientcert, x-forwarded-tls-client-cert, client-cert). */
  header?: string;
  /**
   * nginx: header with `$ssl_client_verify`. Read only when set, and then your nginx must always
   * set it (`proxy_set_header`), or a client could send `SUCCESS` itself.
   */
  verifyHeader?: string;
  /**
   * AWS ALB: 'passthrough' (default) reads the chain in x-amzn-mtls-clientcert; 'verify' reads only
   * the leaf ALB verified, in x-amzn-mtls-clientcert-leaf.
   */
  albMode?: 'passthrough' | 'verify';
}

/** What your tenant lookup returns. Extra fields are kept and handed to claims checks. */
export interface TenantConfig {
  /** Secrets and public keys, newest first. */
  secrets?: readonly KeyInput[];
  publicKeys?: readonly KeyInput[];
  /** Client certificates of this tenant, for `mtls()`. */
  certificates?: CertificateBinding;
  /** Expected account claim (see `accountClaim`). */
  account?: string;
  /**
   * The tenant's canonical id, when your lookup matches several spellings (a case-insensitive
   * collation): replay keys and `webhook.tenant` use it, so `/hooks/ACME` and `/hooks/acme` share
   * one key. Default: the id the resolver found.
   */
  id?: string | number;
  [extra: string]: unknown;
}

export type TenantResolver = (request: WebhookRequest) => string | undefined;

export interface TenantOptions<T extends TenantConfig = TenantConfig> {
  /**
   * Where the tenant id comes from. Several resolvers must agree when they all find an id
   * (route says `acme`, header says `globex`: TENANT_MISMATCH).
   */
  resolve: TenantResolver | readonly TenantResolver[];
  /** Your database or secrets manager. Return undefined for an unknown tenant. */
  lookup: (id: string) => Promise<T | undefined> | T | undefined;
  /** Cache time for a found tenant, ms (default 60 000; 0 disables the cache). */
  cacheTtlMs?: number;
  /** Cache time for an unknown tenant, ms (default 5 000), so floods of bad ids spare your database. */
  negativeCacheTtlMs?: number;
  /** Most tenants cached at once (default 10 000; oldest dropped first). */
  cacheSize?: number;
  /** A lookup slower than this fails with TENANT_LOOKUP_FAILED, ms (default 5 000). */
  lookupTimeoutMs?: number;
}

/** What a scheme learned from a request whose signature verified. */
export interface SchemeVerdict {
  scheme: string;
  /** The sender's message id, when the scheme has one (signed or not). */
  id?: string;
  /** Signed timestamp, seconds since the epoch, when the scheme signs one. */
  timestamp?: number;
  /** Id of the key that matched. */
  keyId?: string;
  /**
   * Replay identity, from signed material only: the signed id, or a digest of the verified
   * signature when the id is missing or unsigned (a replayer could change an unsigned id).
   */
  replayId?: string;
  /**
   * The exact bytes the signature covers (prefix | body | suffix, prefix and suffix as latin1 header
   * text). Without a signed id the replay identity is a SHA-256 of them, computed only when needed:
   * the same for every copy of a message whichever key, leaf or header spelling verified it.
   */
  signedContent?: SignedContent;
  /** A message id inside the signed body (Stripe's `evt_...`, Slack's `event_id`), read only when replay needs it. */
  payloadId?: () => string | undefined;
  /**
   * The urlencoded body as the scheme already read it (Twilio's signed parameters): each name, in the
   * order of its first appearance, with its values in body order, decoded exactly as URLSearchParams
   * decodes them. The payload of an `application/x-www-form-urlencoded` delivery is built from it
   * (the same record as from the body) instead of parsing the body a second time.
   */
  formFields?: ReadonlyMap<string, readonly string[]>;
  /** The id came from an unsigned header (apiKey's idHeader): `all()` prefers a signed one. */
  unsignedId?: boolean;
  /** Whether this scheme's messages take part in replay protection (API keys do not, by default). */
  replayable: boolean;
  /** Headers the sender requires on the answer (Adobe Acrobat Sign's client-id echo), whatever the handler answers. */
  responseHeaders?: Readonly<Record<string, string>>;
  /** The whole answer to a sender's handshake (Adobe's verification-of-intent GET): the handler is not run. */
  answer?: WebhookHttpResponse;
}

export interface SignedContent {
  prefix?: string;
  body: Buffer;
  suffix?: string;
}

/** Keys made ready for one scheme (decoded once, not per request). */
export interface PreparedKey<K = unknown> {
  id: string;
  key: K;
  notBefore?: number;
  notAfter?: number;
}

export interface SchemeInput {
  request: WebhookRequest;
  body: Buffer;
  /** Single header value by lower-case name; a repeated header is undefined-safe (throws MALFORMED_SIGNATURE). */
  header(name: string): string | undefined;
  /** The keys for this scheme, in order, already filtered to their validity window. */
  keysFor(scheme: Scheme): readonly PreparedKey[];
  /** What `prepareTenant` made of the tenant's config for this scheme (undefined without tenants). */
  tenantData(scheme: Scheme): unknown;
  tenant: string | undefined;
  now: number;
  /** Reports a client certificate close to expiry (the verifier's onCertificateExpiring hook). */
  certificateExpiring(info: CertificateExpiringInfo): void;
  /**
   * Call before each public-key verification: false once this request has spent its budget
   * (MAX_ASYMMETRIC_VERIFICATIONS, shared by every scheme of the request), so the CPU an
   * unauthenticated request costs stays a small constant whatever its headers hold.
   */
  tryAsymmetric(): boolean;
  /**
   * True when the request came from an address in the verifier's `proxy.trusted`: only then are
   * forwarded headers (X-Forwarded-Proto, X-Forwarded-Host) the proxy's rather than the client's.
   */
  fromTrustedProxy(): boolean;
}

/** A signature format. Built-ins: standardWebhooks, stripe, github, slack, shopify, hmac, apiKey, all, any. */
export interface Scheme {
  readonly name: string;
  /**
   * How this scheme reads a replay id out of the bytes it verifies, when it reads one (a signed id
   * header, an event id in the body); undefined when its identity is the digest of the signed bytes.
   * Two leaves of one verifier with different readings may not share a secret: one signature
   * would then carry two replay keys.
   */
  readonly idReading?: string;
  /** Keys given in the scheme's own options; undefined means "from the tenant". */
  readonly staticKeys: readonly PreparedKey[] | undefined;
  /** Decode and check keys; throws WebhookConfigError for a key this scheme cannot use. */
  prepareKeys(keys: readonly KeySpec[]): PreparedKey[];
  /** Verify or throw a WebhookVerificationError. */
  verify(input: SchemeInput): SchemeVerdict;
  /** Child schemes, for all() / any(). */
  readonly children?: readonly Scheme[];
  /** Optional: prepares what this scheme needs from a tenant's config (mtls: its certificate binding); throws WebhookConfigError. */
  prepareTenant?(config: TenantConfig, tenant: string): unknown;
}

export type ReserveState = 'reserved' | 'in-flight' | 'done';
export interface ReserveResult {
  state: ReserveState;
  /** Ownership token of a new reservation; commit and release need it. */
  token?: string;
}

/** Where replay keys live. Memory (one process) or Redis (all instances). */
/** What the verifier tells a store about a key, e.g. for per-tenant quotas. */
export interface ReserveContext {
  /** The canonical tenant the key belongs to (undefined without tenants). */
  tenant?: string;
}

export interface ReplayStore {
  /** Set-if-absent: 'reserved' (you own it), 'in-flight' (someone is handling it) or 'done'. */
  reserve(key: string, ttlMs: number, context?: ReserveContext): Promise<ReserveResult>;
  /** In-flight -> done for `ttlMs`, only by the owner of the reservation. */
  commit(key: string, ttlMs: number, token?: string): Promise<void>;
  /** Forget an in-flight reservation so the sender's retry gets through; only by its owner. */
  release(key: string, token?: string): Promise<void>;
}

export interface ReplayOptions {
  /** Default: a MemoryReplayStore (one process). Use @hookguard/redis with several instances. */
  store?: ReplayStore;
  /** How long a reservation holds while the handler runs, ms (default 60 000). */
  inFlightTtlMs?: number;
  /** How long a processed message is remembered, ms (default 24 h; never less than twice the tolerance). */
  retentionMs?: number;
  /** 'ack' (default): a duplicate of a processed message gets 200 DUPLICATE; 'reject': 409 REPLAYED. */
  duplicates?: 'ack' | 'reject';
  /** A store call slower than this fails closed with REPLAY_STORE_UNAVAILABLE, ms (default 2 000). */
  timeoutMs?: number;
  /**
   * Keeps this verifier's keys apart when several verifiers share one store without tenants (one
   * sender's message ids could otherwise mark another's as duplicates). Letters, digits, - and _.
   */
  namespace?: string;
}

export interface ClaimContext<T extends TenantConfig = TenantConfig> {
  payload: unknown;
  tenant: string | undefined;
  tenantConfig: T | undefined;
  request: WebhookRequest;
}
/** Return false (or throw a WebhookVerificationError) to reject with CLAIM_MISMATCH. */
export type ClaimCheck<T extends TenantConfig = TenantConfig> = (ctx: ClaimContext<T>) => boolean | Promise<boolean>;

export interface VerifierHooks {
  onVerified?(webhook: VerifiedWebhook): void;
  onRejected?(error: WebhookVerificationError, request: WebhookRequest): void;
  /** A client certificate has under 30 days left (once), then under 7 days (once more). */
  onCertificateExpiring?(info: CertificateExpiringInfo): void;
  /**
   * The replay store could not record a handled delivery's outcome (commit or release failed or
   * timed out): REPLAY_STORE_UNAVAILABLE with the tenant and scheme. The response stands; the key
   * stays in flight until `replay.inFlightTtlMs`, then a retry is processed again. Every adapter's
   * settle goes through here, so this is the one place to log or alert on it.
   */
  onSettleFailed?(error: WebhookVerificationError, webhook: VerifiedWebhook): void;
}

export interface VerifierOptions<T extends TenantConfig = TenantConfig> extends VerifierHooks {
  scheme: Scheme;
  tenants?: TenantOptions<T>;
  /** Seconds a signed timestamp may differ from now, either way (default 300). */
  toleranceSec?: number;
  /** Largest body accepted, bytes (default 1 MiB). Adapters stop reading past it. */
  maxBodyBytes?: number;
  /** Replay protection; `false` turns it off (then the handler may run more than once per message). */
  replay?: ReplayOptions | false;
  /** Checks on the parsed payload, after the signature verified. */
  claims?: ClaimCheck<T> | readonly ClaimCheck<T>[];
  /** A TLS-terminating proxy that forwards the client certificate (for mtls and fromCertificate). */
  proxy?: TrustedProxyOptions;
  /** Clock, ms since the epoch (tests). */
  now?: () => number;
}

/** What to do with a JSON payload key that could set a prototype: refuse (MALFORMED_PAYLOAD), drop it, or keep it. */
export type PrototypeKeyAction = 'error' | 'remove' | 'ignore';

export interface VerifyOptions {
  /** Parse the payload before the replay reservation, so MALFORMED_PAYLOAD never holds a key. */
  parse?: boolean;
  /**
   * With `parse`: `__proto__` keys (`proto`) and `constructor` keys holding a `prototype`
   * (`constructor`) in a JSON payload, as Fastify's onProtoPoisoning / onConstructorPoisoning.
   * Unset: kept, as JSON.parse (and express.json) keeps them.
   */
  prototypeKeys?: { proto: PrototypeKeyAction; constructor: PrototypeKeyAction };
}

export interface VerifiedWebhook<P = unknown, T extends TenantConfig = TenantConfig> {
  scheme: string;
  id: string | undefined;
  /** Signed timestamp in seconds, when the scheme has one. */
  timestamp: number | undefined;
  tenant: string | undefined;
  tenantConfig: T | undefined;
  keyId: string | undefined;
  rawBody: Buffer;
  contentType: string | undefined;
  /** JSON for JSON content types, fields for urlencoded forms, text for text/*, else the Buffer. Parsed once, lazily. */
  readonly payload: P;
  peer: PeerCertificate | undefined;
  /** The replay key held for this delivery, if replay protection is on. */
  replayKey: string | undefined;
  /**
   * Headers the sender requires on the answer (Adobe Acrobat Sign's `X-AdobeSign-ClientId` echo).
   * Adapters set them before the handler runs; when you call verify() yourself, set them too.
   */
  readonly responseHeaders?: Readonly<Record<string, string>>;
  /**
   * Core's own answer to a sender's handshake (Adobe's verification-of-intent GET). Adapters send
   * it as it is and do not run the handler; when you call verify() yourself, do the same.
   */
  readonly answer?: WebhookHttpResponse;
  /** The handler succeeded: remember the message as done. Idempotent. */
  commit(): Promise<void>;
  /** The handler failed: forget the reservation so the retry is processed. Idempotent. */
  release(): Promise<void>;
  /**
   * Commit when the answer is below 500, else release. With `error`, its HTTP status decides
   * (`status`, `statusCode` or `getStatus()`: a thrown 4xx is an answer, and commits); an error
   * without one releases.
   */
  settle(outcome: { status?: number; error?: unknown }): Promise<void>;
}

export interface Verifier<T extends TenantConfig = TenantConfig> {
  verify<P = unknown>(request: WebhookRequest, options?: VerifyOptions): Promise<VerifiedWebhook<P, T>>;
  /**
   * For adapters: report a rejection raised before verify() could run (body too large, raw body
   * unavailable) to the onRejected hook, so hooks see every rejection. Returns the error.
   */
  reject(error: WebhookVerificationError, request: WebhookRequest): WebhookVerificationError;
  /**
   * Drops a tenant from the cache (or every tenant), so changed keys, certificates or revocation
   * lists apply to the very next request, even on an open keep-alive connection.
   */
  invalidate(tenant?: string): void;
  readonly maxBodyBytes: number;
  readonly scheme: Scheme;
}
