// A real Redis Sentinel setup on loopback for the tests: one master, its replicas and a quorum of
// Sentinels (`redis-server --sentinel`), each a RedisServer process on a free port, stopped by PID.
import { findRedisServer, RedisServer } from './redis-server.js';
import { redisCli, redisCliBeside, replicaInSync } from './lib/redis-cli.js';
import { sleep } from './lib/processes.js';

export interface RedisSentinelOptions {
  /** Replicas of the master (default 2). */
  replicas?: number;
  /** Sentinels (default 3; the quorum is a majority). */
  sentinels?: number;
  /** down-after-milliseconds (default 1 000). */
  downAfterMs?: number;
  /** failover-timeout, ms (default 5 000). */
  failoverTimeoutMs?: number;
}

export class RedisSentinelGroup {
  /** The name Sentinel monitors the master under (ioredis `name`). */
  readonly name = 'hookguard';
  readonly #cli: string;

  private constructor(
    readonly servers: readonly RedisServer[],
    readonly sentinels: readonly RedisServer[],
  ) {
    this.#cli = redisCliBeside(servers[0]!.binary);
  }

  /** Starts the master, its replicas and the Sentinels; resolves once every replica has finished its initial sync and each Sentinel knows the others and every replica (bounded: 30 s). */
  static async start(options: RedisSentinelOptions = {}): Promise<RedisSentinelGroup> {
    if (!findRedisServer()) throw new Error('redis-server not found');
    const replicaCount = options.replicas ?? 2;
    const sentinelCount = options.sentinels ?? 3;
    const servers: RedisServer[] = [];
    const sentinels: RedisServer[] = [];
    try {
      const master = await RedisServer.start();
      servers.push(master);
      for (let i = 0; i < replicaCount; i++) servers.push(await RedisServer.start({ args: ['--replicaof', '127.0.0.1', String(master.port)] }));
      const conf = [
        `sentinel monitor hookguard 127.0.0.1 ${master.port} ${Math.floor(sentinelCount / 2) + 1}`,
        `sentinel down-after-milliseconds hookguard ${options.downAfterMs ?? 1_000}`,
        `sentinel failover-timeout hookguard ${options.failoverTimeoutMs ?? 5_000}`,
        'sentinel parallel-syncs hookguard 1',
      ].join('\n');
      for (let i = 0; i < sentinelCount; i++) sentinels.push(await RedisServer.start({ sentinel: conf }));
      const group = new RedisSentinelGroup(servers, sentinels);
      await group.waitUntil(
        async (info) =>
          info.every((i) => i['num-slaves'] === String(replicaCount) && i['num-other-sentinels'] === String(sentinelCount - 1)) &&
          (await Promise.all(servers.slice(1).map((r) => replicaInSync(group.#cli, r.port)))).every(Boolean),
        30_000,
        'every replica is in sync, and every Sentinel knows every replica and the other Sentinels',
      );
      return group;
    } catch (e) {
      await Promise.allSettled([...sentinels, ...servers].map((s) => s.stop()));
      throw e;
    }
  }

  /** For ioredis: `new Redis({ sentinels, name })`. */
  get sentinelAddresses(): Array<{ host: string; port: number }> {
    return this.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port }));
  }

  /** `SENTINEL MASTER <name>` of each running Sentinel, as field -> value. */
  async masterInfo(): Promise<Array<Record<string, string>>> {
    return Promise.all(
      this.sentinels
        .filter((s) => s.running)
        .map(async (s) => {
          const lines = (await redisCli(this.#cli, s.port, ['SENTINEL', 'MASTER', this.name])).split('\n').map((l) => l.trim());
          const out: Record<string, string> = {};
          for (let i = 0; i + 1 < lines.length; i += 2) out[lines[i]!] = lines[i + 1]!;
          return out;
        }),
    );
  }

  /** The master's port, when every running Sentinel names the same one. */
  async masterPort(): Promise<number | undefined> {
    const ports = new Set((await this.masterInfo()).map((i) => Number(i.port)));
    return ports.size === 1 ? [...ports][0] : undefined;
  }

  server(port: number): RedisServer {
    const s = this.servers.find((n) => n.port === port);
    if (!s) throw new Error(`no Redis server on port ${port}`);
    return s;
  }

  /** Polls every 50 ms until `check` holds for the Sentinels' view of the master, at most `withinMs`. */
  async waitUntil(check: (info: Array<Record<string, string>>) => boolean | Promise<boolean>, withinMs: number, what: string): Promise<void> {
    const deadline = Date.now() + withinMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const info = await this.masterInfo();
        if (await check(info)) return;
        last = JSON.stringify(info.map((i) => ({ port: i.port, flags: i.flags, slaves: i['num-slaves'], sentinels: i['num-other-sentinels'] })));
      } catch (e) {
        last = String(e);
      }
      await sleep(50);
    }
    throw new Error(`Redis Sentinel: not within ${withinMs} ms: ${what} (last: ${last})`);
  }

  /** Stops every Sentinel and server by PID. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.sentinels, ...this.servers].map((s) => s.stop()));
  }
}
