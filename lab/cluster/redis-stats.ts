/**
 * What the real redis-server says it executed, from `INFO commandstats`: the lab's Redis ops/s and
 * writes/s (the simulator counts the same things in its simulated Redis).
 *
 * - calls: the registry's top-level commands, i.e. script invocations (`evalsha` + `eval`, one
 *   per publish, remove or total) plus plain commands; the commands a script runs inside it and
 *   our own `INFO` are not counted.
 * - writes: registry publishes, counted by the `ZADD` each publish script runs exactly once (a
 *   remove runs none).
 */
import { Redis } from 'ioredis';

/** Commands a script runs inside it (counted by Redis, not calls the servers made). */
const scriptInnerCommands = new Set([
  'time',
  'hget',
  'hset',
  'hdel',
  'zadd',
  'zrem',
  'zrangebyscore',
  'zcount',
  'incrby',
  'decrby',
  'pttl',
  'pexpire',
  'get',
]);

/** Commands that are not the servers' registry traffic. */
const ignored = new Set(['info', 'ping', 'client', 'config', 'command', 'hello', 'select', 'script']);

/** Parses `INFO commandstats` into command -> calls. */
export function parseCommandStats(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const line of info.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match !== null) calls.set(match[1]!.toLowerCase(), Number(match[2]));
  }
  return calls;
}

export function registryCounts(calls: Map<string, number>): { calls: number; writes: number } {
  let total = 0;
  for (const [command, count] of calls) {
    if (ignored.has(command) || scriptInnerCommands.has(command)) continue;
    total += count;
  }
  return { calls: total, writes: calls.get('zadd') ?? 0 };
}

/** `FLUSHALL` on the Redis at `url` (a restart's data loss, without the process restart). */
export async function flushRedis(url: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: infoTimeoutMs });
  client.on('error', () => {});
  try {
    await client.flushall();
  } finally {
    client.disconnect();
  }
}

/** Bound on one INFO round trip: a paused (outage) Redis must not hang the run's end. */
const infoTimeoutMs = 3_000;
/** INFO attempts before the figures count as unreadable (a loaded machine can miss one). */
const infoAttemptsMax = 3;

export async function redisCommandStats(url: string): Promise<{ calls: number; writes: number } | undefined> {
  for (let attempt = 1; attempt <= infoAttemptsMax; attempt += 1) {
    const stats = await readCommandStats(url);
    if (stats !== undefined) return stats;
  }
  return undefined;
}

/**
 * One connection kept open for frequent reads (the storm rates read the counters at every series
 * sample, every few real milliseconds): reconnects when the url changes (a failover's new
 * primary); a read that fails or takes longer than `infoTimeoutMs` is undefined.
 */
export class CommandStatsReader {
  #url: string | undefined;
  #client: Redis | undefined;

  async read(url: string): Promise<{ calls: number; writes: number } | undefined> {
    if (this.#url !== url) {
      this.close();
      this.#url = url;
      this.#client = new Redis(url, { maxRetriesPerRequest: 0, connectTimeout: infoTimeoutMs });
      this.#client.on('error', () => {});
    }
    return countsWithin(this.#client!.info('commandstats'));
  }

  close(): void {
    this.#client?.disconnect();
    this.#client = undefined;
    this.#url = undefined;
  }
}

async function readCommandStats(url: string): Promise<{ calls: number; writes: number } | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 0,
    connectTimeout: infoTimeoutMs,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    return await countsWithin(client.connect().then(() => client.info('commandstats')));
  } finally {
    client.disconnect();
  }
}

/** The registry counts of an `INFO commandstats` reply; undefined when it fails or takes over `infoTimeoutMs`. */
async function countsWithin(info: Promise<string>): Promise<{ calls: number; writes: number } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const reply = await Promise.race([
      info,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), infoTimeoutMs);
      }),
    ]);
    return reply === undefined ? undefined : registryCounts(parseCommandStats(reply));
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
