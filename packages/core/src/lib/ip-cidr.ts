/**
 * A small pure-TypeScript IPv4/IPv6 address and CIDR matcher, in place of node:net's BlockList and
 * isIP, so core loads on runtimes without node:net (Cloudflare Workers, browsers' bundlers).
 * Addresses are held as 128-bit BigInts, an IPv4 address as its IPv4-mapped IPv6 form
 * (::ffff:a.b.c.d), so the families match across as BlockList matches them: an IPv4 subnet
 * contains the mapped forms of its addresses, and an IPv6 subnet covering ::ffff:0:0/96 contains
 * IPv4 addresses.
 */

export type IpFamily = 4 | 6;

export interface ParsedIp {
  family: IpFamily;
  value: bigint;
}

const V4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!V4_PART.test(part)) return undefined;
    value = (value << 8n) | BigInt(Number(part));
  }
  return value;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function groups(text: string, allowV4Tail: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const out: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (allowV4Tail && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseV4(part);
      if (v4 === undefined) return undefined;
      out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (HEX_GROUP.test(part)) out.push(parseInt(part, 16));
    else return undefined;
  }
  return out;
}

function parseV6(input: string): bigint | undefined {
  // A zone id (fe80::1%eth0), as isIP accepts it.
  const percent = input.indexOf('%');
  const text = percent === -1 ? input : input.slice(0, percent);
  if (percent !== -1 && percent === input.length - 1) return undefined;
  if (!text.includes(':')) return undefined;
  const double = text.indexOf('::');
  let all: number[];
  if (double === -1) {
    const g = groups(text, true);
    if (g === undefined || g.length !== 8) return undefined;
    all = g;
  } else {
    if (text.indexOf('::', double + 1) !== -1) return undefined;
    const head = groups(text.slice(0, double), false);
    const tail = groups(text.slice(double + 2), true);
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
    all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  let value = 0n;
  for (const g of all) value = (value << 16n) | BigInt(g);
  return value;
}

/** The address's family and value, or undefined when it is not an IP address. */
export function parseIp(text: string): ParsedIp | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > 64) return undefined;
  const v4 = parseV4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseV6(text);
  if (v6 !== undefined) return { family: 6, value: v6 };
  return undefined;
}

/** Like node:net's isIP: 4, 6, or 0 when the text is not an IP address. */
export function ipFamily(text: string): 0 | IpFamily {
  return parseIp(text)?.family ?? 0;
}

const MAPPED = 0xffffn << 32n;
const ALL = (1n << 128n) - 1n;

function maskOf(bits: number): bigint {
  return bits === 0 ? 0n : (ALL >> BigInt(128 - bits)) << BigInt(128 - bits);
}

/** The address in the 128-bit space, or undefined when it is not an address of `family`. */
function toV6(address: string, family: IpFamily): bigint | undefined {
  const ip = parseIp(address);
  if (ip === undefined || ip.family !== family) return undefined;
  return family === 4 ? MAPPED | ip.value : ip.value;
}

/** Addresses and subnets, checked as node:net's BlockList checks them. */
export class IpRangeList {
  readonly #ranges: { network: bigint; mask: bigint }[] = [];

  /** Adds one address. Returns false when `address` is not an IP address of `family`. */
  addAddress(address: string, family: IpFamily): boolean {
    return this.addSubnet(address, family === 4 ? 32 : 128, family);
  }

  /** Adds a subnet (the address's bits beyond the prefix are ignored, as BlockList does). */
  addSubnet(address: string, prefix: number, family: IpFamily): boolean {
    const value = toV6(address, family);
    if (value === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return false;
    const mask = maskOf(family === 4 ? 96 + prefix : prefix);
    this.#ranges.push({ network: value & mask, mask });
    return true;
  }

  /** True when `address` (of `family`) is one of the addresses or within one of the subnets. */
  check(address: string, family: IpFamily): boolean {
    const value = toV6(address, family);
    if (value === undefined) return false;
    for (const range of this.#ranges) if ((value & range.mask) === range.network) return true;
    return false;
  }
}
