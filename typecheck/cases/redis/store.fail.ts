import { RedisReplayStore } from '@hookguard/redis';

// The prefix is a string.
new RedisReplayStore({ url: 'redis://127.0.0.1:6379', keyPrefix: 1 }); // @fail TS2322
