import type {
  ReserveResult,
  ReserveContext,
  CertificateExpiringInfo,
  ClaimCheck,
  KeySpec,
  PreparedKey,
  ReplayStore,
  Scheme,
  SchemeInput,
  SchemeVerdict,
  TenantConfig,
  TenantResolver,
  VerifiedWebhook,
  Verifier,
  VerifierOptions,
  VerifyOptions,
  WebhookRequest,
} from './types.js';
import { WebhookVerificationError } from './webhook-verification-error.js';
import { WebhookConfigError } from './webhook-config-error.js';
import { isWebhookVerificationError } from './is-webhook-verification-error.js';
import { MemoryReplayStore } from './memory-replay-store.js';
import { readHeader } from './lib/headers.js';
import { asBuffer } from './lib/body.js';
import { prototypeKey } from './lib/prototype-keys.js';
import { keysInWindow, toKeySpecs } from './lib/keys.js';
import { leafSchemes } from './lib/scheme-keys.js';
import { TenantCache } from './lib/tenant-cache.js';
import { withTimeout } from './lib/timeout.js';
import { proxyPeerReader, trustedProxyCheck } from './lib/proxy-peer.js';
import { VerifiedDelivery } from './lib/verified-webhook.js';
import { contentDigest, shortDigest } from './lib/hmac.js';
import { conflictingReaders } from './lib/key-sharing.js';
import { MAX_ASYMMETRIC_VERIFICATIONS, MAX_TENANT_ID_LENGTH, wellFormed } from './lib/limits.js';
import { hintFor, MILLISECONDS_FROM, MILLISECONDS_HINT } from './lib/hints.js';

const DEFAULT_MAX_BODY = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The built-in MemoryReplayStore also reserves without a promise. */
interface SyncReplayStore extends ReplayStore {
  reserveSync(key: string, ttlMs: number, context?: ReserveContext): ReserveResult;
}

/** A tenant's config with its keys (and e.g. certificate binding) prepared once per cache entry. */
interface LoadedTenant<T> {
  config: T;
  /** The canonical id (the lookup's `id`, else the resolved id): replay keys and results use it. */
  id: string;
  keys: Map<Scheme, readonly PreparedKey[]>;
  data: Map<Scheme, unknown>;
}

function positive(value: number | undefined, fallback: number, name: string, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0))
    throw new WebhookConfigError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  return value;
}

function checkScheme(scheme: unknown): asserts scheme is Scheme {
  const s = scheme as Partial<Scheme> | undefined;
  if (!s || typeof s.verify !== 'function' || typeof s.name !== 'string' || typeof s.prepareKeys !== 'function')
    throw new WebhookConfigError('scheme is required: e.g. scheme: standardWebhooks({ secret }) (unknown or missing scheme)');
}

/** Which of a tenant's keys a scheme gets: those tagged with its name, else the untagged ones. */
function keysForScheme(scheme: Scheme, specs: readonly KeySpec[]): KeySpec[] {
  const tagged = specs.filter((k) => k.scheme === scheme.name);
  return tagged.length > 0 ? tagged : specs.filter((k) => k.scheme === undefined);
}

/** What a scheme sees of one request: a class, so a request allocates one object, not five closures. */
class Input<T> implements SchemeInput {
  #asymmetric = 0;
  constructor(
    readonly request: WebhookRequest,
    readonly body: Buffer,
    readonly tenant: string | undefined,
    private readonly loaded: LoadedTenant<T> | undefined,
    readonly now: number,
    readonly certificateExpiring: (info: CertificateExpiringInfo) => void,
    private readonly trustedProxy: ((address: string | undefined) => boolean) | undefined,
  ) {}
  header(name: string): string | undefined {
    return readHeader(this.request.headers, name);
  }
  keysFor(s: Scheme): readonly PreparedKey[] {
    return keysInWindow(s.staticKeys ?? this.loaded?.keys.get(s) ?? [], this.now);
  }
  tenantData(s: Scheme): unknown {
    return this.loaded?.data.get(s);
  }
  tryAsymmetric(): boolean {
    return ++this.#asymmetric <= MAX_ASYMMETRIC_VERIFICATIONS;
  }
  fromTrustedProxy(): boolean {
    return this.trustedProxy !== undefined && this.trustedProxy(this.request.remoteAddress);
  }
}

/**
 * What a replay answer says of an authenticated delivery: its tenant and scheme, and the headers the
 * sender requires (Adobe's echo) — without them a 200 acknowledgement of a duplicate reads as undelivered.
 */
function about(verdict: SchemeVerdict, tenant: string | undefined) {
  return { tenant, scheme: verdict.scheme, ...(verdict.responseHeaders ? { responseHeaders: verdict.responseHeaders } : {}) };
}

/** The canonical tenant id a lookup names (`id`, a string or a number), else the resolved one. */
function canonicalId(config: TenantConfig, resolved: string): string {
  const id = config.id;
  const text = typeof id === 'string' ? id : typeof id === 'number' && Number.isFinite(id) ? String(id) : undefined;
  return text !== undefined && usableTenantId(text) ? text : resolved;
}

/** Bounded, printable and well-formed: anything else is no tenant of ours, and never reaches the lookup. */
function usableTenantId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_TENANT_ID_LENGTH && !/[\u0000-\u001f\u007f]/.test(id) && wellFormed(id);
}

/** A key part of bounded length: itself when short (URL-encoded, so it holds no `:`), else a digest. */
function keyPart(text: string, max: number): string {
  // `%h` never comes out of encodeURIComponent (h is not a hex digit): a digest cannot collide with an
  // encoded id. Ill-formed text (a lone surrogate from a JSON id) has no URI form: digested too.
  const encoded = text.length <= max && wellFormed(text) ? encodeURIComponent(text) : undefined;
  return encoded !== undefined && encoded.length <= max ? encoded : `%h${shortDigest(text)}`;
}

const RESOLVED = Promise.resolve();

/**
 * A promise rejected with `error` one microtask later, when the caller has attached its handler.
 * Promise.reject() would be rejected with none yet: Node tracks such a promise as possibly unhandled
 * and untracks it once handled, ~1 µs per rejection (more than verifying a small delivery), which
 * every request of a flood of bad signatures pays. Unhandled, it is reported as before.
 */
function rejectSoon(error: WebhookVerificationError): Promise<never> {
  let reject!: (reason: unknown) => void;
  const promise = new Promise<never>((_, r) => {
    reject = r;
  });
  void RESOLVED.then(() => reject(error));
  return promise;
}

/**
 * Builds a verifier. Every misconfiguration throws here (WebhookConfigError), never later as a
 * request-time mismatch.
 */
export function createVerifier<T extends TenantConfig = TenantConfig>(options: VerifierOptions<T>): Verifier<T> {
  if (!options || typeof options !== 'object') throw new WebhookConfigError('createVerifier needs an options object');
  const scheme = options.scheme;
  checkScheme(scheme);
  const leaves = [...leafSchemes(scheme)];
  for (const leaf of leaves) checkScheme(leaf);
  const sharedStatic = leaves.length > 1 ? conflictingReaders(leaves.filter((l) => l.staticKeys).map((l) => [l, l.staticKeys!] as const)) : undefined;
  if (sharedStatic)
    throw new WebhookConfigError(`${sharedStatic[0]} and ${sharedStatic[1]} share a secret but read message ids differently: one delivery could be accepted twice; give each its own secret`);
  const now = options.now ?? Date.now;
  const toleranceMs = positive(options.toleranceSec, 300, 'toleranceSec') * 1000;
  const maxBodyBytes = positive(options.maxBodyBytes, DEFAULT_MAX_BODY, 'maxBodyBytes');
  const tenants = options.tenants;
  const needTenantKeys = leaves.filter((l) => l.staticKeys === undefined);
  if (needTenantKeys.length > 0 && !tenants)
    throw new WebhookConfigError(
      `no secret: give ${needTenantKeys.map((l) => (l.name === 'mtls' ? 'mtls an identity' : `${l.name} a secret`)).join(', ')}, or configure tenants with a lookup`,
    );
  if (tenants && (typeof tenants.lookup !== 'function' || !tenants.resolve)) throw new WebhookConfigError('tenants needs resolve and lookup');
  const resolvers: readonly TenantResolver[] = tenants ? (Array.isArray(tenants.resolve) ? tenants.resolve : [tenants.resolve as TenantResolver]) : [];
  if (tenants && (resolvers.length === 0 || resolvers.some((r) => typeof r !== 'function')))
    throw new WebhookConfigError('tenants.resolve must be a function or a list of functions (fromParam, fromHeader, fromHost, fromPath)');
  const cacheTtl = positive(tenants?.cacheTtlMs, 60_000, 'tenants.cacheTtlMs', true);
  const negativeTtl = positive(tenants?.negativeCacheTtlMs, 5_000, 'tenants.negativeCacheTtlMs', true);
  const lookupTimeout = positive(tenants?.lookupTimeoutMs, 5_000, 'tenants.lookupTimeoutMs');
  const cache = new TenantCache<LoadedTenant<T> | undefined>(positive(tenants?.cacheSize, 10_000, 'tenants.cacheSize'), now);

  const replay = options.replay === false ? undefined : (options.replay ?? {});
  const store: ReplayStore | undefined = replay ? (replay.store ?? new MemoryReplayStore()) : undefined;
  if (replay && store && (typeof store.reserve !== 'function' || typeof store.commit !== 'function' || typeof store.release !== 'function'))
    throw new WebhookConfigError('replay.store must implement reserve, commit and release');
  const inFlightTtl = positive(replay?.inFlightTtlMs, 60_000, 'replay.inFlightTtlMs');
  const retention = Math.max(positive(replay?.retentionMs, DAY_MS, 'replay.retentionMs'), 2 * toleranceMs);
  const storeTimeout = positive(replay?.timeoutMs, 2_000, 'replay.timeoutMs');
  const duplicates = replay?.duplicates ?? 'ack';
  const namespace = replay?.namespace;
  if (namespace !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(namespace)) throw new WebhookConfigError('replay.namespace must be 1-64 letters, digits, - or _');
  if (duplicates !== 'ack' && duplicates !== 'reject') throw new WebhookConfigError("replay.duplicates must be 'ack' or 'reject'");
  // The built-in memory store, unmodified, answers synchronously: it is asked without a promise, and
  // no timer is needed to bound it. Any other store (a subclass that overrides a method included)
  // goes through reserve() and the timeout.
  const memory = MemoryReplayStore.prototype;
  const builtIn =
    store !== undefined &&
    store.reserve === memory.reserve &&
    store.commit === memory.commit &&
    store.release === memory.release &&
    (store as SyncReplayStore).reserveSync === memory.reserveSync;
  const reserveSync = builtIn ? memory.reserveSync : undefined;
  const storeNeedsTimeout = !builtIn;

  const claims: readonly ClaimCheck<T>[] = options.claims === undefined ? [] : Array.isArray(options.claims) ? options.claims : [options.claims as ClaimCheck<T>];
  const { onVerified, onRejected, onCertificateExpiring, onSettleFailed } = options;
  const proxyPeer = options.proxy ? proxyPeerReader(options.proxy) : undefined;
  const trustedProxy = options.proxy ? trustedProxyCheck(options.proxy) : undefined;
  const certificateExpiring = (info: CertificateExpiringInfo) => {
    if (!onCertificateExpiring) return;
    try {
      onCertificateExpiring(info);
    } catch {
      // A hook must never change a verdict.
    }
  };

  function loadTenant(id: string): Promise<LoadedTenant<T> | undefined> {
    return cache.get(
      id,
      async () => {
        let config: T | undefined;
        try {
          config = await withTimeout(
            Promise.resolve().then(() => tenants!.lookup(id)),
            lookupTimeout,
            () => new WebhookVerificationError('TENANT_LOOKUP_FAILED', { detail: `tenant lookup took longer than ${lookupTimeout} ms`, tenant: id }),
          );
        } catch (e) {
          if (isWebhookVerificationError(e)) throw e;
          throw new WebhookVerificationError('TENANT_LOOKUP_FAILED', { detail: 'tenant lookup threw; see the error cause in your logs', cause: e, tenant: id });
        }
        if (config === undefined || config === null) return undefined;
        // `tenants[id]` on a plain object answers `constructor`, `toString`... with a function and
        // `__proto__` with Object.prototype: those are no tenant (404), not a broken lookup (503).
        if (typeof config === 'function' || config === Object.prototype) return undefined;
        if (typeof config !== 'object') throw new WebhookVerificationError('TENANT_LOOKUP_FAILED', { detail: 'tenant lookup returned a non-object', tenant: id });
        const canonical = canonicalId(config, id);
        const keys = new Map<Scheme, readonly PreparedKey[]>();
        const data = new Map<Scheme, unknown>();
        for (const leaf of leaves) {
          try {
            const specs = [...(toKeySpecs(config.secrets as never) ?? []), ...(toKeySpecs(config.publicKeys as never, 'publicKey') ?? [])];
            if (leaf.prepareTenant) data.set(leaf, leaf.prepareTenant(config, canonical));
            if (leaf.staticKeys === undefined) keys.set(leaf, leaf.prepareKeys(keysForScheme(leaf, specs)));
          } catch (e) {
            // A bad key in the tenant's record is a configuration fault on our side: fail closed, 503.
            // What is wrong with it goes to logs only (error.cause): the caller is not authenticated.
            const reason = e instanceof WebhookConfigError ? e.message : 'invalid key';
            throw new WebhookVerificationError('TENANT_LOOKUP_FAILED', {
              detail: 'this endpoint is misconfigured on the receiving side; the cause is in the server logs',
              cause: new WebhookConfigError(`tenant ${canonical}: ${leaf.name} cannot use its configuration: ${reason}`),
              tenant: canonical,
            });
          }
        }
        const shared = leaves.length > 1 ? conflictingReaders([...leaves].map((l) => [l, l.staticKeys ?? keys.get(l) ?? []] as const)) : undefined;
        if (shared)
          throw new WebhookVerificationError('TENANT_LOOKUP_FAILED', {
            detail: 'this endpoint is misconfigured on the receiving side; the cause is in the server logs',
            cause: new WebhookConfigError(`tenant ${canonical}: ${shared[0]} and ${shared[1]} share a secret but read message ids differently (one delivery could run twice); tag each key with its scheme`),
            tenant: canonical,
          });
        return { config, id: canonical, keys, data };
      },
      (loaded) => (loaded ? cacheTtl : negativeTtl),
    );
  }

  function resolveTenantId(request: WebhookRequest): string | undefined {
    let found: string | undefined;
    for (const r of resolvers) {
      const id = r(request);
      if (id === undefined) continue;
      if (found !== undefined && found !== id)
        throw new WebhookVerificationError('TENANT_MISMATCH', { detail: 'the tenant named by the route and by the request disagree' });
      found = id;
    }
    return found;
  }

  /** Every store call is bounded: a store that hangs must not hang the request. */
  function bounded<R>(p: Promise<R>): Promise<R> {
    return storeNeedsTimeout ? timed(p) : p;
  }
  function timed<R>(p: Promise<R>): Promise<R> {
    return withTimeout(p, storeTimeout, () => new Error(`replay store did not answer within ${storeTimeout} ms`));
  }

  async function reserve(key: string, context: ReserveContext | undefined) {
    try {
      return await bounded(store!.reserve(key, inFlightTtl, context));
    } catch (e) {
      throw new WebhookVerificationError('REPLAY_STORE_UNAVAILABLE', { detail: 'the replay store could not reserve the message; the handler was not run', cause: e });
    }
  }

  /** A failed commit or release: REPLAY_STORE_UNAVAILABLE, reported to onSettleFailed, then thrown. */
  function settleFailed(e: unknown, what: string, webhook: VerifiedWebhook): never {
    const error = new WebhookVerificationError('REPLAY_STORE_UNAVAILABLE', {
      detail: `the replay store could not ${what} the message`,
      cause: e,
      tenant: webhook.tenant,
      scheme: webhook.scheme,
    });
    if (onSettleFailed) {
      try {
        onSettleFailed(error, webhook);
      } catch {
        // A hook must never change an outcome.
      }
    }
    throw error;
  }

  function finish(p: () => Promise<void>, what: string, webhook: VerifiedWebhook): Promise<void> {
    let pending: Promise<void>;
    try {
      pending = p();
    } catch (e) {
      return Promise.reject(e).then(undefined, (cause: unknown) => settleFailed(cause, what, webhook));
    }
    // The built-in memory store settles synchronously and its promise never rejects: no chain.
    // Checked per call: a commit or release replaced on the instance later is any other store.
    // Any other store: bounded, and a plain promise chain (not an async function), once per delivery.
    if (builtIn && store!.commit === memory.commit && store!.release === memory.release) return pending;
    return timed(pending).then(undefined, (cause: unknown) => settleFailed(cause, what, webhook));
  }

  type Verified = VerifiedWebhook<unknown, T>;

  /**
   * Synchronous whenever nothing has to wait (no tenant load, no claim, an in-process store): a
   * verdict then costs no promise hops. Anything that waits continues as a promise.
   */
  function verifyInner(original: WebhookRequest, verifyOptions: VerifyOptions | undefined): Verified | Promise<Verified> {
    // 0. behind a TLS-terminating proxy, the client certificate comes from a header of a trusted proxy
    let request = original;
    if (proxyPeer) {
      const forwarded = proxyPeer(original);
      if (forwarded) request = { ...original, peer: forwarded };
    }

    // 1. size
    const body = asBuffer(request.body);
    if (body.length > maxBodyBytes) throw new WebhookVerificationError('BODY_TOO_LARGE', { detail: `body is ${body.length} bytes; the limit is ${maxBodyBytes}` });

    // 2. tenant
    if (!tenants) return verifyLoaded(request, body, undefined, undefined, verifyOptions);
    const tenantId = resolveTenantId(request);
    if (tenantId === undefined) throw new WebhookVerificationError('UNKNOWN_TENANT', { detail: 'the request names no tenant' });
    if (!usableTenantId(tenantId))
      throw new WebhookVerificationError('UNKNOWN_TENANT', { detail: `tenant ids are 1-${MAX_TENANT_ID_LENGTH} printable characters` });
    const cached = cache.peek(tenantId);
    if (cached) return verifyLoaded(request, body, tenantId, knownTenant(cached.resolved, tenantId), verifyOptions);
    return loadTenant(tenantId).then((t) => verifyLoaded(request, body, tenantId, knownTenant(t, tenantId), verifyOptions));
  }

  function knownTenant(tenant: LoadedTenant<T> | undefined, tenantId: string): LoadedTenant<T> {
    if (!tenant) throw new WebhookVerificationError('UNKNOWN_TENANT', { detail: 'no tenant with this id', tenant: tenantId });
    return tenant;
  }

  function verifyLoaded(
    request: WebhookRequest,
    body: Buffer,
    tenantId: string | undefined,
    tenant: LoadedTenant<T> | undefined,
    verifyOptions: VerifyOptions | undefined,
  ): Verified | Promise<Verified> {
    // 3-4. transport and signature (a transport scheme such as mtls is part of the scheme tree)
    const at = now();
    if (tenant) tenantId = tenant.id;
    const input = new Input(request, body, tenantId, tenant, at, certificateExpiring, trustedProxy);
    const verdict: SchemeVerdict = scheme.verify(input);

    // 5. freshness, both directions
    if (verdict.timestamp !== undefined) {
      const skew = at - verdict.timestamp * 1000;
      if (skew > toleranceMs || skew < -toleranceMs)
        throw new WebhookVerificationError('TIMESTAMP_OUT_OF_TOLERANCE', {
          detail: `signed timestamp is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? 'in the past' : 'in the future'}; tolerance is ${toleranceMs / 1000} s`,
          scheme: verdict.scheme,
          ...(verdict.timestamp >= MILLISECONDS_FROM ? { hint: MILLISECONDS_HINT } : {}),
        });
    }

    // 6. payload and claims
    const webhook = new VerifiedDelivery<unknown, T>(verdict, tenantId, tenant?.config, body, readHeader(request.headers, 'content-type'), request.peer);
    // A sender's handshake carries no payload and is answered by core: no claim, no replay key.
    if (verdict.answer) return webhook;
    if (verifyOptions?.parse || claims.length > 0) void webhook.payload;
    const rule = verifyOptions?.parse ? verifyOptions.prototypeKeys : undefined;
    if (rule !== undefined) {
      const key = prototypeKey(webhook.payload, body, rule.proto, rule.constructor);
      if (key !== undefined)
        throw new WebhookVerificationError('MALFORMED_PAYLOAD', {
          detail: `the JSON body has a ${key} key that could set a prototype`,
          scheme: verdict.scheme,
          ...(tenantId === undefined ? {} : { tenant: tenantId }),
        });
    }
    if (claims.length > 0) return checkClaims(webhook, request, tenantId, tenant).then(() => replayStep(webhook, verdict, tenantId));
    return replayStep(webhook, verdict, tenantId);
  }

  async function checkClaims(webhook: Verified, request: WebhookRequest, tenantId: string | undefined, tenant: LoadedTenant<T> | undefined): Promise<void> {
    for (const check of claims) {
      let ok: boolean;
      try {
        ok = await check({ payload: webhook.payload, tenant: tenantId, tenantConfig: tenant?.config, request });
      } catch (e) {
        if (isWebhookVerificationError(e)) throw e;
        throw new WebhookVerificationError('CLAIM_MISMATCH', { detail: 'a claim check threw', cause: e, tenant: tenantId });
      }
      if (ok !== true) throw new WebhookVerificationError('CLAIM_MISMATCH', { detail: 'the payload does not belong to this tenant', tenant: tenantId });
    }
  }

  // 7. replay: only now, after everything that can reject has passed
  function replayStep(webhook: VerifiedDelivery<unknown, T>, verdict: SchemeVerdict, tenantId: string | undefined): Verified | Promise<Verified> {
    if (!store || !verdict.replayable) return webhook;
    // A signed id (`i:`), else a digest of the signed bytes (`d:`): computed only when no id exists,
    // so most deliveries never pay for it. Never the leaf that read it, nor the key that matched.
    const id = verdict.replayId ?? verdict.payloadId?.();
    const identity = id !== undefined ? `i:${id}` : verdict.signedContent !== undefined ? `d:${contentDigest(verdict.signedContent)}` : undefined;
    if (identity === undefined) return webhook;
    // Tenant, then this verifier's name (namespace, or the whole scheme tree: the same for every leaf);
    // each part bounded, so a key is at most 248 characters whatever the request held.
    const rest = `${namespace === undefined ? '' : `${namespace}.`}${scheme.name}:${identity}`;
    // `rest` starts with a scheme or namespace name (a letter), so it never reads as a `%h` digest.
    const replayKey = `${tenantId === undefined ? '-' : keyPart(tenantId, 96)}:${rest.length <= 150 ? rest : `%h${shortDigest(rest)}`}`;
    // Flattened once, here (reading a character does it): the key is a concatenation, and each map
    // operation on it (reserve's miss, the copy the store keeps, commit's lookup) would walk the
    // pieces again. Measured: about 3% req/s on Fastify's HTTP bench.
    replayKey.charCodeAt(0);
    const context = tenantId === undefined ? undefined : { tenant: tenantId };
    if (reserveSync) {
      let r: ReserveResult;
      try {
        r = reserveSync.call(store, replayKey, inFlightTtl, context);
      } catch (e) {
        throw new WebhookVerificationError('REPLAY_STORE_UNAVAILABLE', { detail: 'the replay store could not reserve the message; the handler was not run', cause: e });
      }
      return reserved(webhook, r, replayKey, verdict, tenantId);
    }
    return reserve(replayKey, context).then((r) => reserved(webhook, r, replayKey, verdict, tenantId));
  }

  function reserved(webhook: VerifiedDelivery<unknown, T>, r: ReserveResult | undefined, replayKey: string, verdict: SchemeVerdict, tenantId: string | undefined): Verified {
    if (!r || typeof r !== 'object')
      throw new WebhookVerificationError('REPLAY_STORE_UNAVAILABLE', { detail: 'the replay store gave no answer; the handler was not run', tenant: tenantId });
    if (r.state === 'done') {
      throw duplicates === 'ack'
        ? new WebhookVerificationError('DUPLICATE', { detail: 'this message was already processed; the handler was not run again', ...about(verdict, tenantId) })
        : new WebhookVerificationError('REPLAYED', { detail: 'this message was already processed', ...about(verdict, tenantId) });
    }
    if (r.state === 'in-flight') throw new WebhookVerificationError('REPLAY_IN_FLIGHT', { detail: 'this message is being processed; retry later', ...about(verdict, tenantId) });
    // Anything but an explicit reservation is a store fault: fail closed.
    if (r.state !== 'reserved')
      throw new WebhookVerificationError('REPLAY_STORE_UNAVAILABLE', { detail: 'the replay store gave an unknown answer; the handler was not run', tenant: tenantId });
    webhook.hold({ store: store!, key: replayKey, token: r.token, retentionMs: retention, finish });
    return webhook;
  }

  function reject(error: WebhookVerificationError, request: WebhookRequest): WebhookVerificationError {
    // Every rejection passes here (adapters report theirs through verifier.reject): one place for hints.
    error.hint ??= hintFor(error, request);
    if (onRejected) {
      try {
        onRejected(error, request);
      } catch {
        // A hook must never change a verdict.
      }
    }
    return error;
  }

  function accepted(webhook: Verified): Verified {
    if (onVerified) {
      try {
        onVerified(webhook);
      } catch {
        // A hook must never change a verdict.
      }
    }
    return webhook;
  }

  /** Anything unexpected still ends as a rejection, never as an accept. */
  function rejection(e: unknown, request: WebhookRequest): WebhookVerificationError {
    return reject(
      isWebhookVerificationError(e) ? e : new WebhookVerificationError('MALFORMED_SIGNATURE', { detail: 'the request could not be verified', cause: e }),
      request,
    );
  }

  return {
    maxBodyBytes,
    scheme,
    reject,
    invalidate(id?: string) {
      if (id === undefined) cache.clear();
      else cache.delete(id);
    },
    verify<P>(request: WebhookRequest, verifyOptions?: VerifyOptions): Promise<VerifiedWebhook<P, T>> {
      let result: Verified | Promise<Verified>;
      try {
        result = verifyInner(request, verifyOptions);
      } catch (e) {
        return rejectSoon(rejection(e, request));
      }
      if (result instanceof Promise)
        return result.then(accepted, (e: unknown) => {
          throw rejection(e, request);
        }) as Promise<VerifiedWebhook<P, T>>;
      return Promise.resolve(accepted(result) as VerifiedWebhook<P, T>);
    },
  };
}
