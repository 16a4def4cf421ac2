// A load of webhook deliveries across two app instances (each a real verifier with its own ioredis
// client and RedisReplayStore) while a Redis master is killed: what each answer was, how often each
// handler ran, when the failover ended and deliveries were handled again. Shared by the Cluster and
// the Sentinel suites. Bounded in count and in time; asserts nothing itself.
import { randomBytes } from 'node:crypto';
import {
  createVerifier,
  fromHeader,
  isWebhookVerificationError,
  sign,
  standardWebhooks,
  type Verifier,
  type WebhookRequest,
} from '@hookguard/core';
import { RedisReplayStore } from '@hookguard/redis';
import type { RedisReplayClient } from '@hookguard/redis';

export type Kind = 'handled' | 'duplicate' | 'in-flight' | 'unavailable' | 'other';

export interface Attempt {
  id: string;
  tenant: string;
  kind: Kind;
  /** A late copy of a message already acknowledged (a provider's duplicate delivery). */
  copy: boolean;
  /** When it was sent, and when its answer came. */
  sentAt: number;
  at: number;
  detail?: string;
}

export interface FailoverRun {
  attempts: Attempt[];
  /** Handler runs per message id. */
  runs: Map<string, number>;
  /** Messages that a sender saw acknowledged, with the kind of their last answer. */
  acknowledged: Map<string, Kind>;
  /** Messages whose sender gave up (attempts or time ran out). */
  undelivered: string[];
  /** Commits that failed after the handler ran (onSettleFailed): those keys stay in flight until inFlightTtlMs. */
  settleFailures: number;
  killedAt: number;
  /** When `failedOver()` first held after the kill. */
  failedOverAt: number | undefined;
  /** When the first delivery to an affected tenant sent after the kill was handled. */
  firstHandledAfterKill: number | undefined;
  endedAt: number;
}

export interface FailoverLoadOptions {
  clients: readonly RedisReplayClient[];
  tenants: readonly string[];
  /** Tenants whose keys live on the master that is killed. */
  affected: ReadonlySet<string>;
  /** Kills the master (by PID); resolves once it has exited. */
  kill: () => Promise<void>;
  /** True once the replacement master serves the affected keys (the Redis side of the failover is over). */
  failedOver: () => Promise<boolean>;
  /** Kill after this many messages are acknowledged. */
  killAfter: number;
  /** After the failover, keep the load going until this many affected deliveries were handled. */
  recoveredAfter: number;
  /** Bounds: messages in all, and the whole run. */
  maxMessages: number;
  maxMs: number;
  workers: number;
  commandTimeoutMs: number;
}

const SECRET = 'whsec_' + randomBytes(24).toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signed(tenant: string, id: string): WebhookRequest {
  const body = JSON.stringify({ type: 'invoice.paid', id });
  return {
    method: 'POST',
    url: '/webhooks',
    headers: { ...sign.standardWebhooks({ secret: SECRET, id, body }), 'content-type': 'application/json', 'x-tenant': tenant },
    body: Buffer.from(body),
  };
}

export async function runFailoverLoad(options: FailoverLoadOptions): Promise<FailoverRun> {
  const runs = new Map<string, number>();
  let settleFailures = 0;
  const instances: Verifier[] = options.clients.map((client) =>
    createVerifier({
      scheme: standardWebhooks({ secret: SECRET }),
      tenants: { resolve: fromHeader('x-tenant'), lookup: () => ({}) },
      // The default in-flight TTL (60 s): a key whose commit was lost stays in flight for the whole run.
      replay: { store: new RedisReplayStore({ client, commandTimeoutMs: options.commandTimeoutMs }), timeoutMs: 2 * options.commandTimeoutMs },
      onSettleFailed: () => {
        settleFailures++;
      },
    }),
  );

  /** One delivery attempt to one instance: verify, run the handler (count it), settle as an adapter does. */
  async function attempt(instance: Verifier, tenant: string, id: string): Promise<{ kind: Kind; detail?: string }> {
    let webhook;
    try {
      webhook = await instance.verify(signed(tenant, id), { parse: true });
    } catch (e) {
      if (!isWebhookVerificationError(e)) return { kind: 'other', detail: String(e) };
      if (e.code === 'DUPLICATE') return { kind: 'duplicate' };
      if (e.code === 'REPLAY_IN_FLIGHT') return { kind: 'in-flight' };
      if (e.code === 'REPLAY_STORE_UNAVAILABLE' && e.status === 503) return { kind: 'unavailable' };
      return { kind: 'other', detail: e.code };
    }
    runs.set(id, (runs.get(id) ?? 0) + 1);
    await sleep(2); // the handler's work
    // The answer (200) stands whatever the store says; a failed commit is counted by onSettleFailed.
    await webhook.settle({ status: 200 }).catch(() => undefined);
    return { kind: 'handled' };
  }

  const attempts: Attempt[] = [];
  const acknowledged = new Map<string, Kind>();
  const ackedIds: Array<{ id: string; tenant: string }> = [];
  const undelivered: string[] = [];
  const start = Date.now();
  const deadline = start + options.maxMs;
  let killedAt = 0;
  let failedOverAt: number | undefined;
  let firstHandledAfterKill: number | undefined;
  let recovered = 0;
  let next = 0;
  const done = () =>
    Date.now() > deadline || next >= options.maxMessages || (failedOverAt !== undefined && recovered >= options.recoveredAfter);

  /** A provider's sender: one attempt at a time, the next instance each time, back-off on 409 and 503. */
  async function deliver(tenant: string, id: string, first: number): Promise<void> {
    for (let n = 0; n < 200 && Date.now() < deadline + 20_000; n++) {
      const sentAt = Date.now();
      const r = await attempt(instances[(first + n) % instances.length]!, tenant, id);
      const at = Date.now();
      attempts.push({ id, tenant, kind: r.kind, copy: false, sentAt, at, ...(r.detail ? { detail: r.detail } : {}) });
      if (r.kind === 'handled' && killedAt > 0 && sentAt > killedAt && options.affected.has(tenant)) {
        firstHandledAfterKill ??= at;
        if (failedOverAt !== undefined) recovered++;
      }
      if (r.kind === 'handled' || r.kind === 'duplicate' || r.kind === 'other') {
        acknowledged.set(id, r.kind);
        ackedIds.push({ id, tenant });
        return;
      }
      await sleep(Math.min(10 * 2 ** Math.min(n, 4), 150));
    }
    undelivered.push(id);
  }

  const worker = async (w: number) => {
    for (let i = 0; !done(); i++) {
      const n = next++;
      const tenant = options.tenants[n % options.tenants.length]!;
      await deliver(tenant, `msg_${w}_${i}_${n}`, n);
      // Now and then a late copy of an acknowledged message, to the other instance: never run again.
      if (n % 3 === 0 && ackedIds.length > 0) {
        const old = ackedIds[(n * 7919) % ackedIds.length]!;
        const sentAt = Date.now();
        const r = await attempt(instances[(n + 1) % instances.length]!, old.tenant, old.id);
        attempts.push({ id: old.id, tenant: old.tenant, kind: r.kind, copy: true, sentAt, at: Date.now() });
      }
      await sleep(1);
    }
  };

  const watcher = async () => {
    while (acknowledged.size < options.killAfter && Date.now() < deadline) await sleep(10);
    killedAt = Date.now();
    await options.kill();
    while (failedOverAt === undefined && Date.now() < deadline) {
      if (await options.failedOver().catch(() => false)) failedOverAt = Date.now();
      else await sleep(50);
    }
  };

  await Promise.all([watcher(), ...Array.from({ length: options.workers }, (_, w) => worker(w))]);
  return { attempts, runs, acknowledged, undelivered, settleFailures, killedAt, failedOverAt, firstHandledAfterKill, endedAt: Date.now() };
}
