// A real Redis Cluster on loopback for the tests: masters and replicas are RedisServer processes
// (cluster mode, no persistence, a free port each), joined by `redis-cli --cluster create`, and
// stopped by PID.
import { findRedisServer, RedisServer } from './redis-server.js';
import { redisCli, redisCliBeside, replicaInSync } from './lib/redis-cli.js';
import { sleep } from './lib/processes.js';

export interface RedisClusterOptions {
  /** Masters (default 3). */
  masters?: number;
  /** Replicas per master (default 1). */
  replicasPerMaster?: number;
  /**
   * cluster-node-timeout, ms (default 1 000: a dead master is failed over within seconds, not Redis'
   * 15 s default). Replicas run with cluster-replica-validity-factor 0, so one may always take over.
   */
  nodeTimeoutMs?: number;
}

export interface ClusterNode {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** For a replica: its master's id. */
  masterId: string | undefined;
  /** Slot ranges served, for a master: [from, to] inclusive. */
  slots: Array<[number, number]>;
  /** Flagged fail or pfail, or disconnected, by the node asked. */
  failing: boolean;
}

export class RedisCluster {
  readonly #cli: string;

  private constructor(readonly nodes: readonly RedisServer[]) {
    this.#cli = redisCliBeside(nodes[0]!.binary);
  }

  /** Starts the nodes, creates the cluster and waits until every node says cluster_state:ok and every replica is in sync (bounded: 30 s): one still syncing would take over empty. */
  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const masters = options.masters ?? 3;
    const replicas = options.replicasPerMaster ?? 1;
    const nodeTimeout = options.nodeTimeoutMs ?? 1_000;
    const binary = findRedisServer();
    if (!binary) throw new Error('redis-server not found');
    const started: RedisServer[] = [];
    try {
      const count = masters * (1 + replicas);
      const results = await Promise.allSettled(
        Array.from({ length: count }, () => RedisServer.start({ cluster: true, args: ['--cluster-node-timeout', String(nodeTimeout), '--cluster-replica-validity-factor', '0'] })),
      );
      for (const r of results) if (r.status === 'fulfilled') started.push(r.value);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const cluster = new RedisCluster(started);
      await redisCli(cluster.#cli, started[0]!.port, ['--cluster', 'create', ...started.map((s) => `127.0.0.1:${s.port}`), '--cluster-replicas', String(replicas), '--cluster-yes']);
      await cluster.waitUntil(
        async (nodes) =>
          nodes.filter((n) => n.role === 'master' && n.slots.length > 0).length === masters &&
          nodes.filter((n) => n.role === 'replica').length === masters * replicas &&
          (await Promise.all(nodes.filter((n) => n.role === 'replica').map((n) => replicaInSync(cluster.#cli, n.port)))).every(Boolean),
        30_000,
        'the cluster is formed and every replica has finished its initial sync',
      );
      return cluster;
    } catch (e) {
      await Promise.allSettled(started.map((s) => s.stop()));
      throw e;
    }
  }

  /** `CLUSTER NODES` as seen by `askPort` (default: the first running node). */
  async topology(askPort?: number): Promise<ClusterNode[]> {
    const port = askPort ?? this.nodes.find((n) => n.running)?.port;
    if (port === undefined) throw new Error('no cluster node is running');
    const text = await redisCli(this.#cli, port, ['CLUSTER', 'NODES']);
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((line) => {
        const [id, address, flags, master, , , , link, ...slots] = line.trim().split(' ');
        const flagSet = new Set(flags!.split(','));
        return {
          id: id!,
          port: Number(address!.split('@')[0]!.split(':')[1]),
          role: flagSet.has('master') ? 'master' : 'replica',
          masterId: master === '-' ? undefined : master,
          slots: slots.filter((s) => /^\d/.test(s)).map((s) => {
            const [from, to] = s.split('-').map(Number);
            return [from!, to ?? from!] as [number, number];
          }),
          failing: flagSet.has('fail') || flagSet.has('fail?') || link !== 'connected',
        };
      });
  }

  /** The master serving `slot`, as every running node agrees, or undefined while they disagree or none is healthy. */
  async masterOf(slot: number): Promise<ClusterNode | undefined> {
    let agreed: ClusterNode | undefined;
    for (const server of this.nodes.filter((n) => n.running)) {
      const nodes = await this.topology(server.port);
      const m = nodes.find((n) => n.role === 'master' && !n.failing && n.slots.some(([a, b]) => slot >= a && slot <= b));
      if (!m || (agreed && agreed.id !== m.id)) return undefined;
      agreed = m;
    }
    return agreed;
  }

  /** The server process listening on `port`. */
  server(port: number): RedisServer {
    const s = this.nodes.find((n) => n.port === port);
    if (!s) throw new Error(`no cluster node on port ${port}`);
    return s;
  }

  /**
   * Polls until `check` holds for the topology and every running node says cluster_state:ok
   * (every 50 ms, at most `withinMs`); throws with `what` otherwise.
   */
  async waitUntil(check: (nodes: ClusterNode[]) => boolean | Promise<boolean>, withinMs: number, what: string): Promise<void> {
    const deadline = Date.now() + withinMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const running = this.nodes.filter((n) => n.running);
        const states = await Promise.all(running.map((n) => redisCli(this.#cli, n.port, ['CLUSTER', 'INFO'])));
        if (states.every((s) => s.includes('cluster_state:ok')) && (await check(await this.topology()))) return;
        last = states.map((s) => /cluster_state:(\w+)/.exec(s)?.[1]).join(',');
      } catch (e) {
        last = String(e);
      }
      await sleep(50);
    }
    throw new Error(`Redis Cluster: not within ${withinMs} ms: ${what} (last: ${last})`);
  }

  /** Stops every node by PID (those already killed are skipped). */
  async stop(): Promise<void> {
    await Promise.allSettled(this.nodes.map((n) => n.stop()));
  }
}
