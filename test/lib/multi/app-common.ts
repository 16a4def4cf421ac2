// What the three app processes share: configuration from the environment, the Redis replay store,
// the verifier options and the handler, which counts its runs per message id for GET /_stats.
// Run by node as a child of multi-process.test.ts; it never prints the secret.
import { standardWebhooks, type VerifierOptions } from '@hookguard/core';
import { RedisReplayStore } from '@hookguard/redis';
import { prng } from './prng.js';

export interface AppConfig {
  redisUrl: string;
  port: number;
  secret: string;
  /** Probability that the handler of POST /flaky answers 500, per attempt. */
  failRate: number;
  seed: string;
  /** How long the handler works, so that copies arrive while it is in flight. */
  handlerDelayMs: number;
  /** RedisReplayStore's commandTimeoutMs; core's replay.timeoutMs is twice this, so the store's fires first. */
  commandTimeoutMs: number;
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
}

export function readConfig(): AppConfig {
  return {
    redisUrl: required('REDIS_URL'),
    port: Number(process.env.PORT ?? 0),
    secret: required('WEBHOOK_SECRET'),
    failRate: Number(process.env.FAIL_RATE ?? 0),
    seed: process.env.SEED ?? '1',
    handlerDelayMs: Number(process.env.HANDLER_DELAY_MS ?? 0),
    commandTimeoutMs: Number(process.env.COMMAND_TIMEOUT_MS ?? 1000),
  };
}

export function createStore(config: AppConfig): RedisReplayStore {
  return new RedisReplayStore({ url: config.redisUrl, keyPrefix: 'hookguard-mp:', commandTimeoutMs: config.commandTimeoutMs });
}

export function verifierOptions(config: AppConfig, store: RedisReplayStore): VerifierOptions {
  return { scheme: standardWebhooks({ secret: config.secret }), replay: { store, timeoutMs: 2 * config.commandTimeoutMs }, maxBodyBytes: 64 * 1024 };
}

export interface HandlerAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface StatsSnapshot {
  app: string;
  pid: number;
  /** Handler runs per message id (successes + failures). */
  runs: Record<string, number>;
  successes: Record<string, number>;
  failures: Record<string, number>;
}

const bump = (m: Map<string, number>, id: string) => m.set(id, (m.get(id) ?? 0) + 1);

/** The webhook handler of every app, and its counters. */
export class Handler {
  readonly #runs = new Map<string, number>();
  readonly #successes = new Map<string, number>();
  readonly #failures = new Map<string, number>();

  constructor(
    readonly app: string,
    readonly config: AppConfig,
  ) {}

  /**
   * Runs for one verified delivery. On the flaky route it fails with probability failRate,
   * decided from (seed, message id, the sender's attempt number): reproducible across runs.
   */
  async handle(id: string | undefined, route: 'reliable' | 'flaky', attemptHeader: unknown): Promise<HandlerAnswer> {
    const key = id ?? '?';
    bump(this.#runs, key);
    if (this.config.handlerDelayMs > 0) await new Promise((r) => setTimeout(r, this.config.handlerDelayMs));
    const attempt = Number(Array.isArray(attemptHeader) ? attemptHeader[0] : attemptHeader) || 0;
    if (route === 'flaky' && prng(this.config.seed, 'fail', key, attempt)() < this.config.failRate) {
      bump(this.#failures, key);
      return { status: 500, body: { error: 'injected failure', app: this.app } };
    }
    bump(this.#successes, key);
    return { status: 200, body: { handled: true, id: key, app: this.app } };
  }

  snapshot(): StatsSnapshot {
    return {
      app: this.app,
      pid: process.pid,
      runs: Object.fromEntries(this.#runs),
      successes: Object.fromEntries(this.#successes),
      failures: Object.fromEntries(this.#failures),
    };
  }
}

/** Tells the parent where the app listens: one JSON line on stdout. */
export function announce(app: string, port: number): void {
  process.stdout.write(JSON.stringify({ ready: true, app, pid: process.pid, url: `http://127.0.0.1:${port}` }) + '\n');
}

/**
 * The parent holds our stdin open: when it goes away (even killed), stdin ends and we exit, so no
 * app outlives its test run. SIGTERM, the parent's normal stop, runs `close` first.
 */
export function exitWithParent(close: () => Promise<void>): void {
  let closing = false;
  const stop = (code: number) => {
    if (closing) return;
    closing = true;
    const force = setTimeout(() => process.exit(code), 2_000);
    force.unref();
    close().then(
      () => process.exit(code),
      () => process.exit(code),
    );
  };
  process.stdin.on('end', () => stop(0));
  process.stdin.on('error', () => stop(0));
  process.stdin.resume();
  process.once('SIGTERM', () => stop(0));
}
