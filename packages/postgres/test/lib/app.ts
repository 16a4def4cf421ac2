// One app process of multi-process.test.ts: node:http and @hookguard/core directly (what every
// adapter does, in a few lines), the PostgreSQL replay store, and a handler that writes its
// effect through withWebhookTransaction. Configured by env; tells the parent its URL over IPC.
//
// Crash points: a delivery carrying `x-test-crash-at: before-write | after-write | after-commit`
// stops there, tells the parent, and waits to be killed (SIGKILL, by the parent, by PID).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import {
  createVerifier,
  isWebhookVerificationError,
  readRawBody,
  rejectionResponse,
  standardWebhooks,
  type VerifiedWebhook,
  type WebhookHttpResponse,
} from '@hookguard/core';
import { PostgresReplayStore, withWebhookTransaction } from '@hookguard/postgres';

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
}

const APP = required('APP_NAME');
const pool = new pg.Pool({ connectionString: required('DATABASE_URL'), max: 10, connectionTimeoutMillis: 2_000 });
pool.on('error', () => {}); // an idle client lost to a server restart: the next checkout connects anew
const queryTimeoutMs = Number(process.env.QUERY_TIMEOUT_MS ?? 2_000);
const store = new PostgresReplayStore({ pool, queryTimeoutMs });
const verifier = createVerifier({
  scheme: standardWebhooks({ secret: required('WEBHOOK_SECRET') }),
  replay: { store, inFlightTtlMs: Number(process.env.IN_FLIGHT_TTL_MS ?? 60_000), timeoutMs: 2 * queryTimeoutMs },
});
const handlerDelayMs = Number(process.env.HANDLER_DELAY_MS ?? 0);

const CRASH_POINTS = ['before-write', 'after-write', 'after-commit'] as const;
type CrashPoint = (typeof CRASH_POINTS)[number];

/** At the delivery's crash point: report it and never go on (the parent kills this process). */
async function crashPoint(req: IncomingMessage, point: CrashPoint, id: string | undefined): Promise<void> {
  if (req.headers['x-test-crash-at'] !== point) return;
  if (process.send) process.send({ crash: point, id, pid: process.pid });
  else process.kill(process.pid, 'SIGKILL');
  await new Promise(() => {});
}

function answer(res: ServerResponse, a: WebhookHttpResponse): void {
  res.writeHead(a.status, a.headers).end(a.body);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let webhook: VerifiedWebhook<{ id: string }>;
  try {
    const body = await readRawBody(req, { limit: verifier.maxBodyBytes });
    webhook = await verifier.verify({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, { parse: true });
  } catch (e) {
    if (!isWebhookVerificationError(e)) throw e;
    answer(res, rejectionResponse(e));
    return;
  }
  let status = 200;
  try {
    await withWebhookTransaction({ pool, webhook }, async (tx) => {
      await crashPoint(req, 'before-write', webhook.id);
      if (handlerDelayMs > 0) await new Promise((r) => setTimeout(r, handlerDelayMs));
      await tx.query('INSERT INTO effects (message_id, app, pid) VALUES ($1, $2, $3)', [webhook.payload.id, APP, process.pid]);
      await crashPoint(req, 'after-write', webhook.id);
    });
    await crashPoint(req, 'after-commit', webhook.id);
    answer(res, { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ handled: true, id: webhook.payload.id, app: APP }) });
  } catch (e) {
    if (isWebhookVerificationError(e)) {
      status = e.status;
      answer(res, rejectionResponse(e));
    } else {
      status = 500;
      answer(res, { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'handler failed', app: APP }) });
    }
  } finally {
    // What an adapter does after the handler: after withWebhookTransaction this is a no-op (the
    // webhook is settled); before it (no connection, BEGIN failed) a 5xx releases the key.
    await webhook.settle({ status }).catch(() => undefined);
  }
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => {
    if (!res.headersSent) res.writeHead(500).end();
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (process.send) process.send({ ready: true, url, pid: process.pid });
});

// The parent holds the IPC channel: when it goes away (even killed), we exit, so no app outlives its test run.
process.on('disconnect', () => process.exit(0));
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  pool.end().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
});
