// The contract run against core's MemoryReplayStore: the reference the Redis store must match.
import { MemoryReplayStore } from '@hookguard/core';
import { replayStoreContract } from '@hookguard/testkit';

replayStoreContract('MemoryReplayStore (core)', () => new MemoryReplayStore());
