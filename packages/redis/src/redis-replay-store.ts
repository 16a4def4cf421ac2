import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Cluster, RedisOptions } from 'ioredis';
import { WebhookConfigError } from '@hookguard/core';
import type { ReplayStore, ReserveResult, ReserveState } from '@hookguard/core';
import { CANCEL_LUA, COMMIT_LUA, RELEASE_LUA, RESERVE_LUA } from './lib/scripts.js';
import { cancelKey, redisKey } from './lib/redis-key.js';
import { boundedCall } from './lib/bounded-call.js';
import { RedisReplayStoreError } from './redis-replay-store-error.js';

/** An ioredis client: `new Redis(...)` (standalone or sentinel) or `new Cluster(...)`. */
export type RedisReplayClient = Redis | Cluster;

export interface RedisReplayStoreOptions {
  /** Your ioredis client. The store never closes it. Give either `client` or `url`. */
  client?: RedisReplayClient;
  /** A Redis URL (`redis://`, `rediss://`): the store creates the client and `close()` quits it. */
  url?: string;
  /** Extra ioredis options for the client created from `url`. */
  redisOptions?: RedisOptions;
  /** Put before every key (default `hookguard:`). Must not contain `{` or `}`: the store adds the hash tag. */
  keyPrefix?: string;
  /**
   * A call that has not answered after this many ms rejects (default 1 000), and the verifier
   * answers 503 REPLAY_STORE_UNAVAILABLE. Keep it below core's `replay.timeoutMs` (default 2 000).
   */
  commandTimeoutMs?: number;
}

// Custom command names defined on the client. Defining them again (a second store on the same
// client) replaces them with the same scripts.
const RESERVE = 'hookguardReplayReserve';
const COMMIT = 'hookguardReplayCommit';
const RELEASE = 'hookguardReplayRelease';
const CANCEL = 'hookguardReplayCancel';

type ScriptCall = (key: string, ...args: string[]) => Promise<unknown>;

function ttlArg(ttlMs: number, name: string): string {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`${name} must be a positive number of ms`);
  // PX takes whole milliseconds; round up so a tiny TTL never becomes 0 (an error in Redis).
  return String(Math.ceil(ttlMs));
}

/**
 * Replay store shared by every instance of your app, on Redis through ioredis. Each transition
 * is one Lua script (one round trip, atomic); keys carry a hash tag per tenant, so one tenant's
 * keys share a cluster slot. Any error, timeout or disconnected client rejects, and core fails
 * closed with 503 REPLAY_STORE_UNAVAILABLE.
 */
export class RedisReplayStore implements ReplayStore {
  readonly client: RedisReplayClient;
  readonly keyPrefix: string;
  readonly commandTimeoutMs: number;
  readonly #owned: boolean;
  #closing: Promise<void> | undefined;

  constructor(options: RedisReplayStoreOptions) {
    if (!options || typeof options !== 'object') throw new WebhookConfigError('RedisReplayStore needs an options object: { client } or { url }');
    const { client, url } = options;
    if ((client === undefined) === (url === undefined)) throw new WebhookConfigError('RedisReplayStore needs exactly one of client (an ioredis Redis or Cluster) or url');
    if (options.redisOptions !== undefined && url === undefined) throw new WebhookConfigError('redisOptions apply only with url; configure your own client directly');
    const prefix = options.keyPrefix ?? 'hookguard:';
    if (typeof prefix !== 'string' || /[{}]/.test(prefix))
      throw new WebhookConfigError('keyPrefix must be a string without { or }: the store adds a {tenant} hash tag itself');
    const timeout = options.commandTimeoutMs ?? 1_000;
    if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) throw new WebhookConfigError('commandTimeoutMs must be a positive number');
    this.keyPrefix = prefix;
    this.commandTimeoutMs = timeout;

    if (url !== undefined) {
      if (typeof url !== 'string' || url === '') throw new WebhookConfigError('url must be a Redis URL such as redis://localhost:6379');
      this.client = new Redis(url, {
        // Fail fast: commands waiting for a reconnect are rejected each time the connection
        // drops, instead of being held (and run late) across up to 20 reconnect attempts.
        maxRetriesPerRequest: 0,
        // Reconnect soon after Redis returns (ioredis' default backs off up to 5 s).
        retryStrategy: (times: number) => Math.min(times * 100, 1_000),
        ...options.redisOptions,
      });
      // Errors reach callers as rejected calls (503); without a listener ioredis would print each one.
      this.client.on('error', () => {});
      this.#owned = true;
    } else {
      if (!client || typeof (client as { defineCommand?: unknown }).defineCommand !== 'function')
        throw new WebhookConfigError('client must be an ioredis Redis or Cluster instance');
      this.client = client;
      this.#owned = false;
    }
    // defineCommand sends EVALSHA and falls back to EVAL on NOSCRIPT (a restarted or flushed Redis).
    this.client.defineCommand(RESERVE, { numberOfKeys: 2, lua: RESERVE_LUA });
    this.client.defineCommand(COMMIT, { numberOfKeys: 1, lua: COMMIT_LUA });
    this.client.defineCommand(RELEASE, { numberOfKeys: 1, lua: RELEASE_LUA });
    this.client.defineCommand(CANCEL, { numberOfKeys: 2, lua: CANCEL_LUA });
  }

  /** The Redis key that holds a replay key: `<prefix>{<tenant>}:<scheme>:<id>`. */
  keyFor(replayKey: string): string {
    return redisKey(this.keyPrefix, replayKey);
  }

  // async: a bad TTL becomes a rejection like any store fault, never a synchronous throw.
  async reserve(key: string, ttlMs: number): Promise<ReserveResult> {
    const px = ttlArg(ttlMs, 'ttlMs');
    const redisKey = this.keyFor(key);
    const token = randomBytes(12).toString('base64url');
    return boundedCall(
      this.client,
      this.commandTimeoutMs,
      'replay reserve',
      () => this.#script(RESERVE)(redisKey, cancelKey(redisKey, token), token, px),
      // The reservation may still be applied after we gave up (the command was sent or queued):
      // cancel it with the token, so the sender's retry is not held for the TTL.
      () => this.#cancel(redisKey, token, px, 0),
    ).then((reply) => {
      const state = String(reply) as ReserveState;
      if (state === 'reserved') return { state, token };
      if (state === 'in-flight' || state === 'done') return { state };
      throw new RedisReplayStoreError(`replay reserve: unexpected reply from redis`);
    });
  }

  async commit(key: string, ttlMs: number, token?: string): Promise<void> {
    const px = ttlArg(ttlMs, 'ttlMs');
    const redisKey = this.keyFor(key);
    return boundedCall(this.client, this.commandTimeoutMs, 'replay commit', () =>
      this.#script(COMMIT)(redisKey, px, token === undefined ? '0' : '1', token ?? ''),
    ).then(() => undefined);
  }

  release(key: string, token?: string): Promise<void> {
    const redisKey = this.keyFor(key);
    return boundedCall(this.client, this.commandTimeoutMs, 'replay release', () =>
      this.#script(RELEASE)(redisKey, token === undefined ? '0' : '1', token ?? ''),
    ).then(() => undefined);
  }

  /**
   * Cancels a reserve we gave up on. The cancel works in either order with the reserve (see
   * CANCEL_LUA), so it only has to be executed once. While it fails (the node is down, the cluster
   * is failing over) it is sent again, backing off to one try every 5 s, until the reservation it
   * cancels would have expired anyway (the in-flight TTL): ioredis may still deliver the reserve
   * until the cluster is back.
   */
  #cancel(redisKey: string, token: string, px: string, tries: number, until = Date.now() + Number(px)): void {
    const again = () => {
      const delay = Math.min(100 * 2 ** tries, 5_000);
      if (Date.now() + delay > until || this.client.status === 'end') return;
      setTimeout(() => this.#cancel(redisKey, token, px, tries + 1, until), delay).unref();
    };
    try {
      this.#script(CANCEL)(redisKey, cancelKey(redisKey, token), token, px).then(() => undefined, again);
    } catch {
      again();
    }
  }

  /** Quits the client when the store created it (from `url`); a client you passed in is left open. */
  close(): Promise<void> {
    if (!this.#owned) return Promise.resolve();
    this.#closing ??= (async () => {
      const client = this.client;
      if (client.status === 'end') return;
      const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
      try {
        // QUIT lets replies already on their way arrive first.
        await boundedCall({ status: 'ready' }, this.commandTimeoutMs, 'quit', () => client.quit());
      } catch {
        // Not connected or no answer: drop the connection below.
      }
      if ((client.status as string) !== 'end') client.disconnect();
      await Promise.race([ended, new Promise<void>((resolve) => setTimeout(resolve, this.commandTimeoutMs).unref())]);
    })();
    return this.#closing;
  }

  #script(name: string): ScriptCall {
    const fn = (this.client as unknown as Record<string, ScriptCall | undefined>)[name];
    if (typeof fn !== 'function') throw new RedisReplayStoreError(`the ioredis client lost the ${name} command`);
    return fn.bind(this.client);
  }
}
