import { Redis } from 'ioredis';
import { RedisReplayStore, RedisReplayStoreError } from '@hookguard/redis';
import { createVerifier, standardWebhooks } from '@hookguard/core';

const store = new RedisReplayStore({ client: new Redis({ lazyConnect: true }), keyPrefix: 'hooks:' });
export const verifier = createVerifier({ scheme: standardWebhooks({ secret: 'whsec_x' }), replay: { store } });
export const isStoreError = (e: unknown): boolean => e instanceof RedisReplayStoreError;
