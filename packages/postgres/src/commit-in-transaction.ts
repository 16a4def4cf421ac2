import type { ClientBase } from 'pg';
import { WebhookConfigError, type VerifiedWebhook } from '@hookguard/core';
import { commitWebhookIn, committedElsewhere } from './lib/commit-webhook-in.js';

export interface CommitInTransactionOptions {
  /** A client inside your open transaction (after BEGIN), on the database that holds the replay table. */
  client: ClientBase;
  /** The delivery, verified by a verifier whose `replay.store` is a PostgresReplayStore. */
  webhook: VerifiedWebhook;
}

/**
 * Marks the webhook done inside your own transaction: the "done" row commits or rolls back with
 * your writes. Call it last, just before your COMMIT. The webhook is settled by it (the adapter's
 * commit or release afterwards does nothing), so if your COMMIT then fails, the key stays in flight
 * until `replay.inFlightTtlMs` and the sender's next retry after that is processed.
 *
 * Rejects, and you must ROLLBACK, with REPLAY_IN_FLIGHT (409) when the reservation expired and
 * another copy took the key, or REPLAY_STORE_UNAVAILABLE (503) when the write failed. Rejects with
 * WebhookConfigError when the webhook's store is not a PostgresReplayStore or the webhook was
 * settled already: then its commit happened outside your transaction.
 */
export async function commitInTransaction(options: CommitInTransactionOptions): Promise<void> {
  if (!options || typeof options !== 'object') throw new WebhookConfigError('commitInTransaction needs { client, webhook }');
  const { client, webhook } = options;
  if (!client || typeof client.query !== 'function') throw new WebhookConfigError('commitInTransaction: client must be a node-postgres client inside a transaction');
  if (!webhook || typeof webhook.commit !== 'function') throw new WebhookConfigError('commitInTransaction: webhook must be a VerifiedWebhook');
  const outcome = await commitWebhookIn(client, webhook);
  if (outcome.kind === 'lost' || outcome.kind === 'failed') throw outcome.error;
  if (outcome.kind === 'elsewhere') throw committedElsewhere('commitInTransaction');
}

