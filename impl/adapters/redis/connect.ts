/**
 * One ioredis client from a `--redis` value, with the settings mode A's promises rest on:
 *
 * - `redis://` / `rediss://` (TLS) with user and password in the URL: a plain client.
 * - `redis-sentinel://[user:pass@]host:port,host:port/masterName`: a Sentinel-managed master.
 * - `redis-cluster://[user:pass@]host:port,host:port`, or several `redis://` URLs separated by
 *   commas: a Redis Cluster.
 * - `memory`: ioredis-mock in this process, a dependency-free demo (the caller warns loudly).
 *
 * Reconnection attempts are at most `retryMaxMs` (default 1 s, `--redis-retry-max-ms`) apart
 * (`retryDelayMs`); the offline queue is OFF and a
 * command is never retried across a reconnect, so while Redis is down a call fails at once and
 * WHO falls back in microseconds instead of waiting for `whoTimeoutMs`.
 */
import { Cluster, type ClusterNode, Redis, type RedisOptions } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { reconnectDelayMs } from '../../core/mode-a/options.ts';

export type RedisClient = Redis | Cluster;
export type RedisKind = 'single' | 'sentinel' | 'cluster' | 'memory';

export interface RedisConnection {
  client: RedisClient;
  kind: RedisKind;
  /** The URL with any password masked, for logs. */
  safeUrl: string;
  /** Resolves true once ready, false after `timeoutMs` (the client keeps trying). */
  waitReady(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Reconnect delay: 50 ms, 100 ms, ... capped at 1 s (the bound); steps of a 20th of the cap. */
export const retryDelayMs = reconnectDelayMs;

/** TCP connect budget: a Redis that takes longer is treated as down, and retried. */
const connectTimeoutMs = 1_000;

const commonOf = (retryMaxMs: number): RedisOptions => ({
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  connectTimeout: connectTimeoutMs,
  retryStrategy: (attempt: number) => retryDelayMs(attempt, retryMaxMs),
  // No READY check delay beyond the INFO ping; a loading Redis is answered by our fallbacks.
  enableReadyCheck: true,
});

export interface ConnectOptions {
  /** Reconnect attempts back off up to this (from a 20th of it). @default 1000 */
  retryMaxMs?: number;
}

export function connectRedis(url: string, connectOptions: ConnectOptions = {}): RedisConnection {
  const trimmed = url.trim();
  const retryMaxMs = connectOptions.retryMaxMs ?? 1_000;
  if (trimmed === 'memory') return wrap(new RedisMock() as unknown as Redis, 'memory', 'memory');
  if (trimmed.startsWith('redis-sentinel://')) return sentinel(trimmed, retryMaxMs);
  if (trimmed.startsWith('redis-cluster://') || trimmed.includes(',')) return cluster(trimmed, retryMaxMs);
  return wrap(new Redis(trimmed, commonOf(retryMaxMs)), 'single', maskUrl(trimmed));
}

function sentinel(url: string, retryMaxMs: number): RedisConnection {
  const { auth, hosts, path } = splitMultiHost(url, 'redis-sentinel://');
  const name = path.replace(/^\//, '');
  if (name === '')
    throw new Error(
      `${maskUrl(url)}: a Sentinel URL needs the master name, e.g. redis-sentinel://h:26379/mymaster`,
    );
  const client = new Redis({
    ...commonOf(retryMaxMs),
    ...auth,
    sentinels: hosts,
    name,
    sentinelRetryStrategy: (attempt: number) => retryDelayMs(attempt, retryMaxMs),
  });
  return wrap(client, 'sentinel', maskUrl(url));
}

function cluster(url: string, retryMaxMs: number): RedisConnection {
  const parts = url.startsWith('redis-cluster://')
    ? splitMultiHost(url, 'redis-cluster://')
    : splitUrlList(url);
  const client = new Cluster(parts.hosts, {
    enableOfflineQueue: false,
    clusterRetryStrategy: (attempt: number) => retryDelayMs(attempt, retryMaxMs),
    redisOptions: { ...commonOf(retryMaxMs), ...parts.auth, tls: parts.tls ? {} : undefined },
    slotsRefreshTimeout: connectTimeoutMs,
  });
  return wrap(client, 'cluster', maskUrl(url));
}

interface MultiHost {
  auth: { username?: string; password?: string };
  hosts: { host: string; port: number }[];
  path: string;
  tls: boolean;
}

function splitMultiHost(url: string, scheme: string): MultiHost {
  const rest = url.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  const credentials = at >= 0 ? rest.slice(0, at) : '';
  const afterAuth = at >= 0 ? rest.slice(at + 1) : rest;
  const slash = afterAuth.indexOf('/');
  const hostList = slash >= 0 ? afterAuth.slice(0, slash) : afterAuth;
  const path = slash >= 0 ? afterAuth.slice(slash) : '';
  return {
    auth: parseCredentials(credentials),
    hosts: hostList.split(',').map(parseHostPort),
    path,
    tls: false,
  };
}

function splitUrlList(list: string): MultiHost {
  const urls = list.split(',').map((item) => new URL(item.trim()));
  const first = urls[0]!;
  return {
    auth: {
      ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
      ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
    },
    hosts: urls.map((u) => ({ host: u.hostname, port: Number(u.port || 6379) })),
    path: '',
    tls: first.protocol === 'rediss:',
  };
}

function parseCredentials(credentials: string): { username?: string; password?: string } {
  if (credentials === '') return {};
  const colon = credentials.indexOf(':');
  if (colon < 0) return { password: decodeURIComponent(credentials) };
  const username = decodeURIComponent(credentials.slice(0, colon));
  const password = decodeURIComponent(credentials.slice(colon + 1));
  return { ...(username ? { username } : {}), password };
}

function parseHostPort(item: string): ClusterNode & { host: string; port: number } {
  const trimmed = item.trim();
  const colon = trimmed.lastIndexOf(':');
  if (colon < 0) return { host: trimmed, port: 6379 };
  return { host: trimmed.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(trimmed.slice(colon + 1)) };
}

export function maskUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/g, (_, credentials: string) => {
    const colon = credentials.indexOf(':');
    return colon < 0 ? '//***@' : `//${credentials.slice(0, colon)}:***@`;
  });
}

function wrap(client: RedisClient, kind: RedisKind, safeUrl: string): RedisConnection {
  // Errors surface as failed calls (typed KvErrors); without a listener ioredis would print each
  // reconnect failure. The mode runtime adds its own rate-limited logging listener.
  client.on('error', () => {});
  return {
    client,
    kind,
    safeUrl,
    waitReady: (timeoutMs) =>
      new Promise((resolve) => {
        if (client.status === 'ready') {
          resolve(true);
          return;
        }
        const timer = setTimeout(() => {
          client.off('ready', onReady);
          resolve(false);
        }, timeoutMs);
        const onReady = () => {
          clearTimeout(timer);
          resolve(true);
        };
        client.once('ready', onReady);
      }),
    close: async () => {
      client.disconnect();
    },
  };
}
