import type { RunningServer } from './fixture.js';
import { startExpress, startKoa } from './servers.js';
import { startNest } from './nest-server.js';

export interface Adapter {
  name: string;
  start(): Promise<RunningServer>;
}

export const ADAPTERS: Adapter[] = [
  { name: 'express5', start: () => startExpress('express5') },
  { name: 'express4', start: () => startExpress('express4') },
  { name: 'koa', start: () => startKoa() },
  { name: 'nestjs', start: () => startNest() },
];
