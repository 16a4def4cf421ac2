import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import express from 'express';
import { createVerifier, sign, standardWebhooks } from '@hookguard/core';
import { verifyWebhook } from '@hookguard/express';
import { close, listen, send, whsec } from './helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A delivery pipelined behind a slow request on one connection: its handler answers, then the
// client hangs up before that answer got the socket. The response gets neither 'finish' nor
// 'close'; only the socket closes. The key must still be settled from the handler's answer, or a
// retry after inFlightTtlMs would run the handler again.
test('a pipelined delivery whose client hangs up after the handler answered is committed, never run again', async () => {
  const secret = whsec();
  const verifier = createVerifier({ scheme: standardWebhooks({ secret }), replay: { inFlightTtlMs: 400 } });
  let runs = 0;
  const app = express();
  app.get('/slow', async (_req, res) => {
    await sleep(300);
    res.send('slow');
  });
  app.post('/hooks', verifyWebhook({ verifier }), (_req, res) => {
    runs++;
    res.json({ ok: 1 });
  });
  const { server, base } = await listen(app);
  try {
    const body = '{"pay":1}';
    const headers: Record<string, string> = { ...sign.standardWebhooks({ secret, body, id: 'msg_pipelined' }), 'content-type': 'application/json' };
    const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    const socket = net.connect(Number(new URL(base).port), '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`GET /slow HTTP/1.1\r\nhost: x\r\n\r\nPOST /hooks HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n${head}\r\n${body}`);
    await sleep(150);
    assert.equal(runs, 1);
    socket.destroy();
    await sleep(600); // past inFlightTtlMs
    const retry = await send(`${base}/hooks`, { headers, body });
    assert.equal(retry.status, 200);
    assert.deepEqual(JSON.parse(retry.text), { received: true, duplicate: true });
    assert.equal(runs, 1);
  } finally {
    await close(server);
  }
});
