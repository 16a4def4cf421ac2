// The public-key rows of the verify benchmark: discord(), sendgrid() and httpSignature() per RFC 9421
// algorithm, each against its crypto floor and the vendor library that does the same job.
//   floor: the unavoidable node:crypto work on precomputed input — crypto.verify over `ts + body`
//          (Discord, SendGrid), or over the signature base plus the SHA-256 of the body that its
//          Content-Digest needs (httpSignature); hmac-sha256 the same with createHmac + timingSafeEqual.
//   vendor: discord-interactions verifyKey, @sendgrid/eventwebhook verifySignature (key converted once),
//          http-message-signatures verifyMessage plus the Content-Digest check it leaves to its caller.
import { pathToFileURL } from 'node:url';
import { constants, createHash, createHmac, generateKeyPairSync, randomBytes, sign as cryptoSign, timingSafeEqual, verify as cryptoVerify } from 'node:crypto';
import { makeBody } from '../lib/body.mjs';

const CORE = process.env.BENCH_CORE ? pathToFileURL(process.env.BENCH_CORE).href : '@hookguard/core';
const loadCore = () => import(CORE);
const EVENT_ID = 'evt_bench_0001';
const TOLERANCE_SEC = 10 * 365 * 24 * 3600;
const URL_BASE = 'https://hooks.example.com';
const PATH = '/webhooks';

export const HS_ALGORITHMS = ['ed25519', 'ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'rsa-pss-sha512', 'rsa-v1_5-sha256', 'hmac-sha256'];

export const PUBLIC_KEY_CASES = [
  { id: 'floor-ecdsa-p256-der', label: 'floor: crypto.verify ECDSA P-256 DER (precomputed ts + body)', kind: 'floor', group: 'floor-ecdsa-p256-der' },
  ...HS_ALGORITHMS.map((alg) => ({ id: `floor-hs-${alg}`, label: `floor: ${alg} over the base + SHA-256 of the body`, kind: 'floor', group: `floor-hs-${alg}` })),
  { id: 'hookguard-discord', label: 'hookguard discord verify', kind: 'hookguard', group: 'discord:verify' },
  { id: 'discord-interactions', label: 'discord-interactions verifyKey', kind: 'vendor', group: 'discord:verify' },
  { id: 'hookguard-sendgrid', label: 'hookguard sendgrid verify', kind: 'hookguard', group: 'sendgrid:verify' },
  { id: 'sendgrid-eventwebhook', label: '@sendgrid/eventwebhook verifySignature', kind: 'vendor', group: 'sendgrid:verify' },
  ...HS_ALGORITHMS.flatMap((alg) => [
    { id: `hookguard-hs-${alg}`, label: `hookguard httpSignature ${alg} verify`, kind: 'hookguard', group: `hs-${alg}:verify` },
    { id: `hms-${alg}`, label: `http-message-signatures ${alg} + Content-Digest`, kind: 'vendor', group: `hs-${alg}:verify` },
    // A stranger's worst: 8 labels naming our key id, each signed by another key (a real signature
    // of the same base, so nothing is refused before the public-key work). Target: at most 2x the honest row.
    { id: `worst-hs-${alg}`, label: `hookguard httpSignature ${alg} worst unauthenticated`, kind: 'worst', group: `hs-${alg}:worst` },
  ]),
];

/** The floor a public-key group is read against, or undefined for groups that are not ours. */
export function publicKeyFloorOf(group) {
  if (group.startsWith('discord:')) return 'floor-ed25519';
  if (group.startsWith('sendgrid:')) return 'floor-ecdsa-p256-der';
  const m = /^hs-(.+):verify$/.exec(group);
  return m ? `floor-hs-${m[1]}` : undefined;
}

function tamper(body) {
  const copy = Buffer.from(body);
  copy[copy.length - 3] ^= 1;
  return copy;
}

function keysFor(alg) {
  switch (alg) {
    case 'ed25519':
      return generateKeyPairSync('ed25519');
    case 'ecdsa-p256-sha256':
      return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    case 'ecdsa-p384-sha384':
      return generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    case 'hmac-sha256':
      return { secret: randomBytes(32) };
    default:
      return generateKeyPairSync('rsa', { modulusLength: 2048 });
  }
}

/** What Node's IncomingMessage gives: lower-case names, a few ordinary headers beside the signature. */
const nodeHeaders = (size, signed) => ({ host: '127.0.0.1:3000', 'user-agent': 'hookguard-bench/1.0', accept: '*/*', 'content-type': 'application/json', 'content-length': String(size), ...signed });

const bool = (fn) => ({ fn, ok: (r) => r === true });

async function hookguardVerifier(core, scheme, size, headers, body) {
  const verifier = core.createVerifier({ scheme, replay: false, toleranceSec: TOLERANCE_SEC });
  const request = { method: 'POST', url: PATH, headers: nodeHeaders(size, headers), body, remoteAddress: '127.0.0.1' };
  const bad = { ...request, body: tamper(body) };
  return { fn: () => verifier.verify(request), tampered: () => verifier.verify(bad), ok: (w) => typeof w?.keyId === 'string' && w.rawBody === body };
}

function httpSignatureKeys(alg, k) {
  return alg === 'hmac-sha256' ? { secret: k.secret } : { privateKey: k.privateKey, algorithm: alg };
}

/** The signature base hookguard's signer covers by default, built here by hand for the floor. */
function floorBase(core, alg, k, body) {
  const headers = core.sign.httpSignature({ url: URL_BASE + PATH, body, headers: { 'content-type': 'application/json' }, ...httpSignatureKeys(alg, k), keyId: 'k' });
  const input = headers['signature-input'];
  const params = input.slice(input.indexOf('=') + 1);
  const base = `"@method": POST\n"@target-uri": ${URL_BASE}${PATH}\n"content-digest": ${headers['content-digest']}\n"content-type": application/json\n"@signature-params": ${params}`;
  const signature = Buffer.from(headers.signature.slice(headers.signature.indexOf(':') + 1, -1), 'base64');
  return { base: Buffer.from(base, 'latin1'), signature, digest: createHash('sha256').update(body).digest() };
}

function verifyAlg(alg, base, k, signature) {
  switch (alg) {
    case 'ed25519':
      return cryptoVerify(null, base, k.publicKey, signature);
    case 'ecdsa-p256-sha256':
      return cryptoVerify('sha256', base, { key: k.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
    case 'ecdsa-p384-sha384':
      return cryptoVerify('sha384', base, { key: k.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
    case 'rsa-pss-sha512':
      return cryptoVerify('sha512', base, { key: k.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
    case 'rsa-v1_5-sha256':
      return cryptoVerify('sha256', base, { key: k.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
    default:
      return timingSafeEqual(createHmac('sha256', k.secret).update(base).digest(), signature);
  }
}

export async function publicKeySetup(id, size) {
  const core = await loadCore();
  const body = makeBody(size, EVENT_ID);
  const ts = String(Math.floor(Date.now() / 1000));

  if (id === 'floor-ecdsa-p256-der') {
    const k = keysFor('ecdsa-p256-sha256');
    const content = Buffer.concat([Buffer.from(ts), body]);
    const signature = cryptoSign('sha256', content, { key: k.privateKey, dsaEncoding: 'der' });
    const bad = tamper(content);
    return { ...bool(() => cryptoVerify('sha256', content, { key: k.publicKey, dsaEncoding: 'der' }, signature)), tampered: () => cryptoVerify('sha256', bad, { key: k.publicKey, dsaEncoding: 'der' }, signature) };
  }
  const floor = /^floor-hs-(.+)$/.exec(id);
  if (floor) {
    const alg = floor[1];
    const k = keysFor(alg);
    const { base, signature, digest } = floorBase(core, alg, k, body);
    const bad = tamper(body);
    const once = (b) => createHash('sha256').update(b).digest().equals(digest) && verifyAlg(alg, base, k, signature);
    return { ...bool(() => once(body)), tampered: () => once(bad) };
  }
  if (id === 'hookguard-discord' || id === 'discord-interactions') {
    const k = keysFor('ed25519');
    const hex = Buffer.from(k.publicKey.export({ format: 'jwk' }).x, 'base64url').toString('hex');
    const headers = core.sign.discord({ privateKey: k.privateKey, body });
    if (id === 'hookguard-discord') return hookguardVerifier(core, core.discord({ publicKey: hex }), size, headers, body);
    const { verifyKey } = await import('discord-interactions');
    const bad = tamper(body);
    return { ...bool(() => verifyKey(body, headers['x-signature-ed25519'], headers['x-signature-timestamp'], hex)), tampered: () => verifyKey(bad, headers['x-signature-ed25519'], headers['x-signature-timestamp'], hex) };
  }
  if (id === 'hookguard-sendgrid' || id === 'sendgrid-eventwebhook') {
    const k = keysFor('ecdsa-p256-sha256');
    const consoleKey = k.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const headers = core.sign.sendgrid({ privateKey: k.privateKey, body });
    if (id === 'hookguard-sendgrid') return hookguardVerifier(core, core.sendgrid({ publicKey: consoleKey }), size, headers, body);
    const { default: eventwebhook } = await import('@sendgrid/eventwebhook');
    const ew = new eventwebhook.EventWebhook();
    const key = ew.convertPublicKeyToECDSA(consoleKey);
    const sig = headers['x-twilio-email-event-webhook-signature'];
    const t = headers['x-twilio-email-event-webhook-timestamp'];
    const bad = tamper(body);
    return { ...bool(() => ew.verifySignature(key, body, sig, t)), tampered: () => ew.verifySignature(key, bad, sig, t) };
  }
  const worst = /^worst-hs-(.+)$/.exec(id);
  if (worst) {
    const alg = worst[1];
    const k = keysFor(alg);
    const signed = Array.from({ length: 8 }, (_, i) =>
      core.sign.httpSignature({ url: URL_BASE + PATH, body, headers: { 'content-type': 'application/json' }, ...httpSignatureKeys(alg, keysFor(alg)), keyId: 'k', label: `sig${i + 1}` }),
    );
    const headers = { ...signed[0], 'signature-input': signed.map((h) => h['signature-input']).join(', '), signature: signed.map((h) => h.signature).join(', ') };
    const key = alg === 'hmac-sha256' ? { id: 'k', secret: k.secret.toString('base64') } : { id: 'k', publicKey: k.publicKey, ...(alg.startsWith('rsa') ? { algorithm: alg } : {}) };
    const verifier = core.createVerifier({ scheme: core.httpSignature({ publicUrl: URL_BASE, keys: [key], secretEncoding: 'base64' }), replay: false, toleranceSec: TOLERANCE_SEC });
    const request = { method: 'POST', url: PATH, headers: nodeHeaders(size, headers), body, remoteAddress: '127.0.0.1' };
    // The timed call is the rejection: SIGNATURE_MISMATCH, never an accept and never a cheaper refusal.
    return { fn: () => verifier.verify(request).then(() => 'ACCEPTED', (e) => e.code), tampered: () => false, ok: (code) => code === 'SIGNATURE_MISMATCH' };
  }
  const hs = /^(hookguard-hs|hms)-(.+)$/.exec(id);
  if (hs) {
    const alg = hs[2];
    const k = keysFor(alg);
    const headers = core.sign.httpSignature({ url: URL_BASE + PATH, body, headers: { 'content-type': 'application/json' }, ...httpSignatureKeys(alg, k), keyId: 'k' });
    if (hs[1] === 'hookguard-hs') {
      const key = alg === 'hmac-sha256' ? { id: 'k', secret: k.secret.toString('base64') } : { id: 'k', publicKey: k.publicKey, ...(alg.startsWith('rsa') ? { algorithm: alg } : {}) };
      return hookguardVerifier(core, core.httpSignature({ publicUrl: URL_BASE, keys: [key], secretEncoding: 'base64' }), size, headers, body);
    }
    const { httpbis, createVerifier } = await import('http-message-signatures');
    const verify = createVerifier(alg === 'hmac-sha256' ? k.secret : k.publicKey, alg);
    const config = { keyLookup: async (p) => (p.keyid === 'k' ? { id: 'k', algs: [alg], verify } : null), requiredFields: ['@method', '@target-uri', 'content-digest', 'content-type'] };
    const expected = headers['content-digest'];
    // The library checks no Content-Digest: the caller does, over the exact bytes, as here.
    const run = async (b) => `sha-256=:${createHash('sha256').update(b).digest('base64')}:` === expected && (await httpbis.verifyMessage(config, { method: 'POST', url: URL_BASE + PATH, headers: nodeHeaders(size, headers) })) === true;
    return { ...bool(() => run(body)), tampered: () => run(tamper(body)) };
  }
  throw new Error(`unknown public-key case ${id}`);
}

/** The targets for these rows: at most 1.1x the floor at 1 KiB, faster than the vendor library at every size. */
export const PUBLIC_KEY_TARGETS = [
  { subject: 'hookguard-discord', floor: 'floor-ed25519', vendor: 'discord-interactions' },
  { subject: 'hookguard-sendgrid', floor: 'floor-ecdsa-p256-der', vendor: 'sendgrid-eventwebhook' },
  ...HS_ALGORITHMS.map((alg) => ({ subject: `hookguard-hs-${alg}`, floor: `floor-hs-${alg}`, vendor: `hms-${alg}` })),
];
