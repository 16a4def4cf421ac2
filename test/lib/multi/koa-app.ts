// Koa 3 app process for multi-process.test.ts: POST /webhooks (reliable), POST /flaky (fails at
// FAIL_RATE), GET /_stats. Configured by env (see app-common.ts); prints its URL as a JSON line.
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { verifyWebhook, type WebhookState } from '@hookguard/koa';
import { announce, createStore, exitWithParent, Handler, readConfig, verifierOptions } from './app-common.js';

const config = readConfig();
const store = createStore(config);
const handler = new Handler('koa', config);
const verify = verifyWebhook(verifierOptions(config, store));

const route = (name: 'reliable' | 'flaky') => async (ctx: Koa.ParameterizedContext<WebhookState>) => {
  const answer = await handler.handle(ctx.state.webhook.id, name, ctx.get('x-test-attempt'));
  ctx.status = answer.status;
  ctx.body = answer.body;
};

const app = new Koa();
const router = new Router();
router.get('/_stats', (ctx) => {
  ctx.body = handler.snapshot();
});
router.post('/webhooks', verify, route('reliable'));
router.post('/flaky', verify, route('flaky'));
app.silent = true; // store faults after a handler ran are emitted as 'error'; the test counts, not logs
app.use(router.routes());

const server = app.listen(config.port, '127.0.0.1', () => announce('koa', (server.address() as AddressInfo).port));
exitWithParent(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
});
