// Section 4: the per-request cost of the client-certificate check, in one fresh process:
//   node bench/mtls/cell.mjs <iterations>
// Rows: the signature alone (baseline); mtls + signature on a later request of a connection (the
// socket's parsed certificate is reused); on the first request of a new connection (a fresh
// X509Certificate object, as getPeerX509Certificate() gives per connection); and the first request
// after a tenant reload (binding prepared again, chain verified against the tenant CA).
import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import { RESULT_PREFIX } from '../lib/child.mjs';

const iterations = Number(process.argv[2] ?? 20000);
const core = await import(process.env.BENCH_CORE ?? '@hookguard/core');
const { createTestPki } = await import('@hookguard/testkit');
const pki = await createTestPki();
const SECRET = 'whsec_' + Buffer.alloc(24, 7).toString('base64');
const body = Buffer.from(JSON.stringify({ type: 'payment.settled', pad: 'x'.repeat(900) }));
const tenant = { secrets: [SECRET], certificates: { ca: pki.tenantCa.acme.cert, uris: [pki.uri('acme')] } };
const make = (scheme) => core.createVerifier({ scheme, replay: false, toleranceSec: 1e9, tenants: { resolve: () => 'acme', lookup: () => tenant } });
const headers = core.sign.standardWebhooks({ secret: SECRET, body });
const sharedCert = new X509Certificate(pki.clients.acme.cert);
const req = (cert) => ({ method: 'POST', url: '/', headers, body, peer: { tls: true, source: 'socket', authorized: true, certificate: cert } });

async function measure(name, verifier, next) {
  // Check the verdict before timing it.
  await verifier.verify(next());
  const rounds = [];
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await verifier.verify(next());
    rounds.push(Number(process.hrtime.bigint() - t0) / iterations);
  }
  rounds.sort((a, b) => a - b);
  return { name, nsPerOp: rounds[3] };
}

try {
  const plain = make(core.standardWebhooks());
  const both = make(core.all(core.mtls({ ca: pki.root.cert }), core.standardWebhooks()));
  const rows = [];
  rows.push(await measure('signature only (baseline)', plain, () => req(sharedCert)));
  rows.push(await measure('mtls + signature, later request on a connection', both, () => req(sharedCert)));
  // Node gives each connection a fresh X509Certificate; creating it is Node's cost (and from the
  // socket it wraps the already-parsed certificate), so fresh objects are made before timing.
  const fresh = Array.from({ length: iterations * 7 + 1 }, () => new X509Certificate(sharedCert.raw));
  let nextFresh = 0;
  rows.push(await measure('mtls + signature, first request on a new connection', both, () => req(fresh[nextFresh++])));
  const reloading = make(core.all(core.mtls({ ca: pki.root.cert }), core.standardWebhooks()));
  const few = Math.max(50, Math.floor(iterations / 50));
  const saved = iterations;
  rows.push(
    await (async () => {
      // Each request after invalidate(): the tenant's binding is prepared again and the chain re-verified.
      const r = await (async () => {
        await reloading.verify(req(sharedCert));
        const samples = [];
        for (let k = 0; k < 7; k++) {
          const t0 = process.hrtime.bigint();
          for (let i = 0; i < few; i++) {
            reloading.invalidate('acme');
            await reloading.verify(req(sharedCert));
          }
          samples.push(Number(process.hrtime.bigint() - t0) / few);
        }
        samples.sort((a, b) => a - b);
        return samples[3];
      })();
      return { name: 'mtls + signature, first request after a tenant reload (chain verified)', nsPerOp: r };
    })(),
  );
  void saved;
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ rows })}\n`);
} catch (e) {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ error: String(e?.message ?? e) })}\n`);
  process.exit(1);
}
