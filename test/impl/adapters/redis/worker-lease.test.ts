/**
 * Snowflake worker ids leased from a real Redis: servers leasing at the same moment, even from
 * the same starting id, never get the same id; a lease taken over by someone else, or not renewed
 * in time, stops id issuance with a clear error.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectRedis, type RedisConnection } from '../../../../impl/adapters/redis/connect.ts';
import { WorkerLease } from '../../../../impl/adapters/redis/worker-lease.ts';
import { parseSnowflake } from '../../../../impl/core/ids/snowflake.ts';
import { type RedisServer, startRedisServer } from '../../../../lab/redis/index.ts';

let redis: RedisServer;
const connections: RedisConnection[] = [];
const clock = { nowMs: () => performance.now() };

async function connect(): Promise<RedisConnection> {
  const connection = connectRedis(redis.url);
  connections.push(connection);
  await connection.waitReady(2_000);
  return connection;
}

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  for (const connection of connections) await connection.close();
  await redis.kill();
});

describe('mode A: snowflake worker id lease', () => {
  test('two servers leasing at once, from the same starting id, never get the same worker id', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    for (let round = 0; round < 10; round += 1) {
      const prefix = `race${round}`;
      const [first, second] = await Promise.all([
        WorkerLease.acquire(a!.client, { prefix, clock, startId: 7 }),
        WorkerLease.acquire(b!.client, { prefix, clock, startId: 7 }),
      ]);
      if (!first.ok || !second.ok) throw new Error('lease failed');
      expect(first.value.workerId).not.toBe(second.value.workerId);
      const id = first.value.nextId(Date.now());
      expect(id.ok && parseSnowflake(id.value).workerId).toBe(first.value.workerId);
      await first.value.release();
      await second.value.release();
    }
  });

  test('a released lease frees its id for the next server', async () => {
    const a = await connect();
    const first = await WorkerLease.acquire(a.client, { prefix: 'free', clock, startId: 3 });
    if (!first.ok) throw new Error('lease failed');
    await first.value.release();
    const second = await WorkerLease.acquire(a.client, { prefix: 'free', clock, startId: 3 });
    expect(second.ok && second.value.workerId).toBe(3);
    if (second.ok) await second.value.release();
  });

  test('a lease taken over by someone else stops id issuance with HC_WORKER_LEASE_LOST', async () => {
    const a = await connect();
    const lost: string[] = [];
    const lease = await WorkerLease.acquire(a.client, {
      prefix: 'steal',
      clock,
      startId: 5,
      onLost: (m) => lost.push(m),
    });
    if (!lease.ok) throw new Error('lease failed');
    const raw = new Redis(redis.url);
    await raw.set('{steal}:worker:5', 'someone-else');
    raw.disconnect();
    await lease.value.renew();
    const id = lease.value.nextId(Date.now());
    expect(id).toMatchObject({ ok: false, error: { code: 'HC_WORKER_LEASE_LOST' } });
    expect(lost[0]).toMatch(/held by someone else; id issuance stopped/);
  });

  test('a lease not renewed within leaseMs (Redis unreachable) stops id issuance', async () => {
    const own = await startRedisServer();
    const connection = connectRedis(own.url);
    connections.push(connection);
    await connection.waitReady(2_000);
    let nowMs = 0;
    const lease = await WorkerLease.acquire(connection.client, {
      prefix: 'late',
      clock: { nowMs: () => nowMs },
      leaseMs: 1_000,
    });
    if (!lease.ok) throw new Error('lease failed');
    await own.kill();
    nowMs = 999;
    await lease.value.renew();
    expect(lease.value.nextId(Date.now()).ok).toBe(true);
    nowMs = 1_000;
    expect(lease.value.nextId(Date.now())).toMatchObject({
      ok: false,
      error: { code: 'HC_WORKER_LEASE_LOST' },
    });
  });
});
