/**
 * The contract between the simulator's failover model (sim/hosts/redis-host.ts) and a real
 * Sentinel-managed Redis (lab/redis/redis-sentinel.ts: a primary, a replica trailing it through
 * the lag relay, three Sentinels): the SAME table of cases runs on both, each a few publishes at
 * stated times before the primary dies, and both must promote the replica and leave the same
 * registry on the new primary (the same entries lost).
 *
 * Timing on the real side: the lag is 400 ms and every publish is either right before the death
 * (well inside the lag window) or 1.2 s before it (well outside), so a loaded machine cannot move
 * a write across the edge. Entries live a minute, so none expires while Sentinel promotes.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { resolveSimConfig } from '../../experiment/config.ts';
import { emptyHistory } from '../../experiment/history.ts';
import { RandomStreams } from '../../experiment/rng.ts';
import { connectRedis, type RedisConnection } from '../../impl/adapters/redis/connect.ts';
import { RedisRegistry } from '../../impl/adapters/redis/registry-store.ts';
import type { ModeAEffect } from '../../impl/core/mode-a/effects.ts';
import { LabTime } from '../../lab/cluster/lab-time.ts';
import { failPrimary } from '../../lab/cluster/redis-failover.ts';
import { liveCounts, readRegistry } from '../../lab/cluster/registry-snapshot.ts';
import { type SentinelGroup, startSentinelGroup } from '../../lab/redis/index.ts';
import { RedisHost } from '../../sim/hosts/redis-host.ts';
import { SimNetwork } from '../../sim/network.ts';
import { Scheduler } from '../../sim/scheduler.ts';
import { SimServer } from '../../sim/server-node.ts';

const lagMs = 400;
/** Well outside the lag window. */
const beforeLagMs = 1_200;
const entryTtlMs = 60_000;

interface Publish {
  /** How long before the primary's death the publish runs. */
  beforeDeathMs: number;
  serverId: string;
  count: number;
}

interface FailoverCase {
  name: string;
  publishes: Publish[];
  /** The new primary's live entries after the promotion. */
  expectAfter: Record<string, number>;
  entriesLost: number;
}

const cases: FailoverCase[] = [
  {
    name: 'writes replicated before the death survive the promotion',
    publishes: [
      { beforeDeathMs: beforeLagMs, serverId: 'a', count: 3 },
      { beforeDeathMs: beforeLagMs, serverId: 'b', count: 4 },
    ],
    expectAfter: { a: 3, b: 4 },
    entriesLost: 0,
  },
  {
    name: 'a write in the last lag window is lost: the promoted replica holds the value before it',
    publishes: [
      { beforeDeathMs: beforeLagMs, serverId: 'a', count: 3 },
      { beforeDeathMs: 0, serverId: 'a', count: 7 },
    ],
    expectAfter: { a: 3 },
    entriesLost: 1,
  },
  {
    name: 'a first registration in the last lag window is lost entirely',
    publishes: [
      { beforeDeathMs: beforeLagMs, serverId: 'a', count: 3 },
      { beforeDeathMs: 0, serverId: 'b', count: 4 },
    ],
    expectAfter: { a: 3 },
    entriesLost: 1,
  },
];

const publishOf = (publish: Publish, opId: number): ModeAEffect => ({
  opId,
  kind: 'kv.publish',
  serverId: publish.serverId,
  count: publish.count,
  ttlMs: entryTtlMs,
  timeoutMs: 1_000,
});

/** The simulator: the same publishes on a virtual clock, the death at 10 s. */
function simulate(failoverCase: FailoverCase): { after: Record<string, number>; entriesLost: number } {
  const config = resolveSimConfig({
    cluster: {
      redis: { topology: 'sentinel', replicationLagMs: lagMs, downAfterMs: 100, electionMs: 1_000 },
    },
    network: { redis: { latency: { baseMs: 0, jitterMs: 0 } }, redisOpMs: 0 },
  });
  const scheduler = new Scheduler(1_000_000);
  const network = new SimNetwork(config.network, new RandomStreams(1).stream('network'));
  const history = emptyHistory(60_000);
  const host = new RedisHost(scheduler, network, () => {}, config.cluster.redis, history);
  const server = new SimServer(0, 0);
  const deathAtMs = 10_000;
  failoverCase.publishes.forEach((publish, index) => {
    scheduler.at(deathAtMs - publish.beforeDeathMs - 1, () =>
      host.execute(server, publishOf(publish, index)),
    );
  });
  scheduler.at(deathAtMs, (nowMs) => host.failover(nowMs, [server]));
  scheduler.run(20_000);
  expect(history.failovers?.[0]?.promotedAtMs).toBe(deathAtMs + 1_100);
  return {
    after: Object.fromEntries(host.redis.liveEntries(20_000)),
    entriesLost: history.failovers![0]!.entriesLost,
  };
}

let group: SentinelGroup | undefined;
let connection: RedisConnection | undefined;

afterEach(async () => {
  await connection?.close();
  await group?.close();
  connection = undefined;
  group = undefined;
});

/** The real Redis: the same publishes through the real registry scripts, then a real failover. */
async function runReal(
  failoverCase: FailoverCase,
): Promise<{ after: Record<string, number>; entriesLost: number }> {
  group = await startSentinelGroup({ downAfterMs: 100, replicationLagMs: lagMs });
  connection = connectRedis(group.primary.url);
  expect(await connection.waitReady(5_000)).toBe(true);
  const prefix = 'contract';
  const registry = new RedisRegistry(connection.client, prefix, () => Date.now());
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const ordered = [...failoverCase.publishes].sort((x, y) => y.beforeDeathMs - x.beforeDeathMs);
  let elapsedMs = 0;
  const firstAtMs = ordered[0]!.beforeDeathMs;
  for (const [index, publish] of ordered.entries()) {
    await sleep(firstAtMs - publish.beforeDeathMs - elapsedMs);
    elapsedMs = firstAtMs - publish.beforeDeathMs;
    const result = await registry.execute(publishOf(publish, index));
    expect(result.ok).toBe(true);
  }
  await sleep(ordered.at(-1)!.beforeDeathMs);
  const record = await failPrimary({
    group,
    prefix,
    time: new LabTime(1),
    serversUp: [],
    ttlRealMs: entryTtlMs,
    serverIndexOf: () => undefined,
    onPromoted: async () => {},
    stopped: () => false,
  });
  const deadlineMs = Date.now() + 15_000;
  while (record.promotedAtMs === undefined && Date.now() < deadlineMs) await sleep(20);
  expect(record.promotedAtMs).toBeDefined();
  const snapshot = await readRegistry(group.primary.url, prefix);
  return { after: Object.fromEntries(liveCounts(snapshot!)), entriesLost: record.entriesLost };
}

describe('the failover model and a real Sentinel failover lose the same writes', () => {
  for (const failoverCase of cases) {
    test(failoverCase.name, async () => {
      const sim = simulate(failoverCase);
      expect(sim.after).toEqual(failoverCase.expectAfter);
      expect(sim.entriesLost).toBe(failoverCase.entriesLost);
      const real = await runReal(failoverCase);
      expect(real.after).toEqual(failoverCase.expectAfter);
      expect(real.entriesLost).toBe(failoverCase.entriesLost);
    }, 30_000);
  }
});
