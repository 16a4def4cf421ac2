// adobeSign(): the client-id check, the echo as data (responseHeaders, and on acknowledgements), the
// verification-of-intent GET answered by core, tenants, and composition with mtls().
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createTestPki, type TestPki } from '@hookguard/testkit';
import {
  adobeSign, all, createVerifier, fromParam, mtls, rejectionResponse, sign,
  type PeerCertificate, type ReplayStore, type VerifierOptions, type WebhookRequest, type WebhookVerificationError,
} from '@hookguard/core';
import { rejectsWith } from './helpers.js';

const CLIENT = 'CBJCHBCAABAAVAMhAcHcH-oyVVAzsdm8qelsEg2N__ZA';
const OTHER_APP = 'UB7E5BXCXY27CCI';
const body = JSON.stringify({ webhookId: 'wh_1', webhookNotificationId: 'n_1', event: 'AGREEMENT_WORKFLOW_COMPLETED', agreement: { id: 'agr_1' } });

function req(headers: Record<string, string | string[]>, b: string = body, extra: Partial<WebhookRequest> = {}): WebhookRequest {
  return { method: 'POST', url: '/adobe', headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(b), ...extra };
}
const get = (headers: Record<string, string>, extra: Partial<WebhookRequest> = {}): WebhookRequest => ({ method: 'GET', url: '/adobe', headers, body: Buffer.alloc(0), ...extra });

describe('adobeSign: the client id', () => {
  test('the configured id verifies; the echo is on the verdict, the replay identity is the digest of the body', async () => {
    const v = createVerifier({ scheme: adobeSign({ clientId: CLIENT }) });
    const w = await v.verify(req(sign.adobeSign({ clientId: CLIENT })));
    assert.equal(w.scheme, 'adobeSign');
    assert.deepEqual(w.responseHeaders, { 'x-adobesign-clientid': CLIENT });
    assert.equal(w.answer, undefined);
    assert.equal(w.id, undefined);
    assert.match(w.replayKey ?? '', /^-:adobeSign:d:/);
    assert.deepEqual(w.payload, JSON.parse(body));
  });

  test('several applications: the one that matched is echoed; the replay key does not depend on which', async () => {
    const a = createVerifier({ scheme: adobeSign({ clientId: [OTHER_APP, CLIENT] }), replay: { store: openStore() } });
    const w1 = await a.verify(req({ 'x-adobesign-clientid': CLIENT }));
    const w2 = await a.verify(req({ 'x-adobesign-clientid': OTHER_APP }));
    assert.equal(w1.responseHeaders?.['x-adobesign-clientid'], CLIENT);
    assert.equal(w2.responseHeaders?.['x-adobesign-clientid'], OTHER_APP);
    assert.equal(w1.keyId, 'key-1');
    assert.equal(w2.replayKey, w1.replayKey);
  });

  test('missing, empty, another id, a prefix, a different case, sent twice: refused, and nothing is echoed', async () => {
    const v = createVerifier({ scheme: adobeSign({ clientId: CLIENT }) });
    await rejectsWith(v.verify(req({})), 'MISSING_SIGNATURE');
    await rejectsWith(v.verify(req({ 'x-adobesign-clientid': '' })), 'MISSING_SIGNATURE');
    for (const wrong of [OTHER_APP, CLIENT.slice(0, -1), `${CLIENT}x`, CLIENT.toLowerCase(), ` ${CLIENT}`]) {
      const e = await rejectsWith(v.verify(req({ 'x-adobesign-clientid': wrong })), 'SIGNATURE_MISMATCH');
      assert.equal(rejectionResponse(e as WebhookVerificationError).headers['x-adobesign-clientid'], undefined);
    }
    await rejectsWith(v.verify(req({ 'x-adobesign-clientid': [CLIENT, CLIENT] })), 'MALFORMED_SIGNATURE');
    // Every single-byte change of the header value.
    for (let i = 0; i < CLIENT.length; i++) {
      const mutated = CLIENT.slice(0, i) + (CLIENT[i] === 'A' ? 'B' : 'A') + CLIENT.slice(i + 1);
      await rejectsWith(v.verify(req({ 'x-adobesign-clientid': mutated })), 'SIGNATURE_MISMATCH');
    }
  });

  test('configuration: ids that could not be echoed in a header are refused', () => {
    for (const bad of ['', 'a b', 'a\r\nx-injected: 1', 'ünïcode', 'x'.repeat(257)]) assert.throws(() => adobeSign({ clientId: bad }), /client id/);
    assert.throws(() => adobeSign({ clientId: [] }), /empty/);
    assert.throws(() => createVerifier({ scheme: adobeSign() }), /no secret/);
  });

  test("tenants: each tenant's client ids, tagged with the scheme", async () => {
    const rows: Record<string, { secrets: Array<{ scheme: string; secret: string }> }> = {
      acme: { secrets: [{ scheme: 'adobeSign', secret: CLIENT }] },
      globex: { secrets: [{ scheme: 'adobeSign', secret: OTHER_APP }] },
    };
    const v = createVerifier({ scheme: adobeSign(), tenants: { resolve: fromParam(), lookup: (id) => rows[id] } });
    const w = await v.verify(req({ 'x-adobesign-clientid': CLIENT }, body, { params: { tenant: 'acme' } }));
    assert.equal(w.tenant, 'acme');
    await rejectsWith(v.verify(req({ 'x-adobesign-clientid': CLIENT }, body, { params: { tenant: 'globex' } })), 'SIGNATURE_MISMATCH');
  });
});

describe('adobeSign: the echo on every answer Adobe reads', () => {
  test('a duplicate of a processed notification is acknowledged 200 with the echo; one in flight gets 409 with it', async () => {
    const v = createVerifier({ scheme: adobeSign({ clientId: CLIENT }) });
    const first = await v.verify(req({ 'x-adobesign-clientid': CLIENT }));
    const inFlight = await rejectsWith(v.verify(req({ 'x-adobesign-clientid': CLIENT })), 'REPLAY_IN_FLIGHT');
    assert.equal(rejectionResponse(inFlight as WebhookVerificationError).headers['x-adobesign-clientid'], CLIENT);
    await first.commit();
    const dup = (await rejectsWith(v.verify(req({ 'x-adobesign-clientid': CLIENT })), 'DUPLICATE')) as WebhookVerificationError;
    const answer = rejectionResponse(dup);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['x-adobesign-clientid'], CLIENT);
    assert.match(answer.headers['content-type']!, /^application\/json/);
  });

  test("the verification-of-intent GET: core's answer (200, header and xAdobeSignClientId), no replay key, no claims", async () => {
    let claims = 0;
    const v = createVerifier({ scheme: adobeSign({ clientId: CLIENT }), claims: () => (claims++, false) });
    for (let i = 0; i < 2; i++) {
      const w = await v.verify(get({ 'x-adobesign-clientid': CLIENT }), { parse: true });
      assert.equal(w.replayKey, undefined);
      assert.deepEqual(w.answer, {
        status: 200,
        headers: { 'x-adobesign-clientid': CLIENT, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ xAdobeSignClientId: CLIENT }),
      });
    }
    assert.equal(claims, 0);
    // A GET with another id is refused like a POST: Adobe then does not register the webhook.
    await rejectsWith(v.verify(get({ 'x-adobesign-clientid': OTHER_APP })), 'SIGNATURE_MISMATCH');
    await rejectsWith(v.verify(get({})), 'MISSING_SIGNATURE');
  });
});

describe('adobeSign + mtls(): Adobe\'s client certificate', () => {
  let pki: TestPki;
  before(async () => {
    pki = await createTestPki();
  });
  const peerOf = (cert: string): PeerCertificate => ({ tls: true, source: 'socket', authorized: true, certificate: new X509Certificate(cert), chain: [] });
  function verifier(extra: Partial<VerifierOptions> = {}) {
    return createVerifier({ scheme: all(adobeSign({ clientId: CLIENT }), mtls({ identity: { ca: pki.tenantCa.acme.cert, uris: [pki.uri('acme')] } })), ...extra });
  }

  test('the POST needs both the id and the certificate; the echo survives all()', async () => {
    const v = verifier();
    const w = await v.verify(req({ 'x-adobesign-clientid': CLIENT }, body, { peer: peerOf(pki.clients.acme.cert) }));
    assert.equal(w.scheme, 'adobeSign+mtls');
    assert.deepEqual(w.responseHeaders, { 'x-adobesign-clientid': CLIENT });
    assert.match(w.replayKey ?? '', /:d:/);
    await rejectsWith(v.verify(req({ 'x-adobesign-clientid': CLIENT }, body, { peer: { tls: false, source: 'socket' } })), 'CERT_MISSING');
    await rejectsWith(v.verify(req({ 'x-adobesign-clientid': CLIENT }, body, { peer: peerOf(pki.clients.globex.cert) })), 'CERT_IDENTITY_MISMATCH');
    await rejectsWith(v.verify(req({ 'x-adobesign-clientid': OTHER_APP }, body, { peer: peerOf(pki.clients.acme.cert) })), 'SIGNATURE_MISMATCH');
  });

  test('the verification GET needs the certificate too, and is answered by core', async () => {
    const v = verifier();
    const w = await v.verify(get({ 'x-adobesign-clientid': CLIENT }, { peer: peerOf(pki.clients.acme.cert) }));
    assert.equal(w.answer?.status, 200);
    assert.equal(w.answer?.headers['x-adobesign-clientid'], CLIENT);
    await rejectsWith(v.verify(get({ 'x-adobesign-clientid': CLIENT }, { peer: { tls: false, source: 'socket' } })), 'CERT_MISSING');
  });
});

/** Always "reserved": every copy shows its replay key. */
function openStore(): ReplayStore {
  return { reserve: () => Promise.resolve({ state: 'reserved', token: 't' }), commit: () => Promise.resolve(), release: () => Promise.resolve() };
}
