/**
 * The world's own bookkeeping (sim/world.ts), beyond what the properties judge: here, that a
 * server's clock offset cannot trap a backend deadline in a same-instant loop.
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
