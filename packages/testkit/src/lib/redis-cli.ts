import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';

/** redis-cli beside the redis-server binary (Debian installs both in /usr/bin), else the name for PATH. */
export function redisCliBeside(redisServer: string): string {
  const beside = join(dirname(redisServer), 'redis-cli');
  try {
    accessSync(beside, constants.X_OK);
    return beside;
  } catch {
    return 'redis-cli';
  }
}

/** One redis-cli call against 127.0.0.1:port, bounded at 10 s; resolves to its stdout. */
export function redisCli(cli: string, port: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cli, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`redis-cli -p ${port} ${args.join(' ')}: ${error.message} ${stderr}`.trim()));
      else resolve(stdout);
    });
  });
}

/** A replica whose initial sync is over: linked to its master and loading nothing. A replica still syncing would take over empty. */
export async function replicaInSync(cli: string, port: number): Promise<boolean> {
  const info = await redisCli(cli, port, ['INFO', 'replication']);
  return /master_link_status:up/.test(info) && /master_sync_in_progress:0/.test(info);
}
