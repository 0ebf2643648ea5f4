/**
 * The contract between the simulated Redis (sim/sim-redis.ts) and the real one: the SAME table of
 * cases runs against `SimRedis` on a virtual clock and against the real Lua registry
 * (impl/adapters/redis) on a real redis-server started here on a free port, and each step must
 * observe the same thing on both. Expiry is judged by the store's clock (virtual time, or the
 * real server's `TIME`), writes are counted the same way (the simulator's `writes`, the real
 * server's `INFO commandstats` as the lab reads it), a graceful stop deletes its entry, and a
 * restart comes back empty.
 *
 * Timing on the real side: TTLs are 1 s and the checks sit well inside or well past them (a
 * check right after a publish, or 1.6 s later), so a loaded machine cannot flip a verdict.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectRedis, type RedisConnection } from '../../impl/adapters/redis/connect.ts';
import { RedisRegistry } from '../../impl/adapters/redis/registry-store.ts';
import type { KvTotal, ModeAEffect } from '../../impl/core/mode-a/effects.ts';
import { redisCommandStats } from '../../lab/cluster/redis-stats.ts';
import { type RedisServer, startRedisServer } from '../../lab/redis/index.ts';
import { SimRedis } from '../../sim/sim-redis.ts';

type Step =
  | { afterMs?: number; op: 'publish'; serverId: string; count: number; ttlMs?: number }
  | { afterMs?: number; op: 'remove'; serverId: string }
  | { afterMs?: number; op: 'total'; expect: KvTotal }
  | { afterMs?: number; op: 'restart' }
  | { afterMs?: number; op: 'writes'; expect: number };

interface ContractCase {
  name: string;
  steps: Step[];
}

const ttlMs = 1_000;
/** Comfortably past the TTL, even on a loaded machine's timers. */
const pastTtlMs = 1_600;

const cases: ContractCase[] = [
  {
    name: 'publishes of different servers sum, and a republish replaces the entry rather than adding to it',
    steps: [
      { op: 'publish', serverId: 'a', count: 3 },
      { op: 'publish', serverId: 'b', count: 4 },
      { op: 'total', expect: { total: 7, servers: 2 } },
      { op: 'publish', serverId: 'a', count: 10 },
      { op: 'total', expect: { total: 14, servers: 2 } },
    ],
  },
  {
    name: "an entry stops counting once its TTL has passed on the store's clock, and a republish keeps it alive",
    steps: [
      { op: 'publish', serverId: 'a', count: 2 },
      { op: 'publish', serverId: 'b', count: 5, ttlMs: 60_000 },
      { op: 'total', expect: { total: 7, servers: 2 } },
      { afterMs: pastTtlMs, op: 'total', expect: { total: 5, servers: 1 } },
      { op: 'publish', serverId: 'a', count: 1 },
      { op: 'total', expect: { total: 6, servers: 2 } },
    ],
  },
  {
    name: 'a graceful stop deletes its entry at once, and deleting an absent entry is fine',
    steps: [
      { op: 'publish', serverId: 'a', count: 3, ttlMs: 60_000 },
      { op: 'publish', serverId: 'b', count: 4, ttlMs: 60_000 },
      { op: 'remove', serverId: 'a' },
      { op: 'total', expect: { total: 4, servers: 1 } },
      { op: 'remove', serverId: 'never-there' },
      { op: 'total', expect: { total: 4, servers: 1 } },
    ],
  },
  {
    name: 'every publish is one write and reads and removes are none, counted the same way on both',
    steps: [
      { op: 'publish', serverId: 'a', count: 1, ttlMs: 60_000 },
      { op: 'publish', serverId: 'a', count: 2, ttlMs: 60_000 },
      { op: 'publish', serverId: 'b', count: 2, ttlMs: 60_000 },
      { op: 'total', expect: { total: 4, servers: 2 } },
      { op: 'remove', serverId: 'b' },
      { op: 'writes', expect: 3 },
    ],
  },
  {
    name: 'a restart comes back empty, and the next publish counts again',
    steps: [
      { op: 'publish', serverId: 'a', count: 3, ttlMs: 60_000 },
      { op: 'restart' },
      { op: 'total', expect: { total: 0, servers: 0 } },
      { op: 'publish', serverId: 'a', count: 2, ttlMs: 60_000 },
      { op: 'total', expect: { total: 2, servers: 1 } },
    ],
  },
];

/** One store under test: runs a step, returns what it observed. */
interface Store {
  run(step: Step): Promise<KvTotal | number | undefined>;
}

let opId = 0;
const effectOf = (step: Step): ModeAEffect => {
  opId += 1;
  switch (step.op) {
    case 'publish':
      return {
        opId,
        kind: 'kv.publish',
        serverId: step.serverId,
        count: step.count,
        ttlMs: step.ttlMs ?? ttlMs,
        timeoutMs: 2_000,
      };
    case 'remove':
      return { opId, kind: 'kv.remove', serverId: step.serverId, timeoutMs: 2_000 };
    default:
      return { opId, kind: 'kv.total', timeoutMs: 2_000 };
  }
};

function simStore(): Store {
  const redis = new SimRedis();
  let nowMs = 0;
  return {
    run: async (step) => {
      nowMs += step.afterMs ?? 0;
      if (step.op === 'restart') {
        redis.flush();
        return undefined;
      }
      if (step.op === 'writes') return redis.writes;
      return redis.execute(effectOf(step), nowMs);
    },
  };
}

let server: RedisServer;
let connection: RedisConnection;
let prefixCounter = 0;

function realStore(): Store {
  const registry = new RedisRegistry(connection.client, `contract${prefixCounter++}`, () =>
    performance.now(),
  );
  let writesAtStart: number | undefined;
  const writes = async () => (await redisCommandStats(server.url))?.writes ?? Number.NaN;
  return {
    run: async (step) => {
      writesAtStart ??= await writes();
      if ((step.afterMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, step.afterMs));
      if (step.op === 'restart') {
        await server.kill();
        await server.restart();
        await connection.waitReady(5_000);
        writesAtStart = 0;
        return undefined;
      }
      if (step.op === 'writes') return (await writes()) - writesAtStart;
      const result = await registry.execute(effectOf(step));
      if (!result.ok) throw new Error(`${step.op}: ${JSON.stringify(result.error)}`);
      return result.value as KvTotal | undefined;
    },
  };
}

async function observe(store: Store, steps: Step[]): Promise<unknown[]> {
  const seen: unknown[] = [];
  for (const step of steps) {
    const value = await store.run(step);
    if (step.op === 'total' || step.op === 'writes') seen.push(value);
  }
  return seen;
}

const expected = (steps: Step[]): unknown[] =>
  steps.flatMap((step) => (step.op === 'total' || step.op === 'writes' ? [step.expect] : []));

beforeAll(async () => {
  server = await startRedisServer();
  connection = connectRedis(server.url);
  await connection.waitReady(5_000);
});

afterAll(async () => {
  await connection?.close();
  await server?.kill();
});

describe('the simulated Redis and the real Lua registry keep the same contract', () => {
  for (const contractCase of cases) {
    test(contractCase.name, async () => {
      const simSeen = await observe(simStore(), contractCase.steps);
      const realSeen = await observe(realStore(), contractCase.steps);
      expect(simSeen).toEqual(expected(contractCase.steps));
      expect(realSeen).toEqual(simSeen);
    }, 20_000);
  }
});
