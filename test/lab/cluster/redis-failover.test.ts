/**
 * A real Redis failover under a lab cluster: mode A servers given only the Sentinel URL, a real
 * primary, a replica trailing it by 200 production ms and three real Sentinels
 * (`redis-server --sentinel`), all on free ports, time-scaled 0.25 (Sentinel's down-after and the
 * servers' TTL, heartbeat and reconnect backoff with it). Goal: the fault `redis-failover` kills
 * the primary, Sentinel promotes the replica, and every server writes to the new primary within
 * a reconnect and a heartbeat of the promotion; clients connected to them count again through it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Cluster, startCluster } from '../../../lab/cluster/cluster.ts';
import { applyFault } from '../../../lab/fault-target.ts';
import { connectLine, type LineClient } from '../../support/line-client.ts';
import { requireBinary } from '../../support/require-binary.ts';

let cluster: Cluster;
const clients: LineClient[] = [];
const downAfterMs = 2_000;
const electionMs = 1_000;
const heartbeatMs = 500;
const reconnectMsMax = 1_000;

beforeAll(async () => {
  requireBinary('redis-server', 'redis-server');
  cluster = await startCluster({
    mode: 'a',
    servers: 3,
    timeScale: 0.25,
    redisSentinel: { downAfterMs, electionMs, replicationLagMs: 200 },
    serverOptions: { ttlMs: 5_000, heartbeatMs, redisRetryMaxMs: reconnectMsMax },
  });
  for (const server of cluster.servers) {
    for (let index = 0; index < 2; index += 1) clients.push(await connectLine(server.port));
  }
}, 30_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await cluster?.close();
});

async function who(): Promise<string> {
  return clients[0]!.ask('WHO');
}

async function until(what: () => Promise<boolean> | boolean, realMs: number): Promise<boolean> {
  const deadlineMs = Date.now() + realMs;
  while (Date.now() < deadlineMs) {
    if (await what()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return what();
}

describe('a Redis failover through real Sentinels', () => {
  test('the replica is promoted and every server writes to it, and WHO counts through it', async () => {
    const group = cluster.redis!.sentinel!;
    const replicaPort = group.replica!.port;
    expect(await until(async () => (await who()) === '6', 5_000)).toBe(true);
    const atMs = cluster.time.nowMs();
    // No heal within the test: the old primary stays dead.
    await applyFault(cluster, { atMs, kind: 'redis-failover', target: 'redis' });
    const [failover] = cluster.recorder.history.failovers ?? [];
    expect(failover?.serversLive).toBe(3);
    expect(await until(() => failover!.firstWriteAtMs.every((at) => at !== undefined), 15_000)).toBe(true);
    expect(group.primary.port).toBe(replicaPort);
    const promotionMs = failover!.promotedAtMs! - failover!.atMs;
    // The modelled promotion, give or take Sentinel's own confirmation at this scale.
    expect(promotionMs).toBeGreaterThan(downAfterMs);
    expect(promotionMs).toBeLessThan(downAfterMs + electionMs + 3_000);
    for (const writeAtMs of failover!.firstWriteAtMs)
      expect(writeAtMs! - failover!.promotedAtMs!).toBeLessThan(reconnectMsMax + heartbeatMs + 2_000);
    expect(await until(async () => (await who()) === '6', 5_000)).toBe(true);
    expect(JSON.parse(await clients[0]!.ask('INFO'))).toMatchObject({ whoSource: 'redis' });
  }, 30_000);
});
