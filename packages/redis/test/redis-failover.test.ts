// Redis past one node: a real Redis Cluster (3 masters, 3 replicas) and a real Sentinel group
// (master, 2 replicas, 3 Sentinels) on loopback. A master is SIGKILLed by PID under a load of
// deliveries over two instances: no handler runs twice, deliveries whose keys lived on it get 503
// during the failover, and they are handled again after it, on the same clients.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { describeWithRedis, RedisCluster, RedisSentinelGroup } from '@hookguard/testkit';
import { keySlot } from './lib/key-slot.js';
import { runFailoverLoad, type FailoverRun, type Kind } from './lib/failover-load.js';

const TENANTS = Array.from({ length: 24 }, (_, i) => `tenant-${i}`);
const COMMAND_TIMEOUT_MS = 500;
// The same load for both: kill after 150 acknowledged messages, go on until 60 deliveries of the
// killed master's tenants were handled after the failover; bounded in messages and in time.
const LOAD = { killAfter: 150, recoveredAfter: 60, maxMessages: 20_000, maxMs: 45_000, workers: 8, commandTimeoutMs: COMMAND_TIMEOUT_MS };

const tally = (kinds: Kind[]) => {
  const out: Partial<Record<Kind, number>> = {};
  for (const k of kinds) out[k] = (out[k] ?? 0) + 1;
  return out;
};

/**
 * The outcomes every failover run must show, and its figures for the README. With
 * `othersServe`, tenants on the other masters must be handled while the killed one fails over.
 */
function checkRun(run: FailoverRun, affected: ReadonlySet<string>, othersServe = false): string {
  const others = run.attempts.filter((a) => a.kind === 'other');
  assert.deepEqual(others.slice(0, 5).map((a) => `${a.id}: ${a.detail}`), [], 'every answer is handled, 200 duplicate, 409 or 503');
  assert.deepEqual(run.undelivered, [], 'every message was acknowledged');
  const twice = [...run.runs].filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], 'no handler ran twice');
  for (const [id, kind] of run.acknowledged) {
    assert.equal(kind, 'handled', `${id}: its sender's last answer`);
    assert.equal(run.runs.get(id), 1, `${id}: handler runs`);
  }
  assert.ok(run.killedAt > 0 && run.failedOverAt !== undefined, 'the master was killed and replaced');
  const during = run.attempts.filter((a) => a.at >= run.killedAt && a.at <= run.failedOverAt! && affected.has(a.tenant));
  const unavailable = during.filter((a) => a.kind === 'unavailable').length;
  assert.ok(unavailable > 0, '503 REPLAY_STORE_UNAVAILABLE during the failover');
  const recovered = run.attempts.filter((a) => a.sentAt > run.failedOverAt! && affected.has(a.tenant) && a.kind === 'handled' && !a.copy).length;
  assert.ok(recovered > 0, 'deliveries of the affected tenants are handled again after the failover');
  const othersDuring = run.attempts.filter((a) => a.sentAt >= run.killedAt && a.at <= run.failedOverAt! && !affected.has(a.tenant) && a.kind === 'handled').length;
  if (othersServe) assert.ok(othersDuring > 0, 'tenants on the other masters are handled during the failover');
  const all503 = run.attempts.filter((a) => a.kind === 'unavailable');
  const copies = run.attempts.filter((a) => a.copy);
  const handlerRuns = [...run.runs.values()].reduce((a, b) => a + b, 0);
  return (
    `${run.acknowledged.size} messages, ${run.attempts.length} attempts ${JSON.stringify(tally(run.attempts.map((a) => a.kind)))}; ` +
    `failover ${run.failedOverAt! - run.killedAt} ms (kill -> every node names the replacement master), ` +
    `first affected delivery sent after the kill handled ${(run.firstHandledAfterKill ?? Number.NaN) - run.killedAt} ms after it; ` +
    `503: ${all503.length} (${all503.filter((a) => affected.has(a.tenant)).length} for tenants on the killed master); ` +
    (othersServe ? `${othersDuring} deliveries of other tenants handled during the failover; ` : '') +
    `handler runs ${handlerRuns} for ${run.runs.size} messages (max ${Math.max(...run.runs.values())} per message); ` +
    `late copies ${copies.length} ${JSON.stringify(tally(copies.map((a) => a.kind)))}; commits failed (onSettleFailed) ${run.settleFailures}`
  );
}

describeWithRedis('Redis Cluster, 3 masters + 3 replicas: a master killed under load', () => {
  let cluster: RedisCluster;
  const clients: Cluster[] = [];

  before(async () => {
    cluster = await RedisCluster.start({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1_000 });
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await cluster?.stop();
  });

  test('no handler runs twice; 503 while its slots fail over; handled again on the promoted replica', { timeout: 90_000 }, async (t) => {
    const nodes = await cluster.topology();
    for (let i = 0; i < 2; i++) {
      const c = new Cluster(
        nodes.filter((n) => n.role === 'master').map((n) => ({ host: '127.0.0.1', port: n.port })),
        { scaleReads: 'master', retryDelayOnFailover: 100, retryDelayOnClusterDown: 100, redisOptions: { connectTimeout: 1_000 } },
      );
      c.on('error', () => {});
      clients.push(c);
      await new Promise<void>((resolve, reject) => {
        c.once('ready', resolve);
        c.once('error', reject);
      });
    }
    // The victim: the master holding the first tenant's slot. The store tags keys {tenant}: a tenant is on one master.
    const slotOf = (tenant: string) => keySlot(`{${tenant}}`);
    const victim = (await cluster.masterOf(slotOf(TENANTS[0]!)))!;
    const affected = new Set(TENANTS.filter((tn) => victim.slots.some(([a, b]) => slotOf(tn) >= a && slotOf(tn) <= b)));
    assert.ok(affected.size >= 3 && affected.size < TENANTS.length, `${affected.size} tenants on the victim`);

    const run = await runFailoverLoad({
      clients,
      tenants: TENANTS,
      affected,
      kill: () => cluster.server(victim.port).kill('SIGKILL'),
      failedOver: async () => {
        const m = await cluster.masterOf(slotOf(TENANTS[0]!));
        return m !== undefined && m.port !== victim.port;
      },
      ...LOAD,
    });
    t.diagnostic(`cluster: ${affected.size}/${TENANTS.length} tenants on the killed master; ${checkRun(run, affected, true)}`);
  });
});

describeWithRedis('Redis Sentinel, master + 2 replicas + 3 Sentinels: the master killed under load', () => {
  let group: RedisSentinelGroup;
  const clients: Redis[] = [];

  before(async () => {
    group = await RedisSentinelGroup.start({ replicas: 2, sentinels: 3, downAfterMs: 1_000, failoverTimeoutMs: 5_000 });
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await group?.stop();
  });

  test('no handler runs twice; 503 until a replica is promoted; handled again through the same clients', { timeout: 90_000 }, async (t) => {
    for (let i = 0; i < 2; i++) {
      const c = new Redis({
        sentinels: group.sentinelAddresses,
        name: group.name,
        // Reconnect soon, and ask the Sentinels again each time: the new master is found without a restart.
        retryStrategy: () => 100,
        sentinelRetryStrategy: () => 100,
        connectTimeout: 1_000,
        lazyConnect: true,
      });
      c.on('error', () => {});
      clients.push(c);
      await c.connect();
    }
    const oldMaster = (await group.masterPort())!;
    const run = await runFailoverLoad({
      clients,
      tenants: TENANTS,
      affected: new Set(TENANTS), // one master holds every key
      kill: () => group.server(oldMaster).kill('SIGKILL'),
      failedOver: async () => {
        const port = await group.masterPort();
        return port !== undefined && port !== oldMaster;
      },
      ...LOAD,
    });
    t.diagnostic(`sentinel: ${checkRun(run, new Set(TENANTS))}`);
  });
});
