/**
 * The simulator's fault target, kind by kind: each fault of the table is carried out, marked on
 * the timeline at its instant, and healed exactly when the table says.
 */
import { describe, expect, it } from 'vitest';
import { resolveSimConfig } from '../../experiment/config.ts';
import {
  type FaultEvent,
  faultKinds,
  healAtMsOfFault,
  resolveFault,
} from '../../experiment/faults/fault-table.ts';
import { World } from '../../sim/world.ts';

const targets: Record<string, string> = {
  'redis-outage': 'redis',
  'redis-restart': 'redis',
  'discovery-crash': 'discovery-0',
  'latency-spike': 'all',
  'redis-failover': 'redis',
  'zone-outage': 'zone-1',
};

const sentinel = {
  topology: 'sentinel',
  downAfterMs: 2_000,
  electionMs: 1_000,
  replicationLagMs: 200,
} as const;

function runWith(mode: 'a' | 'c', fault: FaultEvent, zones = 1, discoveryInstances = 1): World {
  const world = new World(
    resolveSimConfig({
      seed: 3,
      durationMs: 30_000,
      cluster: {
        mode,
        servers: 3,
        zones,
        discoveryInstances,
        ...(fault.kind === 'redis-failover' ? { redis: sentinel } : {}),
      },
      workload: { initialClients: 30, arrivalRatePerSec: 5 },
      faults: { schedule: [fault] },
    }),
  );
  world.run();
  return world;
}

describe('the simulator applies every fault kind through its fault target', () => {
  for (const kind of faultKinds) {
    const mode = kind === 'discovery-crash' ? 'c' : 'a';
    it(`${kind} is marked at its instant and heals when the fault table says`, () => {
      const fault: FaultEvent = {
        atMs: 5_000,
        kind,
        target: targets[kind] ?? 'server-1',
        durationMs: 4_000,
        ...(kind === 'clock-jump' ? { deltaMs: -2_000 } : {}),
      };
      const { history } = runWith(mode, fault);
      const applied = history.events.find((event) => event.kind === kind);
      expect(applied?.atMs).toBe(5_000);
      const heal = history.events.find((event) => event.kind === 'heal' && event.detail === kind);
      expect(heal?.atMs).toBe(healAtMsOfFault(resolveFault(fault)));
    });
  }

  it('a crash takes the server down until its heal boots it again with a new id', () => {
    const world = runWith('a', { atMs: 5_000, kind: 'crash', target: 'server-1', durationMs: 4_000 });
    const boots = world.history.boots.filter((boot) => boot.serverIndex === 1);
    expect(boots.map((boot) => boot.atMs)).toEqual([0, 9_000]);
    expect(boots[0]!.id).not.toBe(boots[1]!.id);
  });

  it('a Redis failover promotes the replica after down-after plus the election, and every server writes to it', () => {
    const world = runWith('a', { atMs: 5_000, kind: 'redis-failover', target: 'redis', durationMs: 10_000 });
    const [failover] = world.history.failovers ?? [];
    expect(failover?.promotedAtMs).toBe(5_000 + sentinel.downAfterMs + sentinel.electionMs);
    expect(failover?.serversLive).toBe(3);
    const writes = failover!.firstWriteAtMs.filter((atMs) => atMs !== undefined);
    expect(writes).toHaveLength(3);
    // Each server reconnects on the client's schedule, then writes within a heartbeat.
    for (const atMs of writes) expect(atMs!).toBeGreaterThan(failover!.promotedAtMs!);
    for (const atMs of writes) expect(atMs!).toBeLessThan(failover!.promotedAtMs! + 2_000 + 1_000);
    // The old primary returned as a replica: the new primary replicates to it again.
    expect(world.redisHost.replica).toBeDefined();
  });

  it('a Redis failover with a single Redis does nothing: no replica to promote, nothing to heal', () => {
    const world = new World(
      resolveSimConfig({
        seed: 3,
        durationMs: 20_000,
        cluster: { mode: 'a', servers: 3 },
        workload: { initialClients: 30 },
        faults: { schedule: [{ atMs: 5_000, kind: 'redis-failover', target: 'redis', durationMs: 4_000 }] },
      }),
    );
    world.run();
    expect(world.history.failovers).toBeUndefined();
    expect(world.history.events.some((event) => event.kind === 'heal')).toBe(false);
  });

  it('a crash without a duration stays down: nothing heals and the server never boots again', () => {
    const world = runWith('a', { atMs: 5_000, kind: 'crash', target: 'server-1' });
    expect(world.history.events.some((event) => event.kind === 'heal')).toBe(false);
    expect(world.history.boots.filter((boot) => boot.serverIndex === 1)).toHaveLength(1);
  });

  it('a zone crash takes every server of the zone down at one instant and boots them all at its heal', () => {
    // Six servers over three zones: zone-1 holds server-1 and server-4.
    const world = new World(
      resolveSimConfig({
        seed: 3,
        durationMs: 30_000,
        cluster: { mode: 'a', servers: 6, zones: 3 },
        workload: { initialClients: 60, arrivalRatePerSec: 5 },
        faults: { schedule: [{ atMs: 5_000, kind: 'zone-outage', target: 'zone-1', durationMs: 4_000 }] },
      }),
    );
    world.run();
    const bootsOf = (index: number) =>
      world.history.boots.filter((boot) => boot.serverIndex === index).map((boot) => boot.atMs);
    expect(bootsOf(1)).toEqual([0, 9_000]);
    expect(bootsOf(4)).toEqual([0, 9_000]);
    for (const survivor of [0, 2, 3, 5]) expect(bootsOf(survivor)).toEqual([0]);
    const during = world.history.sampleTMs.findIndex((atMs) => atMs > 5_000 && atMs < 9_000);
    const sample = world.history.samplePerServer[during]!;
    expect([sample[1], sample[4]]).toEqual([-1, -1]);
  });

  it("a zone crash in mode C crashes the zone's discovery instance with its servers", () => {
    const world = runWith(
      'c',
      { atMs: 5_000, kind: 'zone-outage', target: 'zone-1', durationMs: 4_000 },
      3,
      3,
    );
    expect(world.discoveryHost.nodes.map((node) => node.epoch)).toEqual([1, 3, 1]);
  });

  it('a zone partition cuts the zone from its clients and from the nodes outside it, and heals them all', () => {
    // Mode C, three instances over three zones: zone-1 holds server-1 and discovery-1.
    const world = runWith(
      'c',
      { atMs: 5_000, kind: 'zone-outage', target: 'zone-1', outage: 'partition', durationMs: 4_000 },
      3,
      3,
    );
    const { network } = world;
    expect(network.reachableByClients(1)).toBe(true);
    const cut = new World(
      resolveSimConfig({ cluster: { mode: 'c', servers: 3, zones: 3, discoveryInstances: 3 } }),
    );
    const heal = cut.faults['zone-outage'](
      resolveFault({ atMs: 0, kind: 'zone-outage', target: 'zone-1', outage: 'partition' }),
    )!;
    expect([0, 1, 2].map((index) => cut.network.reachableByClients(index))).toEqual([true, false, true]);
    expect(cut.network.discoveryPairCut(1, 0)).toBe(true);
    expect(cut.network.discoveryPairCut(0, 1)).toBe(true);
    expect(cut.network.discoveryPairCut(1, 1)).toBe(false);
    expect(cut.network.discoveryPairCut(0, 2)).toBe(false);
    heal(0);
    expect(cut.network.reachableByClients(1)).toBe(true);
    expect(cut.network.discoveryPairCut(1, 0)).toBe(false);
    expect(world.history.boots).toHaveLength(3);
  });
});
