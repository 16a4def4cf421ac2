// Cluster mode: keys carry a {tenant} hash tag, so every key of one tenant lands in one slot, and
// the store works through an ioredis Cluster client (a real one-node cluster holding all slots).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { createVerifier, fromHeader, sign, standardWebhooks, type WebhookRequest } from '@hookguard/core';
import { RedisReplayStore } from '@hookguard/redis';
import { describeWithRedis, eventually, RedisServer, replayStoreContract } from '@hookguard/testkit';
import { crc16, hashTag, keySlot } from './lib/key-slot.js';

const SECRET = 'whsec_' + randomBytes(24).toString('base64');
const TENANTS = ['acme', 'globex', 'a:b{c}d', 'Ünïcode tenant'];

function tenantRequest(tenant: string, id: string): WebhookRequest {
  const body = JSON.stringify({ id });
  return { method: 'POST', url: '/webhooks', headers: { ...sign.standardWebhooks({ secret: SECRET, id, body }), 'x-tenant': tenant }, body: Buffer.from(body) };
}

describe('cluster key shape (no Redis needed)', () => {
  test('the CRC16 used here matches the Redis Cluster specification', () => {
    // Reference value from the Redis Cluster specification (CRC16/XMODEM of "123456789").
    assert.equal(crc16('123456789'), 0x31c3);
    assert.equal(hashTag('foo{bar}baz'), 'bar');
    assert.equal(hashTag('foo{}{bar}'), 'foo{}{bar}');
  });

  test("every key of a tenant gets the tenant's hash tag, whatever the scheme, id or prefix", () => {
    for (const keyPrefix of ['hookguard:', 'svc:replay:', '']) {
      const store = new RedisReplayStore({ client: new Redis({ lazyConnect: true }), keyPrefix });
      for (const tenant of TENANTS) {
        const encoded = encodeURIComponent(tenant);
        const keys = ['standardWebhooks:msg_1', 'stripe:evt_1', 'github:0f8a-delivery', 'hmac:sig:with:colons}{', 'x:{other}'].map((rest) => store.keyFor(`${encoded}:${rest}`));
        for (const k of keys) {
          assert.ok(k.startsWith(`${keyPrefix}{${encoded}}:`), k);
          assert.equal(hashTag(k), encoded);
          assert.equal(keySlot(k), keySlot(`{${encoded}}`));
        }
      }
      assert.notEqual(keySlot(store.keyFor('acme:stripe:evt_1')), keySlot(store.keyFor('globex:stripe:evt_1')));
      assert.equal(hashTag(store.keyFor('-:github:d-1')), '-');
    }
  });
});

describeWithRedis('RedisReplayStore on a Redis Cluster', () => {
  let server: RedisServer;
  let cluster: Cluster;
  let admin: Redis;

  before(async () => {
    server = await RedisServer.start({ cluster: true });
    admin = new Redis(server.url, { lazyConnect: true });
    await admin.connect();
    await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    await eventually(async () => String(await admin.call('CLUSTER', 'INFO')).includes('cluster_state:ok'), 10_000, 'the one-node cluster is ok');
    cluster = new Cluster([{ host: '127.0.0.1', port: server.port }], { lazyConnect: true });
    await cluster.connect();
  });
  after(async () => {
    cluster?.disconnect();
    admin?.disconnect();
    await server?.stop();
  });

  replayStoreContract('RedisReplayStore (ioredis Cluster)', () => new RedisReplayStore({ client: cluster }));

  test("Redis itself puts every key of a tenant in the tenant's slot, and tenants apart", async () => {
    const store = new RedisReplayStore({ client: cluster });
    const verifier = createVerifier({
      scheme: standardWebhooks({ secret: SECRET }),
      tenants: { resolve: fromHeader('x-tenant'), lookup: () => ({}) },
      replay: { store },
    });
    const slotOf = async (key: string) => Number(await admin.call('CLUSTER', 'KEYSLOT', key));
    const slots = new Map<string, number>();
    for (const tenant of TENANTS) {
      for (let i = 0; i < 3; i++) {
        const webhook = await verifier.verify(tenantRequest(tenant, `msg_${randomBytes(6).toString('hex')}`));
        assert.ok(webhook.replayKey);
        const key = store.keyFor(webhook.replayKey);
        assert.equal(await cluster.exists(key), 1, 'the reservation is stored under keyFor(replayKey)');
        const slot = await slotOf(key);
        assert.equal(slot, keySlot(key), 'CRC16 here agrees with CLUSTER KEYSLOT');
        assert.equal(slot, await slotOf(`{${encodeURIComponent(tenant)}}`));
        if (slots.has(tenant)) assert.equal(slot, slots.get(tenant));
        slots.set(tenant, slot);
        await webhook.settle({ status: 200 });
      }
    }
    assert.notEqual(slots.get('acme'), slots.get('globex'));
  });
});
