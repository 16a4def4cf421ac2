// The tests' PostgreSQL: one real server per test file (testkit's PostgresServer), pools that
// never crash the process when the server goes away, and the effects table the handlers write.
import pg from 'pg';
import { PostgresServer } from '@hookguard/testkit';

export interface Database {
  server: PostgresServer;
  /** A new pool on the server (ended by close()). */
  pool(options?: pg.PoolConfig): pg.Pool;
  close(): Promise<void>;
}

export async function startDatabase(): Promise<Database> {
  const server = await PostgresServer.start();
  const pools: pg.Pool[] = [];
  return {
    server,
    pool(options = {}) {
      const pool = new pg.Pool({ connectionString: server.url, max: 10, connectionTimeoutMillis: 5_000, ...options });
      // node-postgres emits an idle client's error (the server restarted) on the pool: without a
      // listener it would end the process.
      pool.on('error', () => {});
      pools.push(pool);
      return pool;
    },
    async close() {
      await Promise.allSettled(pools.map((p) => p.end()));
      await server.stop();
    },
  };
}

/** The table every handler of the tests writes its effect to. No unique constraint: a second run would show as a second row. */
export const EFFECTS_DDL = `CREATE TABLE IF NOT EXISTS effects (
  message_id text NOT NULL,
  app        text NOT NULL,
  pid        integer NOT NULL DEFAULT 0,
  at         timestamptz NOT NULL DEFAULT clock_timestamp()
)`;

/** Rows per message id. */
export async function effectCounts(pool: pg.Pool, table = 'effects'): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ message_id: string; n: string }>(`SELECT message_id, count(*) AS n FROM ${table} GROUP BY message_id`);
  return new Map(rows.map((r) => [r.message_id, Number(r.n)]));
}
