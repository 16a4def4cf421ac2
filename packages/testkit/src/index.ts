export { describeWithRedis, findRedisServer, RedisServer, type RedisServerOptions } from './redis-server.js';
export { describeWithPostgres, findPostgresBin, PostgresServer, type PostgresServerOptions } from './postgres-server.js';
export { replayStoreContract, eventually, uniqueKey, type ContractReplayStore } from './replay-store-contract.js';
export { rejection } from './rejection.js';
export { trackChild } from './track-child.js';
export { stopChild } from './stop-child.js';
export { createTestPki, type TestPki, type Issued, type LeafOptions } from './pki.js';
export { mulberry32 } from './prng.js';
