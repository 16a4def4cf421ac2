import type { PeerCertificate, ReplayStore, SchemeVerdict, TenantConfig, VerifiedWebhook } from '../types.js';
import type { WebhookHttpResponse } from '../node/rejection-response.js';
import { parsePayload } from './payload.js';

export interface ReplayHold {
  store: ReplayStore;
  key: string;
  token: string | undefined;
  retentionMs: number;
  /** Runs a store call bounded by the store timeout, mapping failures to REPLAY_STORE_UNAVAILABLE (reported to onSettleFailed). */
  finish(call: () => Promise<void>, what: string, webhook: VerifiedWebhook): Promise<void>;
}

/**
 * The verified delivery. A class rather than an object literal with a getter: built once per
 * request on V8's fast path, with methods on the prototype instead of fresh closures.
 */
export class VerifiedDelivery<P, T extends TenantConfig> implements VerifiedWebhook<P, T> {
  readonly scheme: string;
  readonly id: string | undefined;
  readonly timestamp: number | undefined;
  readonly keyId: string | undefined;
  readonly replayKey: string | undefined;
  readonly responseHeaders: Readonly<Record<string, string>> | undefined;
  readonly answer: WebhookHttpResponse | undefined;
  #parsed = false;
  #payload: unknown;
  /** The scheme's reading of a form body, if it made one (parsed once, not again here). */
  #form: ReadonlyMap<string, readonly string[]> | undefined;
  #hold: ReplayHold | undefined;

  constructor(
    verdict: SchemeVerdict,
    readonly tenant: string | undefined,
    readonly tenantConfig: T | undefined,
    readonly rawBody: Buffer,
    readonly contentType: string | undefined,
    readonly peer: PeerCertificate | undefined,
  ) {
    this.scheme = verdict.scheme;
    this.id = verdict.id;
    this.timestamp = verdict.timestamp;
    this.keyId = verdict.keyId;
    this.replayKey = undefined;
    this.responseHeaders = verdict.responseHeaders;
    this.answer = verdict.answer;
    this.#form = verdict.formFields;
  }

  get payload(): P {
    if (!this.#parsed) {
      this.#payload = parsePayload(this.rawBody, this.contentType, this.#form);
      this.#parsed = true;
      this.#form = undefined;
    }
    return this.#payload as P;
  }

  /** Set once the replay key is reserved. */
  hold(hold: ReplayHold): void {
    this.#hold = hold;
    (this as { replayKey: string | undefined }).replayKey = hold.key;
  }

  commit(): Promise<void> {
    const h = this.#hold;
    if (!h) return Promise.resolve();
    this.#hold = undefined; // the first settle wins
    return h.finish(() => h.store.commit(h.key, h.retentionMs, h.token), 'commit', this);
  }

  release(): Promise<void> {
    const h = this.#hold;
    if (!h) return Promise.resolve();
    this.#hold = undefined;
    return h.finish(() => h.store.release(h.key, h.token), 'release', this);
  }

  /**
   * The one rule every adapter follows: an answer below 500 is final (commit); a 5xx, or an error
   * that carries no HTTP status (a crash, a disconnect), is a failure the sender retries (release).
   * A thrown error with a status below 500 (Koa's ctx.throw(400), Nest's BadRequestException, an
   * http-errors error) is an answer like any other.
   */
  settle(outcome: { status?: number; error?: unknown }): Promise<void> {
    const status = outcome.error !== undefined ? statusOfError(outcome.error) : outcome.status;
    return status === undefined || status >= 500 ? this.release() : this.commit();
  }
}

/** The HTTP status an error carries (`status`, `statusCode` or Nest's `getStatus()`), if any. */
function statusOfError(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { status?: unknown; statusCode?: unknown; getStatus?: unknown };
  let status: unknown = e.status ?? e.statusCode;
  if (status === undefined && typeof e.getStatus === 'function') {
    try {
      status = (e.getStatus as () => unknown).call(error);
    } catch {
      return undefined;
    }
  }
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}
