/**
 * Discovery behind a load balancer, on real sockets: two real discovery instances, real servers
 * on loopback free ports, real HAProxy, clients connecting and leaving and asking WHO, and one
 * instance crashing for a while. In the topology the README recommends (each server registers
 * with every instance; clients reach the servers through HAProxy) no WHO is ever answered with a
 * number outside the truth: refusals are allowed, wrong numbers are not. Servers given only the
 * address of an HAProxy in front of the instances (the design's first drawing) do give wrong
 * numbers: a registration lands on one instance, and a count there misses the others' members.
 */
import { describe, expect, test } from 'vitest';
import type { RunSpec } from '../../experiment/run-spec.ts';
import { runReal } from '../../lab/engine.ts';

function specOf(topology: 'per-instance' | 'behind-lb'): RunSpec {
  return {
    engine: 'real',
    scenario: 'discovery-topology',
    file: 'discovery-topology.yaml',
    runId: `discovery-topology/topology=${topology}/seed-0`,
    seed: 7,
    params: { mode: 'c', topology },
    timeScale: 0.1,
    config: {
      durationMs: 30_000,
      cluster: {
        mode: 'c',
        servers: 4,
        heartbeatMs: 1_000,
        leaseMs: 3_000,
        fanoutTimeoutMs: 500,
        discoveryInstances: 2,
        discoveryTopology: topology,
      },
      workload: {
        arrivalRatePerSec: 3,
        sessionLength: { kind: 'exponential', meanMs: 20_000 },
        initialClients: 80,
        reconnect: true,
        whoRatePerSec: 20,
      },
      faults: {
        schedule: [{ atMs: 10_000, kind: 'discovery-crash', target: 'discovery-0', durationMs: 6_000 }],
        healAtMs: 22_000,
      },
    },
  };
}

describe('discovery topology on real sockets', () => {
  test('with every server registered at every instance, no WHO is ever a wrong number', async () => {
    const result = await runReal(specOf('per-instance'));
    const who = result.who;
    expect(who.answered).toBeGreaterThan(50);
    expect(who.wrong).toBe(0);
    expect(result.checks.filter((check) => !check.ok)).toEqual([]);
  }, 60_000);

  test('with servers given only the address of HAProxy in front of the instances, wrong numbers occur', async () => {
    const result = await runReal(specOf('behind-lb'));
    const who = result.who;
    expect(who.answered).toBeGreaterThan(50);
    process.stdout.write(
      `behind-lb (REAL): ${who.wrong} of ${who.answered} answered WHOs wrong (${who.asked} asked)\n`,
    );
    expect(who.wrong).toBeGreaterThan(0);
  }, 60_000);
});
