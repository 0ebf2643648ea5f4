/**
 * Which Redis a lab cluster uses. With `sentinel` settings: a primary, a replica and three
 * Sentinels the lab starts (lab/redis/redis-sentinel.ts), servers given the Sentinel URL and no
 * proxy (Sentinel hands out the primary's own address). Otherwise, in order: `REDIS_URL` (or the `redisUrl` option) when given;
 * else a `redis-server` from PATH on a free port (lab/redis); else ioredis-mock (`--redis
 * memory`), with a loud warning, and only when every server runs in this process (a mock cannot
 * be shared between processes, and no proxy can sit in front of it).
 */
import { spawnSync } from 'node:child_process';
import {
  type RedisServer,
  redisServerMissing,
  type SentinelGroup,
  type SentinelGroupOptions,
  startRedisServer,
  startSentinelGroup,
} from '../redis/index.ts';

export interface RedisBacking {
  kind: 'url' | 'spawned' | 'memory' | 'sentinel';
  /** `redis://host:port`, or `memory`. */
  url: string;
  /** host:port for a proxy's upstream; undefined for memory. */
  address: string | undefined;
  /** The redis-server we started (restart/pause for redis faults); undefined otherwise. */
  server: RedisServer | undefined;
  /** The Sentinel-managed primary and replica (kind `sentinel`). */
  sentinel?: SentinelGroup;
  close(): Promise<void>;
}

export const memoryRedisWarning =
  'NO REDIS: mode A runs on ioredis-mock in this process (no proxy, no redis faults). Install redis-server (apt-get install redis-server) or set REDIS_URL for a real one.';

export async function startRedisBacking(options: {
  redisUrl: string | undefined;
  processes: boolean;
  warn: (message: string) => void;
  /** Real ms: a Sentinel-managed primary and replica instead of one server. */
  sentinel?: SentinelGroupOptions;
}): Promise<RedisBacking> {
  if (options.sentinel !== undefined) {
    if (!redisServerOnPath()) throw new Error(`${redisServerMissing}: the Sentinel topology needs it`);
    const group = await startSentinelGroup(options.sentinel);
    return {
      kind: 'sentinel',
      url: group.url,
      address: undefined,
      server: undefined,
      sentinel: group,
      close: () => group.close(),
    };
  }
  const given = options.redisUrl ?? process.env.REDIS_URL;
  if (given !== undefined && given !== '') {
    const parsed = new URL(given);
    return {
      kind: 'url',
      url: given,
      address: `${parsed.hostname}:${parsed.port || '6379'}`,
      server: undefined,
      close: async () => {},
    };
  }
  if (redisServerOnPath()) {
    const server = await startRedisServer();
    return {
      kind: 'spawned',
      url: server.url,
      address: `127.0.0.1:${server.port}`,
      server,
      close: () => server.kill(),
    };
  }
  if (options.processes)
    throw new Error(`${redisServerMissing} (or set REDIS_URL): child processes cannot share ioredis-mock`);
  options.warn(memoryRedisWarning);
  return { kind: 'memory', url: 'memory', address: undefined, server: undefined, close: async () => {} };
}

function redisServerOnPath(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}
