// Express 5 app process for multi-process.test.ts: POST /webhooks (reliable), POST /flaky (fails at
// FAIL_RATE), GET /_stats. Configured by env (see app-common.ts); prints its URL as a JSON line.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { verifyWebhook } from '@hookguard/express';
import { announce, createStore, exitWithParent, Handler, readConfig, verifierOptions } from './app-common.js';

const config = readConfig();
const store = createStore(config);
const handler = new Handler('express', config);
const verify = verifyWebhook(verifierOptions(config, store));

const route = (name: 'reliable' | 'flaky') => async (req: express.Request, res: express.Response) => {
  const answer = await handler.handle(req.webhook?.id, name, req.headers['x-test-attempt']);
  res.status(answer.status).json(answer.body);
};

const app = express();
app.get('/_stats', (_req, res) => {
  res.json(handler.snapshot());
});
app.post('/webhooks', verify, route('reliable'));
app.post('/flaky', verify, route('flaky'));

const server = app.listen(config.port, '127.0.0.1', () => announce('express', (server.address() as AddressInfo).port));
exitWithParent(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
});
