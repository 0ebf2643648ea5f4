/**
 * The lab's Redis helpers start real processes: a single server that restarts empty, and a
 * three-master cluster that answers across slots.
 */
import { existsSync, rmSync } from 'node:fs';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, test } from 'vitest';
import { startRedisCluster, startRedisServer } from '../../../lab/redis/index.ts';

describe('lab: redis', () => {
  test('a started redis-server answers, and comes back empty after restart', async () => {
    const redis = await startRedisServer();
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
      await redis.restart();
      expect(await client.get('k')).toBeNull();
    } finally {
      client.disconnect();
      await redis.kill();
    }
  });

  test("a replica's full sync writes its RDB file in the server's own directory, never in the working directory", async () => {
    rmSync('dump.rdb', { force: true });
    const primary = await startRedisServer({ args: ['--repl-diskless-sync-delay', '0'] });
    const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
    const writer = new Redis(primary.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    const reader = new Redis(replica.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await writer.set('k', 'v');
      await expect.poll(() => reader.get('k'), { timeout: 5_000, interval: 50 }).toBe('v');
      expect(existsSync('dump.rdb')).toBe(false);
    } finally {
      writer.disconnect();
      reader.disconnect();
      await replica.kill();
      await primary.kill();
    }
  });

  test('a three-master cluster serves keys in every slot', async () => {
    const cluster = await startRedisCluster(3);
    const client = new Cluster(
      cluster.addresses.map((address) => {
        const [host, port] = address.split(':');
        return { host: host!, port: Number(port) };
      }),
    );
    try {
      for (const key of ['a', 'b', 'c', 'd', 'e']) await client.set(key, key);
      expect(await client.get('e')).toBe('e');
      expect(cluster.nodes).toHaveLength(3);
    } finally {
      client.disconnect();
      await cluster.stop();
    }
  });
});
