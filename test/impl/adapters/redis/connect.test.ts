/**
 * `--redis` values become the right ioredis client: a URL, a Sentinel list, a Cluster list; and
 * passwords never reach a log line. The Cluster case runs against three real masters.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectRedis, maskUrl, retryDelayMs } from '../../../../impl/adapters/redis/connect.ts';
import { RedisRegistry } from '../../../../impl/adapters/redis/registry-store.ts';
import type { ModeAEffect } from '../../../../impl/core/mode-a/effects.ts';
import { type RedisCluster, startRedisCluster } from '../../../../lab/redis/index.ts';

let cluster: RedisCluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
}, 20_000);

afterAll(async () => {
  await cluster.stop();
});

describe('mode A: redis connection', () => {
  test('passwords are masked in every URL form', () => {
    expect(maskUrl('rediss://user:secret@host:6380/0')).toBe('rediss://user:***@host:6380/0');
    expect(maskUrl('redis-sentinel://:pw@h1:26379,h2:26379/mymaster')).toBe(
      'redis-sentinel://:***@h1:26379,h2:26379/mymaster',
    );
    expect(maskUrl('redis://h:6379')).toBe('redis://h:6379');
  });

  test('reconnection attempts are never more than one second apart', () => {
    const delays = Array.from({ length: 100 }, (_, i) => retryDelayMs(i + 1));
    expect(Math.max(...delays)).toBe(1_000);
    expect(delays[0]).toBe(50);
  });

  test('a smaller --redis-retry-max-ms scales the whole reconnect backoff, steps and cap alike', () => {
    const delays = Array.from({ length: 100 }, (_, i) => retryDelayMs(i + 1, 100));
    expect(Math.max(...delays)).toBe(100);
    expect(delays[0]).toBe(5);
  });

  test('each URL form selects its kind of client', async () => {
    const forms = [
      ['memory', 'memory'],
      ['redis://127.0.0.1:1', 'single'],
      ['rediss://u:p@127.0.0.1:1', 'single'],
      ['redis-sentinel://127.0.0.1:1,127.0.0.1:2/mymaster', 'sentinel'],
      ['redis-cluster://127.0.0.1:1,127.0.0.1:2', 'cluster'],
      ['redis://127.0.0.1:1,redis://127.0.0.1:2', 'cluster'],
    ] as const;
    for (const [url, kind] of forms) {
      const connection = connectRedis(url);
      expect(connection.kind).toBe(kind);
      await connection.close();
    }
  });

  test('a Sentinel URL without a master name is refused with the fix in the message', () => {
    expect(() => connectRedis('redis-sentinel://127.0.0.1:26379')).toThrow(/needs the master name/);
  });

  test('on a three-master Redis Cluster the registry gives the same totals as on one Redis', async () => {
    const connection = connectRedis(cluster.url);
    try {
      expect(await connection.waitReady(5_000)).toBe(true);
      const store = new RedisRegistry(connection.client, 'fleet', () => performance.now());
      let opId = 0;
      const publish = (serverId: string, count: number): ModeAEffect => ({
        opId: ++opId,
        kind: 'kv.publish',
        serverId,
        count,
        ttlMs: 5_000,
        timeoutMs: 2_000,
      });
      for (const [serverId, count] of [
        ['a', 2],
        ['b', 5],
        ['c', 1],
      ] as const) {
        expect(await store.execute(publish(serverId, count))).toEqual({ ok: true, value: undefined });
      }
      expect(await store.execute({ opId: ++opId, kind: 'kv.total', timeoutMs: 2_000 })).toEqual({
        ok: true,
        value: { total: 8, servers: 3 },
      });
    } finally {
      await connection.close();
    }
  });
});
