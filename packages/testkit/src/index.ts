export { describeWithRedis, findRedisServer, RedisServer, type RedisServerOptions } from './redis-server.js';
export { createTestPki, type TestPki, type Issued, type LeafOptions } from './pki.js';
export { mulberry32 } from './prng.js';
