/**
 * Mode C with the discovery instance as a child process (`headcount discovery`), servers in this
 * process, every server's discovery link through the fault proxy. Seen through WHO over TCP:
 * the fleet's total comes back from the child's fan-out (and its broadcasts are read from its
 * `/metrics`), and a crashed instance REFUSES connections, as a dead process does, so a server
 * with no other instance answers `ERR unavailable`.
 * Real time, unscaled, generous settings (on a busy machine a loopback HTTP call can take hundreds
 * of ms); waits are polls with generous bounds, since two cores are shared.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Cluster, startCluster } from '../../../lab/cluster/cluster.ts';
import { connectLine } from '../../support/line-client.ts';

let cluster: Cluster;

/**
 * Polls WHO on server `index` over a fresh connection each time (a server that loses its lease
 * closes its clients, so a held one may not survive a slow renewal) until `accept(line)`.
 */
async function whoUntil(index: number, accept: (line: string) => boolean, withinMs: number): Promise<string> {
  const startedAtMs = performance.now();
  let last = '';
  while (performance.now() - startedAtMs < withinMs) {
    const client = await connectLine(cluster.clientPort(index));
    last = await client.ask('WHO').catch((error: Error) => `closed: ${error.message}`);
    client.close();
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`WHO stayed ${JSON.stringify(last)} for ${withinMs} ms`);
}

beforeAll(async () => {
  cluster = await startCluster({
    mode: 'c',
    servers: 2,
    discoveryInstances: 1,
    discoveryProcesses: true,
    timeScale: 1,
    discovery: { leaseMs: 3_000, fanoutTimeoutMs: 1_000 },
    serverOptions: { discoveryTimeoutMs: 2_000 },
  });
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

describe('lab cluster: discovery as a child process', () => {
  test("the child's fan-out answers WHO (the asking client is the fleet), and its broadcasts are counted", async () => {
    expect(await whoUntil(1, (line) => line === '1', 20_000)).toBe('1');
    expect(await cluster.broadcasts()).toBeGreaterThan(0);
  }, 30_000);

  // Its restart and warm-up are in test/scenarios/fault-contract.test.ts (in-process instances:
  // a child's tsx start-up can take tens of seconds on a loaded machine).
  test('a crashed instance refuses connections, so WHO is refused rather than hung', async () => {
    await cluster.crashDiscovery(0);
    expect(await whoUntil(0, (line) => line.startsWith('ERR unavailable'), 10_000)).toMatch(
      /^ERR unavailable/,
    );
  }, 30_000);
});
