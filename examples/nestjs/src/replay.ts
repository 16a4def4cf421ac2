import { RedisReplayStore } from '@hookguard/redis';

// One env var switches replay protection from this process's memory to Redis, shared by every
// instance. Both apps of this process (HTTP in app.module.ts, mutual TLS in mtls.module.ts) use
// this one store, so every endpoint has the same replay protection.
export const replay = process.env.REDIS_URL ? { store: new RedisReplayStore({ url: process.env.REDIS_URL }) } : {};
