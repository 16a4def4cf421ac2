import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockList, isIP } from 'node:net';
import { IpRangeList, ipFamily } from '../../core/dist/esm/lib/ip-cidr.js';

// Core's pure-TypeScript CIDR matcher (which lets core load without node:net) against node:net itself.
const samples = ['1.2.3.4', '01.2.3.4', '1.2.3', '256.1.1.1', '::', '::1', '1::', 'fe80::1%eth0', 'fe80::1%', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1::2::3', '::ffff:a00:1', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', ':1', '1:', 'abcde::1', '', 'x', '10.0.0.1', '0.0.0.0', '1.2.3.04', '::1.2.3.4', '[::1]', '1.2.3.4 ', 'FE80::A', '2001:db8::1'];

test('ipFamily agrees with node:net isIP', () => {
  for (const s of samples) assert.equal(ipFamily(s), isIP(s), s);
});

test('IpRangeList agrees with node:net BlockList, IPv4-mapped addresses included', () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const v4 = () => [0, 0, 0, 0].map(() => Math.floor(rnd() * 256)).join('.');
  const v6 = () => {
    const r = rnd();
    if (r < 0.3) return `::ffff:${v4()}`;
    if (r < 0.5) return `::ffff:${Math.floor(rnd() * 65536).toString(16)}:${Math.floor(rnd() * 65536).toString(16)}`;
    return Array.from({ length: 8 }, () => Math.floor(rnd() * 65536).toString(16)).join(':');
  };
  for (let i = 0; i < 5000; i++) {
    const ruleV4 = rnd() < 0.5;
    const address = ruleV4 ? v4() : v6();
    const prefix = Math.floor(rnd() * (ruleV4 ? 33 : 129));
    const node = new BlockList();
    node.addSubnet(address, prefix, ruleV4 ? 'ipv4' : 'ipv6');
    const ours = new IpRangeList();
    ours.addSubnet(address, prefix, ruleV4 ? 4 : 6);
    const probeV4 = rnd() < 0.5;
    for (const probe of [address, probeV4 ? v4() : v6(), ...samples.filter((s) => isIP(s) !== 0)]) {
      const family = isIP(probe) === 4 ? 4 : 6;
      assert.equal(ours.check(probe, family), node.check(probe, family === 4 ? 'ipv4' : 'ipv6'), `${address}/${prefix} ${probe}`);
    }
  }
});
