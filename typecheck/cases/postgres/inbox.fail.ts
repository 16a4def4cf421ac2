import pg from 'pg';
import { PostgresReplayStore, withWebhookTransaction } from '@hookguard/postgres';
import type { VerifiedWebhook } from '@hookguard/core';

// Missing option: the pool.
new PostgresReplayStore({}); // @fail TS2345|TS2741
declare const webhook: VerifiedWebhook;
declare const pool: pg.Pool;
// The callback's transaction client is a pg client, not a number.
export const r = withWebhookTransaction({ pool, webhook }, async (tx: number) => tx); // @fail TS2345|TS2322
