import type { ReplayStore } from '@hookguard/core';
import type { RunningServer } from './fixture.js';
import { startExpress, startKoa } from './servers.js';
import { startNest } from './nest-server.js';
import { startFastify } from './fastify-server.js';

export interface Adapter {
  name: string;
  /** `store`: the replay store of the `tenants` route (default: a memory store of its own). */
  start(store?: ReplayStore): Promise<RunningServer>;
}

export const ADAPTERS: Adapter[] = [
  { name: 'express5', start: (store) => startExpress('express5', store) },
  { name: 'express4', start: (store) => startExpress('express4', store) },
  { name: 'koa', start: (store) => startKoa(store) },
  { name: 'nestjs', start: (store) => startNest(store) },
  { name: 'fastify5', start: (store) => startFastify('fastify5', store) },
  { name: 'nestjs-fastify', start: (store) => startNest(store, 'fastify') },
  { name: 'fastify4', start: (store) => startFastify('fastify4', store) },
];
