// Keeps outbound webhook requests off private, loopback, link-local, multicast and metadata addresses unless an admin allowed them.
import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT (and Alibaba's metadata at 100.100.100.200)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata at 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64 can reach private IPv4
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7], // unique local (AWS metadata fd00:ec2::254 too)
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) blocked.addSubnet(net, bits, 'ipv6');

/** True for any address a webhook must not reach without the subscription's allowPrivateNetwork flag. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const embedded = embeddedIpv4(address);
  // An IPv6 form that carries an IPv4 address reaches that address: judge it by its IPv4 part as well.
  if (embedded !== null && isBlockedAddress(embedded)) return true;
  return blocked.check(address, 'ipv6');
}

/** The 8 hextets of an IPv6 address (with or without a trailing dotted quad, `::` expanded). */
function hextets(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((h) => parseInt(h, 16));
}

/**
 * The IPv4 address an IPv6 form embeds: IPv4-mapped (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96),
 * IPv4-compatible (::/96), NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4 (2002::/16) and Teredo's client (2001::/32).
 */
export function embeddedIpv4(address: string): string | null {
  const h = hextets(address);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && (h[5] === 0xffff || h[5] === 0)) return v4(h[6], h[7]);
  if (zero(0, 4) && h[4] === 0xffff && h[5] === 0) return v4(h[6], h[7]);
  if (h[0] === 0x64 && h[1] === 0xff9b) return v4(h[6], h[7]);
  if (h[0] === 0x2002) return v4(h[1], h[2]);
  if (h[0] === 0x2001 && h[1] === 0) return v4(h[6] ^ 0xffff, h[7] ^ 0xffff);
  return null;
}

export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS';
}

/** Why a URL cannot be a webhook target, or null. Resolves the host now; delivery checks again at connect time. */
export async function urlRefusal(raw: string, allowPrivateNetwork: boolean): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'only http and https URLs';
  if (url.username || url.password) return 'credentials in the URL are not allowed; the payload is signed instead';
  if (allowPrivateNetwork) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return `the host ${host} does not resolve`;
  }
  const bad = addresses.find(isBlockedAddress);
  return bad ? `the host ${host} resolves to ${bad}, a private, loopback, link-local, multicast or metadata address` : null;
}

/**
 * A net.connect lookup that refuses blocked addresses: the address checked is the address connected to, so a DNS
 * answer that changes between the admin's check and the delivery (rebinding) cannot reach an internal service.
 */
export function guardedLookup(allowPrivateNetwork: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { all: true, verbatim: true, family: (options as { family?: number }).family ?? 0 }).then(
      (all) => {
        const usable = allowPrivateNetwork ? all : all.filter((a) => !isBlockedAddress(a.address));
        if (!usable.length) {
          const err = new BlockedAddressError(`${hostname} resolves only to blocked addresses (${all.map((a) => a.address).join(', ')})`);
          return (callback as (e: Error) => void)(err);
        }
        if ((options as { all?: boolean }).all) return (callback as (e: null, a: typeof usable) => void)(null, usable);
        (callback as (e: null, a: string, f: number) => void)(null, usable[0].address, usable[0].family);
      },
      (err: Error) => (callback as (e: Error) => void)(err),
    );
  };
}
