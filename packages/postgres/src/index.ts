export { PostgresReplayStore, type PostgresReplayStoreOptions } from './postgres-replay-store.js';
export { PostgresReplayStoreError } from './postgres-replay-store-error.js';
export { withWebhookTransaction, type WithWebhookTransactionOptions, type TransactionIsolation } from './with-webhook-transaction.js';
export { commitInTransaction, type CommitInTransactionOptions } from './commit-in-transaction.js';
