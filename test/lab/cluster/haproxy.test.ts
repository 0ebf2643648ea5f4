/**
 * A real HAProxy in front of a lab cluster (mode C, servers in this process, discovery links
 * through the fault proxy). Goal: clients connecting through HAProxy are spread over the servers
 * by `balance roundrobin`, and a server whose `/readyz` fails stops receiving new clients.
 * Method: a server cut off from both discovery instances loses its lease after leaseMs (300 ms
 * here), so its /readyz answers 503 and HAProxy's checks (every 50 ms, fall 2) take it out; each
 * client asks WHERE to learn which server it reached.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Cluster, startCluster } from '../../../lab/cluster/cluster.ts';
import { requireBinary } from '../../support/require-binary.ts';
import { connectLine, type LineClient } from '../../support/line-client.ts';

let cluster: Cluster;
const clients: LineClient[] = [];

/** Opens `count` clients through HAProxy and returns how many reached each server. */
async function spread(count: number): Promise<number[]> {
  const perServer = cluster.servers.map(() => 0);
  for (let index = 0; index < count; index += 1) {
    const client = await connectLine(cluster.haproxy!.port);
    clients.push(client);
    const serverIndex = cluster.serverIndexOf(await client.ask('WHERE'));
    if (serverIndex === undefined) throw new Error('WHERE answered an unknown server id');
    perServer[serverIndex]! += 1;
  }
  return perServer;
}

async function readyz(adminPort: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${adminPort}/readyz`);
  await response.text();
  return response.status;
}

beforeAll(async () => {
  requireBinary('haproxy', 'haproxy');
  cluster = await startCluster({
    mode: 'c',
    servers: 3,
    timeScale: 1,
    discovery: { leaseMs: 300, fanoutTimeoutMs: 100 },
    serverOptions: { discoveryTimeoutMs: 100 },
    lb: { kind: 'haproxy', balance: 'roundrobin', checkIntervalMs: 50 },
  });
}, 20_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await cluster?.close();
});

describe('lab cluster: a real HAProxy in front', () => {
  test('clients connecting through HAProxy are spread over every server by round robin', async () => {
    expect(await spread(6)).toEqual([2, 2, 2]);
  });

  test('a server failing /readyz stops receiving new clients', async () => {
    await cluster.cutDiscovery(0);
    const deadlineMs = performance.now() + 3_000;
    while ((await readyz(cluster.servers[0]!.adminPort)) !== 503) {
      if (performance.now() > deadlineMs) throw new Error('server-0 stayed ready without discovery');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Two failed checks at 50 ms take it out; allow a few intervals more on a busy machine.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const perServer = await spread(6);
    expect(perServer[0]).toBe(0);
    expect(perServer[1]! + perServer[2]!).toBe(6);
  }, 10_000);
});
