/**
 * `host:port` strings as Go's `net` package reads and prints them: IPv6 hosts in brackets, an
 * empty host meaning every interface, and Go's error texts for a listen that fails.
 */
import type { AddressInfo } from 'node:net';

export interface HostPort {
  /** Undefined means every interface. */
  readonly host: string | undefined;
  readonly port: number;
}

export function parseHostPort(address: string): HostPort | string {
  if (address === '') return { host: undefined, port: 0 };
  const colon = address.lastIndexOf(':');
  if (colon < 0) return `address ${address}: missing port in address`;
  let host = address.slice(0, colon);
  const portText = address.slice(colon + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = portText === '' ? 0 : Number(portText);
  if (!/^\d*$/.test(portText) || port > 65535) return `address ${address}: invalid port`;
  return { host: host === '' ? undefined : host, port };
}

export function formatAddress(info: AddressInfo): string {
  return info.family === 'IPv6' ? `[${info.address}]:${info.port}` : `${info.address}:${info.port}`;
}

const syscallTexts: Record<string, string> = {
  EADDRINUSE: 'bind: address already in use',
  EADDRNOTAVAIL: 'bind: cannot assign requested address',
  EACCES: 'bind: permission denied',
};

/** Go's `listen tcp <address>: bind: address already in use` and friends. */
export function listenErrorText(listen: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    const host = parseHostPort(listen);
    return `listen tcp: lookup ${typeof host === 'string' ? listen : host.host}: no such host`;
  }
  const text = syscallTexts[error.code ?? ''] ?? error.message;
  return `listen tcp ${listen}: ${text}`;
}
