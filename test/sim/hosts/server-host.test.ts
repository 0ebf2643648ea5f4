/**
 * Timer phase (sim/hosts/server-host.ts): a real server's lease renewal (mode C) and heartbeat
 * (mode A) run from when its process came up, so a fleet's timers fall anywhere in one period;
 * booted at one instant, simulated servers would run them in lockstep. Method: run a world with
 * no clients for a little over one period, watch the effects each server sends (registrations
 * with discovery instance 0, publishes to Redis), and read the first one after the boot's.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { resolveSimConfig } from '../../../experiment/config.ts';
import { timerPeriodMs } from '../../../sim/backends.ts';
import { World } from '../../../sim/world.ts';

const servers = 4;

/** Each server's effect times (true ms) in a quiet run of `durationMs`. */
function timerFirings(mode: 'a' | 'c', seed: number): { periodMs: number; firingsMs: number[][] } {
  const config = resolveSimConfig({
    seed,
    durationMs: 2_000,
    cluster: { mode, servers, discoveryInstances: 3, leaseMs: 3_000, heartbeatMs: 1_000 },
    workload: { initialClients: 0, arrivalRatePerSec: 0, whoRatePerSec: 0 },
  });
  const world = new World(config);
  const firingsMs: number[][] = Array.from({ length: servers }, () => []);
  const watch = (server: { index: number }, effect: { kind: string; instanceIndex?: number }) => {
    const renewal = effect.kind === 'discovery.register' && effect.instanceIndex === 0;
    if (renewal || effect.kind === 'kv.publish') firingsMs[server.index]!.push(world.scheduler.nowMs);
  };
  const host = (mode === 'c' ? world.discoveryHost : world.redisHost) as unknown as {
    execute(server: unknown, effect: unknown): void;
  };
  const execute = host.execute.bind(host);
  host.execute = (server, effect) => {
    watch(server as { index: number }, effect as { kind: string });
    execute(server, effect);
  };
  world.run();
  return { periodMs: timerPeriodMs(config.cluster), firingsMs };
}

/** When each server's timer first fired after its boot's registration or publish at t = 0. */
function firstFiringsMs(mode: 'a' | 'c', seed: number): number[] {
  const { firingsMs } = timerFirings(mode, seed);
  return firingsMs.map((each) => {
    expect(each[0]).toBe(0);
    return each[1]!;
  });
}

describe('sim server host: timer phase', () => {
  for (const mode of ['c', 'a'] as const) {
    test(`mode ${mode}: each server's first renewal lies within one period of its boot, and the next a period later`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
          const { periodMs, firingsMs } = timerFirings(mode, seed);
          for (const each of firingsMs) {
            // (0, period]: a phase shorter than the boot registration's round trip restarts
            // nothing (the registration is in flight), so the boot's own timer fires a period on,
            // which is the same phase modulo the period.
            expect(each[1]).toBeGreaterThanOrEqual(0);
            expect(each[1]).toBeLessThanOrEqual(periodMs);
            expect(each[2]! - each[1]!).toBeCloseTo(periodMs, 6);
          }
        }),
        { numRuns: 15 },
      );
    });
  }

  test('the same seed gives every server the same first renewal; different seeds give different ones', () => {
    expect(firstFiringsMs('c', 7)).toEqual(firstFiringsMs('c', 7));
    const bySeed = [7, 8, 9].map((seed) => firstFiringsMs('c', seed).join(','));
    expect(new Set(bySeed).size).toBe(3);
  });

  test('one seed spreads the servers over the period rather than one instant', () => {
    const firsts = firstFiringsMs('c', 7);
    expect(new Set(firsts).size).toBe(servers);
  });
});
