/**
 * The loop guard: a proxy whose upstream leads back to its own listen address, directly or
 * through other proxies of this process, would connect to itself for every client, each new
 * connection making another, until descriptors run out (23,092 connections in 8 s were seen).
 * Toxiproxy has no such guard; we refuse the upstream instead.
 */
import { networkInterfaces } from 'node:os';
import { parseHostPort } from './address.ts';

export interface Listener {
  readonly name: string;
  /** The bound `host:port` (as printed after listening). */
  readonly listen: string;
  readonly upstream: string;
}

/**
 * The names along the loop when following upstreams from `start` comes back to it, or
 * undefined. Each hop is a proxy of this process listening where the previous one connects.
 */
export function upstreamLoop(start: Listener, listeners: readonly Listener[]): string[] | undefined {
  const path = [start.name];
  let upstream = start.upstream;
  // At most one hop per proxy: a longer walk has revisited one, which the checks below catch.
  for (let hop = 0; hop <= listeners.length; hop += 1) {
    const next = listeners.find((listener) => reaches(upstream, listener.listen));
    if (next === undefined) return undefined;
    if (next.name === start.name) return path;
    if (path.includes(next.name)) return undefined; // a loop elsewhere, refused when it was made
    path.push(next.name);
    upstream = next.upstream;
  }
  return undefined;
}

/** True when connecting to `upstream` lands on a socket bound at `listen` in this process. */
function reaches(upstream: string, listen: string): boolean {
  const target = parseHostPort(upstream);
  const bound = parseHostPort(listen);
  if (typeof target === 'string' || typeof bound === 'string' || target.port !== bound.port) return false;
  if (!isLocal(target.host)) return false;
  return bound.host === undefined || isUnspecified(bound.host) || sameLocal(target.host, bound.host);
}

function isUnspecified(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function isLoopbackName(host: string | undefined): boolean {
  return host === undefined || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function isLocal(host: string | undefined): boolean {
  if (isLoopbackName(host) || isUnspecified(host!)) return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((entry) => entry.address === host));
}

function sameLocal(target: string | undefined, bound: string): boolean {
  if (target === bound) return true;
  return isLoopbackName(target) && isLoopbackName(bound);
}
