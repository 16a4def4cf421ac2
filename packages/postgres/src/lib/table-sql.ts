import { createHash } from 'node:crypto';
import type { QueryConfig } from 'pg';

/** The table the store uses when none is given. */
export const DEFAULT_TABLE = 'hookguard_replay';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** `table` or `schema.table`, each part a plain identifier (checked, then quoted: never spliced in raw). */
export function parseTableName(name: string): { schema: string | undefined; table: string } | undefined {
  if (typeof name !== 'string') return undefined;
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) return undefined;
  return parts.length === 2 ? { schema: parts[0]!, table: parts[1]! } : { schema: undefined, table: parts[0]! };
}

export interface TableSql {
  /** The DDL of `migrate()` and of the shipped SQL file: idempotent. */
  schema: string;
  reserve(key: string, token: string, ttlMs: number): QueryConfig;
  commit(key: string, ttlMs: number, token: string | undefined): QueryConfig;
  release(key: string, token: string | undefined): QueryConfig;
  prune(limit: number): QueryConfig;
}

/**
 * Every statement for one table. Times come from the database clock (`now()`), never from the
 * app's: instances with skewed clocks still agree on what has expired. Statements are named
 * (prepared once per connection): the name is a digest of the text, so two tables never share one.
 */
export function tableSql(name: string, prepared: boolean): TableSql {
  const parsed = parseTableName(name)!;
  const q = (id: string) => `"${id}"`;
  const t = parsed.schema === undefined ? q(parsed.table) : `${q(parsed.schema)}.${q(parsed.table)}`;
  const index = q(`${parsed.table}_expires_at`);
  const named = (text: string, values: unknown[]): QueryConfig =>
    prepared ? { name: `hookguard_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`, text, values } : { text, values };

  // A row is in flight while `token` holds its owner's token, done once `token` is NULL; either
  // way it counts only until `expires_at`. Done rows are the many (one per message for the whole
  // retention), so they carry nothing else.
  const schema = `CREATE TABLE IF NOT EXISTS ${t} (
  key        text        PRIMARY KEY,
  token      text,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ${index} ON ${t} (expires_at);
`;

  // One round trip: take the key when it is absent or expired, else say what holds it. The outer
  // SELECT reads the statement's snapshot, which may predate a row a concurrent reserve has just
  // made (ON CONFLICT saw it, the snapshot does not): no visible live done row reads as in-flight,
  // so a key is never answered done unless it is.
  const reserve = `WITH taken AS (
  INSERT INTO ${t} AS r (key, token, expires_at)
  VALUES ($1, $2, now() + $3::float8 * interval '1 millisecond')
  ON CONFLICT (key) DO UPDATE SET token = EXCLUDED.token, expires_at = EXCLUDED.expires_at
  WHERE r.expires_at <= now()
  RETURNING 1
)
SELECT CASE
  WHEN EXISTS (SELECT 1 FROM taken) THEN 'reserved'
  WHEN EXISTS (SELECT 1 FROM ${t} WHERE key = $1 AND token IS NULL AND expires_at > now()) THEN 'done'
  ELSE 'in-flight'
END AS state`;

  // Only the owner's in-flight row changes (a NULL token matches any in-flight row, as in the
  // other stores). A lease that ran out but that no one took over can still be committed: its
  // handler ran once, and nobody else is running it.
  const commit = `UPDATE ${t} SET token = NULL, expires_at = now() + $2::float8 * interval '1 millisecond'
WHERE key = $1 AND token = COALESCE($3, token)`;
  const release = `DELETE FROM ${t} WHERE key = $1 AND token = COALESCE($2, token)`;
  // Oldest first, and never a row another transaction holds (a commit waiting for its COMMIT).
  const prune = `DELETE FROM ${t} WHERE key IN (
  SELECT key FROM ${t} WHERE expires_at < now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
)`;

  return {
    schema,
    reserve: (key, token, ttlMs) => named(reserve, [key, token, ttlMs]),
    commit: (key, ttlMs, token) => named(commit, [key, ttlMs, token ?? null]),
    release: (key, token) => named(release, [key, token ?? null]),
    prune: (limit) => named(prune, [limit]),
  };
}
