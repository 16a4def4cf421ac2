import pg from 'pg';
import { PostgresReplayStore, PostgresReplayStoreError, withWebhookTransaction, commitInTransaction } from '@hookguard/postgres';
import { createVerifier, standardWebhooks, type VerifiedWebhook } from '@hookguard/core';

const pool = new pg.Pool({ connectionString: 'postgres://127.0.0.1/app' });
const store = new PostgresReplayStore({ pool, queryTimeoutMs: 1000 });
export const verifier = createVerifier({ scheme: standardWebhooks({ secret: 'whsec_x' }), replay: { store } });

export async function handle(webhook: VerifiedWebhook<{ id: string; amount: number }>): Promise<number> {
  const rows = await withWebhookTransaction({ pool, webhook }, async (tx) => {
    const r = await tx.query('insert into payments (id, amount) values ($1, $2)', [webhook.payload.id, webhook.payload.amount]);
    return r.rowCount ?? 0;
  });
  return rows;
}

export async function manual(webhook: VerifiedWebhook, client: pg.PoolClient): Promise<void> {
  await commitInTransaction({ client, webhook });
}
export const isStoreError = (e: unknown): boolean => e instanceof PostgresReplayStoreError;
export const migrated: Promise<void> = store.migrate();
