/**
 * Mode A's registry as one real redis-server holds it, read directly (not through Sentinel):
 * each entry's count and expiry (Redis's clock), and Redis's clock when read. The lab compares
 * a dying primary's registry with its replica's (the entries a failover loses) and watches the
 * promoted replica's expiry scores rise as each server writes to it.
 */
import { Redis } from 'ioredis';
import { registryKeys } from '../../impl/core/mode-a/effects.ts';

export interface RegistryEntry {
  count: number;
  expiresAtMs: number;
}

export interface RegistrySnapshot {
  /** Redis's `TIME` when read, epoch ms. */
  redisNowMs: number;
  entries: Map<string, RegistryEntry>;
}

/** Bound on one read: a connect or reply slower than this is a dead Redis. */
const readTimeoutMs = 1_000;

export async function readRegistry(url: string, prefix: string): Promise<RegistrySnapshot | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: readTimeoutMs,
    commandTimeout: readTimeoutMs,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const keys = registryKeys(prefix);
    const [time, counts, expiry] = await Promise.all([
      client.time(),
      client.hgetall(keys.counts),
      client.zrange(keys.expiry, 0, -1, 'WITHSCORES'),
    ]);
    const entries = new Map<string, RegistryEntry>();
    for (let index = 0; index + 1 < expiry.length; index += 2) {
      const serverId = expiry[index]!;
      entries.set(serverId, { count: Number(counts[serverId] ?? 0), expiresAtMs: Number(expiry[index + 1]) });
    }
    const redisNowMs = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    return { redisNowMs, entries };
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

/** The live entries (redisNowMs < expiresAtMs): serverId -> count. */
export function liveCounts(snapshot: RegistrySnapshot): Map<string, number> {
  const live = new Map<string, number>();
  for (const [serverId, entry] of snapshot.entries)
    if (snapshot.redisNowMs < entry.expiresAtMs) live.set(serverId, entry.count);
  return live;
}
