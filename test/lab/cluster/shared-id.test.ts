/**
 * The lab reproduces the copied id file of `idStrategy: stable-shared`: server-1 is given
 * server-0's id file before either starts, so both live processes publish under one stable id,
 * while server-2 keeps its own (what the simulator's `stable-shared` models).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { type Cluster, startCluster } from '../../../lab/cluster/cluster.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('a shared stable id in the lab', () => {
  test('server-1 runs under server-0’s id and server-2 under its own', async () => {
    cluster = await startCluster({
      mode: 'local',
      servers: 3,
      sharedStableId: true,
      timeScale: 1,
      serverOptions: { id: 'stable' },
    });
    const [first, second, third] = cluster.servers.map((server) => server.serverId);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).toBe(first);
    expect(third).not.toBe(first);
  });

  test('without it every server has an id of its own', async () => {
    cluster = await startCluster({
      mode: 'local',
      servers: 2,
      timeScale: 1,
      serverOptions: { id: 'stable' },
    });
    const [first, second] = cluster.servers.map((server) => server.serverId);
    expect(second).not.toBe(first);
  });
});
