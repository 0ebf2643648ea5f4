/**
 * No count leaks in the fleet view (issue 11, "Hostile clients": "once every client is gone the
 * count is exactly 0, locally and in the fleet view of modes A and C"). Method: two real servers
 * per mode (mode A on a real redis-server; mode C behind two `headcount discovery` instances with
 * a token) take a subset of the abuse from hostile-clients.test.ts that ends connections in the
 * unusual ways (10,000-style resets, half-close, clients that never read). First the fleet view
 * must see the abusers (so the check below cannot pass by counting nothing); then, once every
 * abuser is gone, WHO from one fresh client is exactly 1 on every server.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { type RedisServer, startRedisServer } from '../../lab/redis/index.ts';
import { connectLine } from '../support/line-client.ts';
import { type Spawned, spawnHeadcount } from '../support/spawn-headcount.ts';

const token = 'fleet-zero-token';
/** How long the fleet view may take to settle after the last abuser left. */
const settleMsBudget = 15_000;

interface Fleet {
  servers: Spawned[];
  stop(): Promise<void>;
}

const serveFlags = ['--port', '0', '--admin-port', 'auto', '--write-stall-ms', '500', '--log-level', 'warn'];

async function startModeA(): Promise<Fleet & { redis: RedisServer }> {
  const redis = await startRedisServer();
  const servers = await Promise.all(
    [0, 1].map(() =>
      spawnHeadcount(['serve', ...serveFlags, '--mode', 'a', '--redis', redis.url, '--heartbeat-ms', '500']),
    ),
  );
  return {
    redis,
    servers,
    stop: async () => {
      await killAll(servers);
      await redis.kill();
    },
  };
}

async function startModeC(): Promise<Fleet> {
  const env = { HEADCOUNT_TOKEN: token };
  const discoveries = await Promise.all(
    [0, 1].map(() =>
      // At --log-level warn discovery prints no listening line (reported), so it runs at info.
      spawnHeadcount(['discovery', '--port', '0', '--log-level', 'info'], { env }),
    ),
  );
  const urls = discoveries.map((discovery) => `http://127.0.0.1:${discovery.port}`).join(',');
  const servers = await Promise.all(
    [0, 1].map(() => spawnHeadcount(['serve', ...serveFlags, '--mode', 'c', '--discovery', urls], { env })),
  );
  return {
    servers,
    stop: async () => {
      await killAll(servers);
      await killAll(discoveries);
    },
  };
}

async function killAll(processes: Spawned[]): Promise<void> {
  for (const spawned of processes) spawned.kill('SIGKILL');
  await Promise.all(processes.map((spawned) => spawned.exited));
}

function open(port: number, count: number): Promise<net.Socket[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Socket>((resolve) => {
          const socket = net.connect({ port, host: '127.0.0.1' });
          socket.on('error', () => {});
          socket.once('connect', () => resolve(socket));
          socket.once('close', () => resolve(socket));
        }),
    ),
  );
}

async function localConnections(server: Spawned): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.listening.adminPort}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith('headcount_connections '));
  return Number(line?.split(' ')[1]);
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = settleMsBudget) {
  const deadlineMs = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadlineMs) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** WHO from one fresh client per server, asked until every answer is `expected` (or the budget ends). */
async function expectFleetWho(fleet: Fleet, expected: number): Promise<void> {
  let last: string[] = [];
  await waitUntil(`WHO is ${expected} on every server (last answers ${JSON.stringify(last)})`, async () => {
    last = [];
    for (const server of fleet.servers) {
      const fresh = await connectLine(server.port);
      last.push(await fresh.ask('WHO'));
      fresh.close();
      await waitUntil('the fresh client left', async () => (await localConnections(server)) === 0, 5_000);
    }
    return last.every((answer) => answer === String(expected));
  });
  // One fresh client held on each server: each sees both, since the view is the fleet's.
  const probes = await Promise.all(fleet.servers.map((server) => connectLine(server.port)));
  await waitUntil(`WHO is ${fleet.servers.length} with one client per server`, async () => {
    const answers = await Promise.all(probes.map((probe) => probe.ask('WHO')));
    return answers.every((answer) => answer === String(fleet.servers.length));
  });
  for (const probe of probes) probe.close();
}

/** Resets, half-closes and never-reading clients on every server, then checks the fleet is back to zero. */
async function abuseThenExpectZero(fleet: Fleet): Promise<void> {
  const resetters = (await Promise.all(fleet.servers.map((server) => open(server.port, 1_000)))).flat();
  const halfClosers = (await Promise.all(fleet.servers.map((server) => open(server.port, 200)))).flat();
  const idlers = (await Promise.all(fleet.servers.map((server) => open(server.port, 10)))).flat();
  const abusers = resetters.length + halfClosers.length + idlers.length;
  // The fleet view counts the abusers first: a view stuck at 0 cannot pass the check that follows.
  const probe = await connectLine(fleet.servers[0]!.port);
  await waitUntil(`the fleet view counts all ${abusers + 1} clients`, async () => {
    return (await probe.ask('WHO')) === String(abusers + 1);
  });
  probe.close();

  const request = Buffer.from('INFO\n'.repeat(20_000));
  for (const socket of idlers) {
    socket.pause();
    for (let round = 0; round < 30 && !socket.destroyed; round += 1) socket.write(request);
  }
  const halfClosed = halfClosers.map(
    (socket) =>
      new Promise<void>((resolve) => {
        socket.resume();
        socket.once('close', () => resolve());
        socket.end('WHY\nWHO\n');
      }),
  );
  for (const socket of resetters) socket.resetAndDestroy();
  await Promise.all(halfClosed);
  // Never-readers are dropped by the server after --write-stall-ms; a paused socket would not notice.
  await waitUntil('every server dropped its abusers', async () => {
    const counts = await Promise.all(fleet.servers.map(localConnections));
    return counts.every((count) => count === 0);
  });
  for (const socket of idlers) socket.destroy();
  await expectFleetWho(fleet, 1);
}

describe('fleet view back to zero after hostile clients', () => {
  describe('mode A (two servers, a real redis-server)', () => {
    let fleet: Awaited<ReturnType<typeof startModeA>>;
    beforeAll(async () => {
      fleet = await startModeA();
    });
    afterAll(async () => {
      await fleet?.stop();
    });

    test('after 2,000 resets, 400 half-closes and 20 never-readers, WHO from a fresh client is 1 on every server', async () => {
      await abuseThenExpectZero(fleet);
    }, 60_000);
  });

  describe('mode C (two servers, two discovery instances, token auth)', () => {
    let fleet: Fleet;
    beforeAll(async () => {
      fleet = await startModeC();
    });
    afterAll(async () => {
      await fleet?.stop();
    });

    test('after 2,000 resets, 400 half-closes and 20 never-readers, WHO from a fresh client is 1 on every server', async () => {
      await abuseThenExpectZero(fleet);
    }, 60_000);
  });
});
