/**
 * Which `countUrl` a member may register: discovery calls that URL on every broadcast with the
 * shared token attached, so it is checked once, at registration, and refused with a reason.
 *
 * A count URL is `http://IP:PORT/count`: plain http (this instance has no TLS client), an IP
 * literal (no name to re-resolve elsewhere later), no credentials, no query, and a host inside
 * the member networks: `--member-networks` CIDRs when given, otherwise the registration's own
 * source address and loopback (a server registers its own admin port). It may not point at this
 * instance's own ports, which would make every broadcast call itself.
 */
import net from 'node:net';
import { err, ok, type Result } from '../../core/result.ts';

/** The one path a member serves its count on (mode C's admin route). */
export const countPath = '/count';

/** `10.0.0.0/8,fd00::/8` → a BlockList that `check`s addresses, or every problem found. */
export function parseMemberNetworks(cidrs: readonly string[]): Result<net.BlockList, string> {
  const list = new net.BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefixText = '', ...rest] = cidr.split('/');
    const family = net.isIP(address);
    const prefix = Number(prefixText);
    const prefixMax = family === 6 ? 128 : 32;
    if (family === 0 || rest.length > 0 || !/^\d+$/.test(prefixText) || prefix > prefixMax)
      return err(`${cidr} is not a CIDR block like 10.0.0.0/8 or fd00::/8`);
    list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return ok(list);
}

export interface CountUrlContext {
  /** Configured member networks; undefined means the source address and loopback. */
  readonly networks: net.BlockList | undefined;
  /** The registering connection's remote address. */
  readonly sourceAddress: string | undefined;
  /** Ports this instance listens on (API, admin), refused on loopback or its own address. */
  readonly ownPorts: readonly number[];
}

/** The normalised count URL, or the reason it is refused (sent back with a 400). */
export function checkCountUrl(text: string, context: CountUrlContext): Result<string, string> {
  if (!URL.canParse(text)) return err('countUrl is not a URL');
  const url = new URL(text);
  if (url.protocol !== 'http:') return err('countUrl must use http: (this instance has no TLS client)');
  if (url.username !== '' || url.password !== '') return err('countUrl must not hold credentials');
  if (url.pathname !== countPath || url.search !== '' || url.hash !== '')
    return err(`countUrl must be http://IP:PORT${countPath} with no query`);
  const host = unbracket(url.hostname);
  const family = net.isIP(host);
  if (family === 0) return err('countUrl host must be an IP address');
  if (isUnspecified(host))
    return err('countUrl host must be an address a member listens on, not 0.0.0.0 or ::');
  const port = Number(url.port || 80);
  if (!inMemberNetworks(host, family, context))
    return err(
      context.networks === undefined
        ? `countUrl host ${host} is neither loopback nor the registering address; set --member-networks to allow it`
        : `countUrl host ${host} is outside --member-networks`,
    );
  if (context.ownPorts.includes(port) && (isLoopback(host) || sameAddress(host, context.sourceAddress)))
    return err('countUrl points at this discovery instance');
  return ok(url.toString());
}

function inMemberNetworks(host: string, family: number, context: CountUrlContext): boolean {
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (context.networks !== undefined) return context.networks.check(host, type);
  return isLoopback(host) || sameAddress(host, context.sourceAddress);
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is `10.0.0.1`. */
function plain(address: string): string {
  return address.toLowerCase().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
}

function sameAddress(host: string, source: string | undefined): boolean {
  return source !== undefined && plain(host) === plain(source);
}

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

function isLoopback(host: string): boolean {
  const address = plain(host);
  return loopback.check(address, net.isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

function isUnspecified(host: string): boolean {
  const address = plain(host);
  return address === '0.0.0.0' || address === '::' || /^(0+:){7}0+$/.test(address);
}
