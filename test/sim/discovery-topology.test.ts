/**
 * Discovery behind a load balancer, in the simulator (the same `DiscoveryCore` and server backend
 * the service runs). Per-instance registration (every server registers with every instance, the
 * README's topology) never gives a wrong WHO, whatever the seed, fleet size or instance crash;
 * servers given only a balancer's address (each pinned to one instance) do, as soon as the fleet
 * spans both instances.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { SimConfigInput } from '../../experiment/config.ts';
import { runSimulation } from '../../sim/run.ts';

function configOf(
  topology: 'per-instance' | 'behind-lb',
  seed: number,
  servers: number,
  crashAtMs: number,
): SimConfigInput {
  return {
    seed,
    durationMs: 30_000,
    cluster: {
      mode: 'c',
      servers,
      leaseMs: 3_000,
      fanoutTimeoutMs: 500,
      discoveryInstances: 2,
      discoveryTopology: topology,
    },
    workload: {
      arrivalRatePerSec: 3,
      sessionLength: { kind: 'exponential', meanMs: 20_000 },
      initialClients: 60,
      whoRatePerSec: 20,
    },
    faults: {
      schedule: [{ atMs: crashAtMs, kind: 'discovery-crash', target: 'discovery-0', durationMs: 5_000 }],
      healAtMs: 25_000,
    },
  };
}

const seedArbitrary = fc.integer({ min: 1, max: 2 ** 31 });
const crashArbitrary = fc.integer({ min: 2_000, max: 18_000 });

describe('discovery topology in the simulator', () => {
  test('per-instance registration never answers a WHO with a wrong number', () => {
    fc.assert(
      fc.property(
        seedArbitrary,
        fc.integer({ min: 1, max: 6 }),
        crashArbitrary,
        (seed, servers, crashAtMs) => {
          const result = runSimulation(configOf('per-instance', seed, servers, crashAtMs));
          expect(result.who.answered).toBeGreaterThan(0);
          expect(result.who.wrong).toBe(0);
        },
      ),
      { numRuns: 8 },
    );
  });

  test('servers behind a balancer in front of two instances answer WHOs with wrong numbers', () => {
    fc.assert(
      fc.property(
        seedArbitrary,
        fc.integer({ min: 2, max: 6 }),
        crashArbitrary,
        (seed, servers, crashAtMs) => {
          const result = runSimulation(configOf('behind-lb', seed, servers, crashAtMs));
          expect(result.who.wrong).toBeGreaterThan(0);
        },
      ),
      { numRuns: 8 },
    );
  });

  test('the default topology is per-instance', () => {
    const result = runSimulation({ cluster: { mode: 'c' }, durationMs: 1_000 });
    expect(result.config.discoveryTopology).toBe('per-instance');
  });
});
