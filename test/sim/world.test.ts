/**
 * The world's own bookkeeping (sim/world.ts), beyond what the properties judge: that a server's
 * clock offset cannot trap a backend deadline in a same-instant loop, and that a WHO the network
 * lost is given up when its connection ends, as a real client gives it up (the lab's client pool
 * abandons what it awaits on a closed connection; test/scenarios/fault-contract.test.ts holds the
 * zone partition to no WHO timeout on both engines).
 */
import { describe, expect, test } from 'vitest';
import { resolveSimConfig } from '../../experiment/config.ts';
import { World } from '../../sim/world.ts';

describe('sim world', () => {
  test('a backend deadline that rounds one ulp early through a clock offset still fires, so the run ends', () => {
    // Found by a golden run: (deadlineMs - offsetMs) + offsetMs fell below deadlineMs at about
    // 32.7 s, the backend saw itself not yet due and re-armed at the same instant forever.
    const config = resolveSimConfig({
      scenario: 'offset-rounding',
      seed: 3,
      durationMs: 40_000,
      stepsMax: 1_000_000,
      cluster: {
        mode: 'a',
        servers: 4,
        heartbeatMs: 500,
        ttlMs: 2_000,
        idleTimeoutMs: 3_000,
        connectionAgeMsMax: 15_000,
        clockOffsetMsMax: 200,
        publishDelayMs: 50,
        whoCacheMs: 100,
        idStrategy: 'uuidv7',
      },
      workload: {
        arrivalRatePerSec: 30,
        initialClients: 100,
        whoRatePerSec: 40,
        loadBalancer: 'least-connections',
        sessionLength: { kind: 'lognormal', medianMs: 5_000, sigma: 1 },
      },
      network: {
        clients: {
          latency: { baseMs: 2, jitterMs: 3, jitter: 'exponential' },
          lossProbability: { numerator: 1, denominator: 20 },
        },
        redis: {
          latency: { baseMs: 1, jitterMs: 1, jitter: 'uniform' },
          lossProbability: { numerator: 1, denominator: 50 },
        },
      },
      faults: {
        schedule: [
          { atMs: 5_000, kind: 'crash', target: 'server-1', durationMs: 3_000 },
          { atMs: 9_000, kind: 'stop', target: 'server-2', durationMs: 4_000 },
          { atMs: 14_000, kind: 'restart', target: 'server-3', durationMs: 1_000 },
          {
            atMs: 20_000,
            kind: 'partition',
            target: 'server-0',
            peer: 'redis',
            direction: 'both',
            durationMs: 6_000,
          },
          { atMs: 30_000, kind: 'redis-outage', target: 'redis', durationMs: 2_000 },
        ],
      },
    });
    const world = new World(config);
    world.run();
    expect(world.scheduler.stepsExhausted).toBe(false);
    expect(world.scheduler.nowMs).toBe(40_000);
  });

  test('a WHO lost on a cut link is abandoned when the fence closes its connection, not left to time out', () => {
    // Zone-1's server is cut from its clients and fences itself a lease later (2 s), well inside
    // the WHO timeout (5 s): every WHO asked of it in between was lost, and its connection closed.
    const world = new World(
      resolveSimConfig({
        seed: 11,
        durationMs: 20_000,
        cluster: { mode: 'c', servers: 3, discoveryInstances: 3, zones: 3, leaseMs: 2_000, heartbeatMs: 500 },
        workload: { initialClients: 60, whoRatePerSec: 20, whoTimeoutMs: 5_000 },
        faults: {
          schedule: [
            { atMs: 5_000, kind: 'zone-outage', target: 'zone-1', outage: 'partition', durationMs: 6_000 },
          ],
        },
      }),
    );
    const history = world.run();
    const cutOff = history.who.filter(
      (record) => record.serverIndex === 1 && record.askedAtMs >= 5_000 && record.askedAtMs < 6_000,
    );
    expect(cutOff.length).toBeGreaterThan(0);
    expect(cutOff.map((record) => record.outcome)).toEqual(cutOff.map(() => 'abandoned'));
  });

  test('the shared components’ counters are read at every sample instant and only grow, ending at the run’s totals', () => {
    for (const mode of ['a', 'c'] as const) {
      const config = resolveSimConfig({
        scenario: 'counter-samples',
        seed: 5,
        durationMs: 20_000,
        cluster: { mode, servers: 3, heartbeatMs: 1_000, ttlMs: 5_000, discoveryInstances: 2 },
        workload: { arrivalRatePerSec: 5, initialClients: 30, whoRatePerSec: 10 },
        faults: { schedule: [{ atMs: 8_000, kind: 'crash', target: 'server-0' }] },
      });
      const history = new World(config).run();
      const samples = history.counterSamples!;
      expect(samples.tMs, mode).toEqual(history.sampleTMs);
      const counted = mode === 'a' ? samples.redisWrites : samples.broadcasts;
      expect(
        counted.every((value, k) => k === 0 || value >= counted[k - 1]!),
        mode,
      ).toBe(true);
      expect(counted.at(-1), mode).toBe(mode === 'a' ? history.redisWrites : history.broadcasts);
      expect(counted.at(-1), mode).toBeGreaterThan(0);
    }
  });
});
