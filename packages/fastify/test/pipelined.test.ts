import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createVerifier, sign, standardWebhooks } from '@hookguard/core';
import { verifyWebhook } from '@hookguard/fastify';
import { FASTIFY_VERSIONS, JSON_TYPE, listen, send, whsec } from './helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A delivery pipelined behind a slow request on one connection: its handler runs and returns, then
// the client hangs up before its queued response got the socket. That response then gets neither
// 'finish' nor 'close'; only the socket closes. The key must still be settled from the handler's
// outcome (it returned: commit), or a retry after inFlightTtlMs would run the handler again.
for (const { name, create } of FASTIFY_VERSIONS) {
  test(`${name}: a pipelined delivery whose client hangs up after the handler returned is committed, never run again`, async () => {
    const secret = whsec();
    const app = create();
    let runs = 0;
    const verifier = createVerifier({ scheme: standardWebhooks({ secret }), replay: { inFlightTtlMs: 400 } });
    app.post('/hooks', verifyWebhook({ verifier }, async () => {
      runs++;
      return { ok: 1 };
    }));
    app.get('/slow', async () => {
      await sleep(300);
      return 'slow';
    });
    const server = await listen(app);
    try {
      const body = '{"pay":100}';
      const headers: Record<string, string> = { ...sign.standardWebhooks({ secret, body, id: 'msg_pipelined' }), ...JSON_TYPE };
      const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      const port = Number(new URL(server.url).port);
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => {});
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(`GET /slow HTTP/1.1\r\nhost: x\r\n\r\nPOST /hooks HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n${head}\r\n${body}`);
      await sleep(150); // the webhook handler has run and returned; its answer waits behind /slow
      assert.equal(runs, 1);
      socket.destroy();
      await sleep(600); // past inFlightTtlMs: a key left in flight would have expired
      const retry = await send(`${server.url}/hooks`, { headers, body });
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.json(), { received: true, duplicate: true });
      assert.equal(runs, 1);
    } finally {
      await server.close();
    }
  });
}
