/**
 * The registry store against a real redis-server (started here on a free port): the Lua scripts
 * implement `effects.ts` exactly (expiry by Redis's clock, one round trip per total, the hash key
 * expiring with its last entry), and failures become typed KvErrors quickly.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectRedis, type RedisConnection } from '../../../../impl/adapters/redis/connect.ts';
import { RedisRegistry } from '../../../../impl/adapters/redis/registry-store.ts';
import type { ModeAEffect } from '../../../../impl/core/mode-a/effects.ts';
import { type RedisServer, startRedisServer } from '../../../../lab/redis/index.ts';

let redis: RedisServer;
let connection: RedisConnection;
let raw: Redis;
let opId = 0;

const publish = (serverId: string, count: number, ttlMs = 5_000): ModeAEffect => ({
  opId: ++opId,
  kind: 'kv.publish',
  serverId,
  count,
  ttlMs,
  timeoutMs: 1_000,
});
const total = (): ModeAEffect => ({ opId: ++opId, kind: 'kv.total', timeoutMs: 1_000 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  redis = await startRedisServer();
  connection = connectRedis(redis.url);
  await connection.waitReady(2_000);
  raw = new Redis(redis.url);
});

afterAll(async () => {
  raw.disconnect();
  await connection.close();
  await redis.kill();
});

describe('mode A: redis registry store', () => {
  test('publishes sum into one total, a remove takes its entry out, and keys carry the {prefix} hash tag', async () => {
    const store = new RedisRegistry(connection.client, 'sum', () => performance.now());
    await store.execute(publish('a', 3));
    await store.execute(publish('b', 4));
    expect(await store.execute(total())).toEqual({ ok: true, value: { total: 7, servers: 2 } });
    await store.execute({ opId: ++opId, kind: 'kv.remove', serverId: 'a', timeoutMs: 1_000 });
    expect(await store.execute(total())).toEqual({ ok: true, value: { total: 4, servers: 1 } });
    expect((await raw.keys('*sum*')).sort()).toEqual(['{sum}:expiry', '{sum}:servers', '{sum}:total']);
  });

  test('an entry stops counting once its ttl has passed on Redis clock, and the key goes with its last entry', async () => {
    const store = new RedisRegistry(connection.client, 'ttl', () => performance.now());
    await store.execute(publish('a', 2, 150));
    await store.execute(publish('b', 5, 5_000));
    expect(await store.execute(total())).toMatchObject({ value: { total: 7 } });
    await sleep(200);
    expect(await store.execute(total())).toEqual({ ok: true, value: { total: 5, servers: 1 } });
    const pttlMs = await raw.pttl('{ttl}:servers');
    expect(pttlMs).toBeGreaterThan(4_000);
    await store.execute(publish('c', 1, 100));
    await store.execute({ opId: ++opId, kind: 'kv.remove', serverId: 'b', timeoutMs: 1_000 });
    await sleep(150);
    expect(await store.execute(total())).toEqual({ ok: true, value: { total: 0, servers: 0 } });
  });

  test('the stored entry carries Redis TIME + ttl, whatever the caller clock says', async () => {
    const store = new RedisRegistry(connection.client, 'clock', () => 0);
    const [seconds] = await raw.time();
    await store.execute(publish('a', 1, 1_000));
    const expiresAtMs = Number(await raw.zscore('{clock}:expiry', 'a'));
    expect(expiresAtMs - Number(seconds) * 1000).toBeGreaterThanOrEqual(1_000);
    expect(expiresAtMs - Number(seconds) * 1000).toBeLessThan(3_000);
  });

  test('a total costs one round trip with 100 servers registered', async () => {
    const store = new RedisRegistry(connection.client, 'trip', () => performance.now());
    for (let i = 0; i < 100; i += 1) await store.execute(publish(`s${i}`, i));
    const monitor = await raw.duplicate().monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(String(args[0]).toLowerCase()));
    await sleep(20);
    expect(await store.execute(total())).toEqual({ ok: true, value: { total: 4_950, servers: 100 } });
    await sleep(50);
    monitor.disconnect();
    // MONITOR lists a script's inner calls too; the client itself sent exactly one command.
    expect(commands.filter((name) => name === 'evalsha' || name === 'eval')).toHaveLength(1);
  });

  test('a stopped Redis turns calls into HC_KV_UNAVAILABLE at once, and a frozen one into HC_KV_TIMEOUT within timeoutMs', async () => {
    const own = await startRedisServer();
    const conn = connectRedis(own.url);
    try {
      await conn.waitReady(2_000);
      const store = new RedisRegistry(conn.client, 'down', () => performance.now());
      own.pause();
      const startedAtMs = performance.now();
      const frozen = await store.execute({ opId: ++opId, kind: 'kv.total', timeoutMs: 100 });
      expect(frozen).toEqual({
        ok: false,
        error: { code: 'HC_KV_TIMEOUT', definite: false, timeoutMs: 100 },
      });
      expect(performance.now() - startedAtMs).toBeLessThan(1_000);
      own.resume();
      await own.kill();
      await sleep(50);
      const down = await store.execute(total());
      expect(down).toMatchObject({ ok: false, error: { definite: true, code: 'HC_KV_UNAVAILABLE' } });
    } finally {
      await conn.close();
      await own.kill();
    }
  });
});
