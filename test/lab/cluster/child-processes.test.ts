/**
 * Child-process mode on a real redis-server, with every server's Redis link through the fault
 * proxy (driven by toxiproxy-node-client inside the cluster). Goal: the two mode A behaviours the
 * lab exists to show, seen the way a user sees them, through WHO over TCP:
 * - a Redis link cut makes that server's entry expire from the others' WHO after the TTL, while
 *   the cut-off server keeps serving its clients (its WHO answers its last known total);
 * - `kill -9` leaves the dead server's entry counted until its TTL runs out.
 * Real time, unscaled (timeScale 1) with a 400 ms TTL and a 100 ms heartbeat; waits are polls
 * with generous bounds, since two cores are shared.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Cluster, startCluster } from '../../../lab/cluster/cluster.ts';
import { connectLine, type LineClient } from '../../support/line-client.ts';

const ttlMs = 400;
const heartbeatMs = 100;

let cluster: Cluster;
const clients: LineClient[] = [];

async function whoOf(client: LineClient): Promise<number> {
  const line = await client.ask('WHO');
  if (!/^\d+$/.test(line)) throw new Error(`WHO answered ${line}`);
  return Number(line);
}

/** Polls WHO until it equals `wanted`; returns the real ms it took. */
async function whoBecomes(client: LineClient, wanted: number, withinMs: number): Promise<number> {
  const startedAtMs = performance.now();
  let last = -1;
  while (performance.now() - startedAtMs < withinMs) {
    last = await whoOf(client);
    if (last === wanted) return performance.now() - startedAtMs;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`WHO stayed ${last}, not ${wanted}, for ${withinMs} ms`);
}

beforeAll(async () => {
  cluster = await startCluster({
    mode: 'a',
    servers: 2,
    processes: true,
    timeScale: 1,
    serverOptions: { ttlMs, heartbeatMs, whoTimeoutMs: 100 },
  });
  for (const index of [0, 0, 0, 1, 1]) clients.push(await connectLine(cluster.clientPort(index)));
  await whoBecomes(clients[3]!, 5, 3_000);
}, 30_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await cluster?.close();
});

describe('lab cluster: child processes in mode A, Redis through the fault proxy', () => {
  test("a Redis link cut drops that server's clients from WHO after the TTL while it keeps serving them", async () => {
    expect(cluster.redis?.kind).toBe('spawned');
    expect(await whoOf(clients[0]!)).toBe(5); // server-0 now knows the fleet total
    await cluster.cutRedis(0);
    const expiredAfterMs = await whoBecomes(clients[3]!, 2, ttlMs + 2_000);
    expect(expiredAfterMs).toBeGreaterThanOrEqual(ttlMs - heartbeatMs - 50);
    // The cut-off server still answers its clients: WHERE, and WHO from its last known total.
    expect(await clients[0]!.ask('WHERE')).toBe(cluster.servers[0]!.serverId);
    expect(await whoOf(clients[0]!)).toBe(5);
    await cluster.healRedis(0);
    // ioredis reconnects at most 1 s apart, then the next publish restores the entry.
    await whoBecomes(clients[3]!, 5, 3_000);
  }, 10_000);

  test('kill -9 of a server leaves its entry counted until the TTL expires it', async () => {
    await cluster.crash(0);
    expect(cluster.servers[0]!.up).toBe(false);
    // Right after the kill nothing has deregistered: the dead server's 3 clients still count.
    expect(await whoOf(clients[3]!)).toBe(5);
    const expiredAfterMs = await whoBecomes(clients[3]!, 2, ttlMs + 2_000);
    expect(expiredAfterMs).toBeGreaterThanOrEqual(ttlMs - heartbeatMs - 50);
    expect(expiredAfterMs).toBeLessThanOrEqual(ttlMs + 1_000);
    const kinds = cluster.recorder.history.events.map((event) => `${event.kind} ${event.target}`);
    expect(kinds).toEqual(['partition server-0', 'heal server-0', 'crash server-0']);
  }, 10_000);
});
