import type { VerifiedWebhook } from '@hookguard/core';

// Symbol.for: shared by every copy of this package in the process (ESM and CJS builds).
const STATE = Symbol.for('hookguard.nestjs.webhook-state');

export interface SettleOutcome {
  status?: number;
  error?: unknown;
}

/** What the guard leaves on the request for the interceptor and the param decorators. */
export interface WebhookState {
  webhook: VerifiedWebhook;
  /** The interceptor took over settling (the handler is about to run). */
  intercepted: boolean;
  /**
   * The exchange ended before the interceptor took over (another guard refused, or the client hung
   * up): the key was released, so the handler must not run any more.
   */
  abandoned: boolean;
  /** Settles the webhook exactly once, whoever calls first; later calls get the same promise. */
  settle(outcome: SettleOutcome): Promise<void>;
}

type Carrier = Record<PropertyKey, unknown>;

export function getWebhookState(req: unknown): WebhookState | undefined {
  if (typeof req !== 'object' || req === null) return undefined;
  return (req as Carrier)[STATE] as WebhookState | undefined;
}

export function setWebhookState(req: object, webhook: VerifiedWebhook): WebhookState {
  let done: Promise<void> | undefined;
  const state: WebhookState = {
    webhook,
    intercepted: false,
    abandoned: false,
    settle(outcome) {
      // A store failure must not turn into an unhandled rejection or a second settle.
      done ??= webhook.settle(outcome).catch(() => undefined);
      return done;
    },
  };
  Object.defineProperty(req, STATE, { value: state, configurable: true, enumerable: false, writable: false });
  return state;
}
