/**
 * A zone outage on the real cluster has the effect the simulator gives it. Mode C, three servers
 * and three discovery instances over three zones (zone-k holds server-k and discovery-k), every
 * server's clients and discovery links through the fault proxy, real time unscaled.
 *
 * Method: the same fault is applied through the lab's fault target and in a simulated world of
 * the same layout, and each side is read the way a client sees it:
 * - partition: the zone's server stops answering its clients and is no target for new ones (the
 *   balancer's health check crosses the cut too); each instance's calls to the servers' `/count`
 *   across the cut time out (an instance outside the zone cannot count the zone's server, the
 *   zone's instance still can), so counts refuse at once; the survivors fence themselves (the
 *   cut-off instance times out, which excuses nothing), so they hold no clients; at the heal WHO
 *   answers again;
 * - crash: the zone's server and instance die at one instant; the survivors answer WHO again
 *   once they have been refused by the dead instance (it is provably down).
 * Waits are polls with generous bounds: two cores are shared by many processes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resolveSimConfig } from '../../../experiment/config.ts';
import type { FaultEvent } from '../../../experiment/faults/fault-table.ts';
import { resolveFault } from '../../../experiment/faults/fault-table.ts';
import { type Cluster, labToken, startCluster } from '../../../lab/cluster/cluster.ts';
import { type LabHeal, labFaultTarget } from '../../../lab/fault-target.ts';
import { World } from '../../../sim/world.ts';
import { connectLine } from '../../support/line-client.ts';

const leaseMs = 3_000;
let cluster: Cluster;

/** WHO on server `index` over a fresh connection each time, until `accept(line)`. */
async function whoUntil(index: number, accept: (line: string) => boolean, withinMs: number): Promise<string> {
  const startedAtMs = performance.now();
  let last = '';
  while (performance.now() - startedAtMs < withinMs) {
    const client = await connectLine(cluster.clientPort(index)).catch(() => undefined);
    if (client !== undefined) {
      last = await Promise.race([
        client.ask('WHO').catch((error: Error) => `closed: ${error.message}`),
        new Promise<string>((resolve) => setTimeout(() => resolve('no answer'), 1_500)),
      ]);
      client.close();
    } else last = 'refused';
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`WHO on server-${index} stayed ${JSON.stringify(last)} for ${withinMs} ms`);
}

/** What discovery instance `index` counts, asked on its own port (no proxy): counted and missing ids. */
async function countAt(index: number): Promise<{ counted: string[]; missing: string[] }> {
  const response = await fetch(`http://127.0.0.1:${cluster.discovery[index]!.port}/v1/count`, {
    method: 'POST',
    headers: { authorization: `Bearer ${labToken}` },
  });
  const body = (await response.json()) as {
    counts?: Record<string, number>;
    missing?: { serverId: string }[];
  };
  return {
    counted: Object.keys(body.counts ?? {}),
    missing: (body.missing ?? []).map((member) => member.serverId),
  };
}

/** The simulated fleet of the same layout, with `fault` at 5 s; its per-server samples. */
function simulate(fault: FaultEvent): World {
  const world = new World(
    resolveSimConfig({
      seed: 5,
      durationMs: 30_000,
      cluster: { mode: 'c', servers: 3, discoveryInstances: 3, zones: 3, leaseMs },
      workload: { initialClients: 30, arrivalRatePerSec: 2 },
      faults: { schedule: [fault] },
    }),
  );
  world.run();
  return world;
}

/** Connections per server at the last sample before `atMs` (-1 = down). */
function sampleBefore(world: World, atMs: number): number[] {
  const index = world.history.sampleTMs.findIndex((t) => t >= atMs) - 1;
  return world.history.samplePerServer[index]!;
}

beforeAll(async () => {
  cluster = await startCluster({
    mode: 'c',
    servers: 3,
    discoveryInstances: 3,
    zones: 3,
    proxy: { clients: true },
    timeScale: 1,
    discovery: { leaseMs, fanoutTimeoutMs: 1_000 },
    serverOptions: { discoveryTimeoutMs: 1_000 },
  });
  cluster.beginRun();
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

describe('lab cluster: a zone outage has the effect the simulator gives it', () => {
  test('a zone partition silences the zone and fences the survivors on both engines; the heal restores WHO', async () => {
    const fault: FaultEvent = { atMs: 5_000, kind: 'zone-outage', target: 'zone-1', outage: 'partition' };
    const sim = simulate({ ...fault, durationMs: 15_000 });
    expect(sampleBefore(sim, 15_000)).toEqual([0, expect.any(Number), 0]);
    expect(sampleBefore(sim, 30_000)[0]).toBeGreaterThan(0);

    expect(await whoUntil(0, (line) => /^\d+$/.test(line), 20_000)).toMatch(/^\d+$/);
    const heal = (await labFaultTarget(cluster)['zone-outage'](resolveFault(fault))) as LabHeal;
    const [s0, s1, s2] = cluster.servers.map((server) => server.serverId);
    expect(cluster.targets().map((target) => target.serverIndex)).not.toContain(1);
    // Asked at once, within the lease: discovery-0 cannot reach server-1, discovery-1 still can.
    const [outside, inside, cutOff] = await Promise.all([
      countAt(0),
      countAt(1),
      whoUntil(1, (line) => line === 'no answer', 5_000),
    ]);
    expect(outside.counted).not.toContain(s1);
    expect(inside.missing).not.toContain(s1);
    expect(inside.counted).not.toContain(s0);
    expect(inside.counted).not.toContain(s2);
    expect(cutOff).toBe('no answer');
    expect(await whoUntil(0, (line) => !/^\d+$/.test(line), 4 * leaseMs)).not.toMatch(/^\d+$/);
    await heal();
    expect(await whoUntil(0, (line) => /^\d+$/.test(line), 6 * leaseMs)).toMatch(/^\d+$/);
  }, 90_000);

  test('a zone crash kills its server and instance at once on both engines; the survivors answer again', async () => {
    const fault: FaultEvent = { atMs: 5_000, kind: 'zone-outage', target: 'zone-2', outage: 'crash' };
    const sim = simulate(fault);
    expect(sampleBefore(sim, 20_000)[2]).toBe(-1);
    expect(sim.discoveryHost.nodes[2]!.core).toBeUndefined();

    await labFaultTarget(cluster)['zone-outage'](resolveFault(fault));
    expect(cluster.servers[2]!.up).toBe(false);
    expect(await whoUntil(0, (line) => /^\d+$/.test(line), 6 * leaseMs)).toMatch(/^\d+$/);
  }, 60_000);
});
