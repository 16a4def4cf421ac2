// One configuration, served by every adapter: the contract suite sends the same deliveries to each
// and expects the same status and code.
import { accountClaim, adobeSign, pagerduty, fromHeader, fromParam, github, httpSignature, MemoryReplayStore, standardWebhooks, stripe, twilio, type ReplayStore, type TenantConfig, type VerifierOptions } from '@hookguard/core';

export const TENANT_SECRETS: Record<string, string> = {
  acme: 'whsec_' + Buffer.from('acme-tenant-secret-0123456789abcd').toString('base64'),
  globex: 'whsec_' + Buffer.from('globex-tenant-secret-0123456789ab').toString('base64'),
};
export const ACCOUNTS: Record<string, string> = { acme: 'acct_acme', globex: 'acct_globex' };
export const GITHUB_SECRET = 'github-contract-secret';
export const STRIPE_SECRET = 'whsec_stripe_contract_secret';
/** PagerDuty rotates: it signs with the old and the new secret; this receiver holds the new one only. */
export const PAGERDUTY_SECRET = 'pd-contract-secret-new-2026';
export const PAGERDUTY_OLD_SECRET = 'pd-contract-secret-old-2025';
export const TWILIO_TOKEN = 'c0ffee00c0ffee00c0ffee00c0ffee00';
/** The URL Twilio is configured with; the servers listen on 127.0.0.1 behind a pretend proxy. */
export const TWILIO_PUBLIC_BASE = 'https://hooks.example.com';
export const ADOBE_CLIENT_ID = 'CBJCHBCAABAAcontract-client-id_0123';
/** RFC 9421's test-key-ed25519 (Appendix B.1.4): the httpSignature route's sender, and the URL it signs. */
export const HTTP_SIGNATURE_KEY = {
  id: 'test-key-ed25519',
  privateKey: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n',
  publicKey: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n-----END PUBLIC KEY-----\n',
};
export const HTTP_SIGNATURE_BASE = 'https://hooks.example.com';
export const MAX_BODY = 64 * 1024;
/** The limit of the `large` route: the library's default, 1 MiB. */
export const LARGE_MAX_BODY = 1024 * 1024;

// Indexed as a plain object on purpose, as many apps do: `constructor` or `__proto__` then find
// Object's own members, which core answers as an unknown tenant (404), not a broken lookup (503).
const TENANT_CONFIGS: Record<string, TenantConfig> = Object.fromEntries(
  Object.entries(TENANT_SECRETS).map(([id, secret]) => [id, { secrets: [{ id: `${id}-2026`, secret }], account: ACCOUNTS[id] }]),
);

export async function lookup(id: string): Promise<TenantConfig | undefined> {
  await new Promise((r) => setImmediate(r)); // a real lookup is asynchronous
  if (id === 'broken') throw new Error('database unavailable');
  return TENANT_CONFIGS[id];
}

/** Verifier options per route: built fresh for each server so replay stores are not shared. */
export type RouteName = 'tenants' | 'github' | 'stripe' | 'strict' | 'down' | 'large' | 'twilio' | 'twilioUntrusted' | 'adobe' | 'httpSignature' | 'pagerduty';
export const ROUTES: Record<RouteName, string> = {
  tenants: '/webhooks/:tenant',
  github: '/github',
  stripe: '/stripe',
  strict: '/strict/:tenant',
  down: '/down/:tenant',
  large: '/large/:tenant',
  twilio: '/twilio',
  twilioUntrusted: '/twilio-untrusted',
  adobe: '/adobe',
  httpSignature: '/http-signature',
  pagerduty: '/pagerduty',
};

/**
 * A replay store whose backend is unreachable; for message ids ending in `_settle_down` it goes down
 * only after the reservation, so the handler runs and recording its outcome fails.
 */
function downStore() {
  const memory = new MemoryReplayStore();
  const refused = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
  return {
    reserve: (key: string, ttl: number) => (key.endsWith('_settle_down') ? memory.reserve(key, ttl) : refused()),
    commit: refused,
    release: refused,
  };
}

/** `store`: the replay store of the `tenants` route (e.g. one Redis shared by several servers); default: its own memory store. */
export function routeOptions(log?: HandlerLog, store?: ReplayStore): Record<RouteName, VerifierOptions> {
  const hooks = {
    onRejected: (e: { code: string }) => log?.rejected.push(e.code),
    onSettleFailed: (e: { code: string; tenant?: string; scheme?: string }) => log?.settleFailed.push(`${e.code} ${e.tenant} ${e.scheme}`),
  };
  const routes: Record<RouteName, VerifierOptions> = {
    // Duplicates refused with 409, and the tenant must be named the same by route and header.
    strict: {
      scheme: standardWebhooks(),
      tenants: { resolve: [fromParam('tenant'), fromHeader('x-tenant')], lookup },
      replay: { duplicates: 'reject' },
      maxBodyBytes: MAX_BODY,
    },
    down: { scheme: standardWebhooks(), tenants: { resolve: fromParam('tenant'), lookup }, replay: { store: downStore() }, maxBodyBytes: MAX_BODY },
    tenants: {
      scheme: standardWebhooks(),
      tenants: { resolve: fromParam('tenant'), lookup },
      claims: accountClaim('account'),
      maxBodyBytes: MAX_BODY,
      ...(store ? { replay: { store } } : {}),
    },
    // The default limit (1 MiB), as most apps run it.
    large: { scheme: standardWebhooks(), tenants: { resolve: fromParam('tenant'), lookup }, maxBodyBytes: LARGE_MAX_BODY },
    github: { scheme: github({ secret: GITHUB_SECRET }), maxBodyBytes: MAX_BODY },
    stripe: { scheme: stripe({ secret: STRIPE_SECRET }), maxBodyBytes: MAX_BODY },
    // Behind a proxy on 127.0.0.1: the URL Twilio signed comes from its X-Forwarded-Proto/Host.
    twilio: { scheme: twilio({ secret: TWILIO_TOKEN }), proxy: { trusted: ['127.0.0.1', '::1'] }, maxBodyBytes: MAX_BODY },
    // The same, with a proxy elsewhere: forwarded headers from 127.0.0.1 are a client's claim.
    twilioUntrusted: { scheme: twilio({ secret: TWILIO_TOKEN }), proxy: { trusted: ['192.0.2.1'] }, maxBodyBytes: MAX_BODY },
    // POST notifications and Adobe's verification-of-intent GET, on one route.
    adobe: { scheme: adobeSign({ clientId: ADOBE_CLIENT_ID }), maxBodyBytes: MAX_BODY },
    // Several v1= signatures while PagerDuty rotates: one match is enough, the replay identity is the body's.
    pagerduty: { scheme: pagerduty({ secret: PAGERDUTY_SECRET }), maxBodyBytes: MAX_BODY },
    httpSignature: {
      scheme: httpSignature({ publicUrl: HTTP_SIGNATURE_BASE, keys: [{ id: HTTP_SIGNATURE_KEY.id, publicKey: HTTP_SIGNATURE_KEY.publicKey }] }),
      maxBodyBytes: MAX_BODY,
    },
  };
  for (const r of Object.values(routes)) Object.assign(r, hooks);
  return routes;
}

/**
 * What the handlers do, driven by the payload: `behavior: 'fail'` answers 500 the first time a
 * message id is seen; `'throw'` throws the first time; `'slow'` waits for the test to let it go;
 * `'slow-fail'` / `'slow-throw'` wait for the test the first time, then answer 500 / throw (later
 * runs answer 200 at once).
 */
export class HandlerLog {
  readonly calls: string[] = [];
  /** Codes seen by the verifiers' onRejected hook. */
  readonly rejected: string[] = [];
  /** What the verifiers' onSettleFailed hook reported: `code tenant scheme`. */
  readonly settleFailed: string[] = [];
  readonly #seen = new Map<string, number>();
  readonly #gates = new Map<string, () => void>();
  readonly #waiting = new Map<string, () => void>();

  /** Returns the status the handler answers, or throws for 'throw'. */
  async run(route: string, id: string | undefined, payload: unknown): Promise<number> {
    const key = `${route}:${id ?? '?'}`;
    this.calls.push(key);
    const n = (this.#seen.get(key) ?? 0) + 1;
    this.#seen.set(key, n);
    const behavior = (payload as { behavior?: string } | null)?.behavior;
    if (behavior === 'fail' && n === 1) return 500;
    if (behavior === 'throw' && n === 1) throw new Error('handler failed');
    // An answer given by throwing (ctx.throw(422), an http-errors error): final, like a returned 422.
    if (behavior === 'reject') throw Object.assign(new Error('unprocessable event'), { status: 422, expose: true });
    if (behavior === 'slow') await this.#hold(key);
    if ((behavior === 'slow-fail' || behavior === 'slow-throw') && n === 1) {
      await this.#hold(key);
      if (behavior === 'slow-fail') return 500;
      throw new Error('handler failed');
    }
    return 200;
  }
  /** Tells whenRunning() the handler is running, then waits for open() (5 s at most). */
  #hold(key: string): Promise<void> {
    this.#waiting.get(key)?.();
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 5000);
      this.#gates.set(key, () => (clearTimeout(t), resolve()));
    });
  }
  count(route: string, id: string): number {
    return this.calls.filter((c) => c === `${route}:${id}`).length;
  }
  /** Resolves once a 'slow' handler for this id is running. */
  whenRunning(route: string, id: string): Promise<void> {
    return new Promise((resolve) => this.#waiting.set(`${route}:${id}`, resolve));
  }
  open(route: string, id: string): void {
    this.#gates.get(`${route}:${id}`)?.();
  }
}

export interface RunningServer {
  name: string;
  url: string;
  log: HandlerLog;
  close(): Promise<void>;
}
