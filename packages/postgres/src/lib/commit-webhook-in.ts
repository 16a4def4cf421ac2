import { WebhookConfigError, WebhookVerificationError, type VerifiedWebhook } from '@hookguard/core';
import type { Queryable } from './bounded-query.js';
import { runWithTransactionCommit, type TransactionCommit } from './transaction-commit.js';

export type CommitOutcome =
  /** "done" is written in the transaction (and is final once it commits). */
  | { kind: 'written'; release: () => Promise<void> }
  /** No replay key (replay off, or a scheme outside replay protection): nothing to record. */
  | { kind: 'no-key' }
  /** The webhook's store is not a PostgresReplayStore, or the webhook was settled already: its commit happened outside the transaction. */
  | { kind: 'elsewhere' }
  /** The reservation expired and another copy of the message holds the key: roll back, that copy does the work. */
  | { kind: 'lost'; error: WebhookVerificationError }
  /** The write failed or timed out: roll back (the connection's state is unknown), then `release` frees the key. */
  | { kind: 'failed'; error: unknown; release: (() => Promise<void>) | undefined };

/** What the helpers' own failures become: the sender retries a 503, and the handler's writes were rolled back. */
export function unavailable(webhook: VerifiedWebhook, detail: string, cause: unknown): WebhookVerificationError {
  return new WebhookVerificationError('REPLAY_STORE_UNAVAILABLE', { detail, cause, tenant: webhook.tenant, scheme: webhook.scheme, responseHeaders: webhook.responseHeaders });
}

/**
 * Commits the webhook through core (which settles it: the adapter's later commit or release does
 * nothing) while asking its store to write "done" on `client`, inside the caller's transaction.
 * Never throws for the outcomes above: the caller rolls back for 'lost' and 'failed'.
 */
export async function commitWebhookIn(client: Queryable, webhook: VerifiedWebhook): Promise<CommitOutcome> {
  const key = webhook.replayKey;
  if (key === undefined) {
    try {
      await webhook.commit();
    } catch (e) {
      return { kind: 'failed', error: e, release: undefined };
    }
    return { kind: 'no-key' };
  }
  const request: TransactionCommit = { key, client };
  let settleError: unknown;
  try {
    await runWithTransactionCommit(request, () => webhook.commit());
  } catch (e) {
    // Core's REPLAY_STORE_UNAVAILABLE (also reported to onSettleFailed). Its own timeout may have
    // fired before ours: what the write itself did decides, below.
    settleError = e;
  }
  const taken = request.taken;
  if (taken === undefined) return settleError === undefined ? { kind: 'elsewhere' } : { kind: 'failed', error: settleError, release: undefined };
  let written: boolean;
  try {
    written = await taken.written;
  } catch (e) {
    return { kind: 'failed', error: settleError ?? unavailable(webhook, 'the replay store could not record the message in the transaction', e), release: taken.release };
  }
  if (!written)
    return {
      kind: 'lost',
      error: new WebhookVerificationError('REPLAY_IN_FLIGHT', {
        detail: "this delivery's reservation expired and another copy of the message holds it now; this one's writes were rolled back",
        tenant: webhook.tenant,
        scheme: webhook.scheme,
        responseHeaders: webhook.responseHeaders,
      }),
    };
  return { kind: 'written', release: taken.release };
}

/** Both helpers' error when "done" could not be written in the transaction: a misconfiguration, loud on the first delivery. */
export function committedElsewhere(helper: string): WebhookConfigError {
  return new WebhookConfigError(
    `${helper}: the webhook was committed outside the transaction: its verifier's replay.store is not a PostgresReplayStore, or the webhook was already settled (commit, release or settle) before`,
  );
}
