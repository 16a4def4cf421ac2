export { RedisReplayStore, type RedisReplayStoreOptions, type RedisReplayClient } from './redis-replay-store.js';
export { RedisReplayStoreError } from './redis-replay-store-error.js';
