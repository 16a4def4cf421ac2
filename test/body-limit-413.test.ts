// A sender uploading far past the limit reads the 413, in 10 of 10 tries, through every adapter:
// the server answers after draining (a bounded amount of) the upload, instead of closing on a
// sender still writing (which it sees as EPIPE / ECONNRESET, never the answer).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { MAX_BODY, type RunningServer } from './lib/fixture.js';
import { ADAPTERS } from './lib/adapters.js';
import { standard } from './lib/deliveries.js';

const UPLOAD = 4 * 1024 * 1024; // 64x the fixture's limit of 64 KiB
const TRIES = 10;

interface Outcome {
  status?: number;
  code?: string;
  error?: string;
}

/** Writes the whole upload as fast as the socket takes it, then reads whatever comes back. */
function upload(url: string, path: string, headers: Record<string, string>, chunked: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const target = new URL(path, url);
    const h: Record<string, string> = { ...headers, 'content-type': 'application/json' };
    if (!chunked) h['content-length'] = String(UPLOAD);
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: h, agent: false });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ error: 'timeout' });
    }, 15_000);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        let code: string | undefined;
        try {
          code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: string }).code;
        } catch {
          code = undefined;
        }
        resolve({ status: res.statusCode, ...(code ? { code } : {}) });
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        resolve({ status: res.statusCode, error: (e as NodeJS.ErrnoException).code ?? e.message });
      });
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message });
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < UPLOAD) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

for (const adapter of ADAPTERS) {
  describe(`413 reaches the sender: ${adapter.name}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await adapter.start();
    });
    after(async () => {
      await server?.close();
    });
    for (const chunked of [false, true]) {
      test(`${UPLOAD / 1024 / 1024} MiB ${chunked ? 'chunked' : 'with Content-Length'} to a ${MAX_BODY / 1024} KiB limit: 413 BODY_TOO_LARGE in ${TRIES} of ${TRIES}`, async () => {
        const d = standard();
        const outcomes: Outcome[] = [];
        for (let i = 0; i < TRIES; i++) outcomes.push(await upload(server.url, d.path, d.headers, chunked));
        const read = outcomes.filter((o) => o.status === 413 && o.code === 'BODY_TOO_LARGE').length;
        assert.equal(read, TRIES, JSON.stringify(outcomes));
        assert.equal(server.log.calls.length, 0, 'no handler ran');
      });
    }
  });
}
