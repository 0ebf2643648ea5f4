/**
 * Mode C with real processes: two `headcount discovery` instances and three
 * `headcount serve --mode c` servers, because a crash, a freeze (SIGSTOP) and a dead discovery
 * instance only mean something with real processes. The phases run in order on one fleet to
 * keep the file short: quiet, a frozen server, a dead discovery instance, a dead server.
 *
 * Leases are short (1200 ms, renewed every 300 ms) and the fan-out timeout is 200 ms, so each
 * phase takes about a second; wall-clock assertions carry generous margins (two shared cores).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectLine, type LineClient } from '../../../support/line-client.ts';
import { type Spawned, spawnHeadcount } from '../../../support/spawn-headcount.ts';

const token = 'mode-c-test-token';
const leaseMs = 1200;
const fanoutTimeoutMs = 200;
const env = { HEADCOUNT_TOKEN: token };

const discoveries: Spawned[] = [];
const servers: Spawned[] = [];
const clients: LineClient[][] = [];

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function openClients(): number {
  return clients.reduce((sum, list) => sum + list.length, 0);
}

beforeAll(async () => {
  const discoveryArgs = [
    '--port',
    '0',
    '--lease-ms',
    String(leaseMs),
    '--fanout-timeout-ms',
    String(fanoutTimeoutMs),
  ];
  discoveries.push(
    ...(await Promise.all(
      [0, 1].map(() => spawnHeadcount(['discovery', ...discoveryArgs], { env, timeoutMs: 40_000 })),
    )),
  );
  const urls = discoveries.map((spawned) => `http://127.0.0.1:${spawned.port}`).join(',');
  const serveArgs = ['serve', '--mode', 'c', '--discovery', urls, '--port', '0', '--admin-port', '0'];
  servers.push(
    ...(await Promise.all(
      [0, 1, 2].map(() =>
        spawnHeadcount([...serveArgs, '--discovery-timeout-ms', '1000'], { env, timeoutMs: 40_000 }),
      ),
    )),
  );
  // A server opens its client port only once it holds its leases, so `listening` already means
  // ready; /readyz is checked as a load balancer would.
  for (const server of servers)
    await until('server ready', 5_000, async () => {
      const readyz = await fetch(`http://127.0.0.1:${server.listening.adminPort}/readyz`).catch(
        () => undefined,
      );
      return readyz?.status === 200 ? true : undefined;
    });
  for (const [index, server] of servers.entries()) {
    clients.push(await Promise.all(Array.from({ length: index + 1 }, () => connectLine(server.port))));
  }
  // Every server registered with both instances: each server's WHO is a number.
  for (const list of clients)
    await until('registration', 5_000, async () =>
      /^\d+$/.test(await list[0]!.ask('WHO')) ? true : undefined,
    );
}, 60_000);

afterAll(async () => {
  for (const list of clients) for (const client of list) client.close();
  for (const spawned of [...servers, ...discoveries]) {
    spawned.process.kill('SIGCONT');
    spawned.kill('SIGKILL');
  }
});

describe('mode C fleet: two discovery instances, three servers (real processes)', () => {
  test('when the fleet is quiet, WHO from every server is exact, and INFO names the instance that answered', async () => {
    for (const list of clients) expect(await list[0]!.ask('WHO')).toBe(String(openClients()));
    const info = JSON.parse(await clients[0]![0]!.ask('INFO')) as Record<string, unknown>;
    expect(info.discoveryInstance).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('a server frozen for less than the lease makes WHO unavailable, never wrong, and exact after SIGCONT', async () => {
    const frozen = servers[2]!;
    const expected = String(openClients());
    frozen.process.kill('SIGSTOP');
    const answers: string[] = [];
    const frozenAtMs = Date.now();
    while (Date.now() - frozenAtMs < leaseMs / 2) answers.push(await clients[0]![0]!.ask('WHO'));
    frozen.process.kill('SIGCONT');
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) expect(answer).toMatch(/^ERR unavailable .+/);
    await until('exact after SIGCONT', 3_000, async () =>
      (await clients[0]![0]!.ask('WHO')) === expected ? true : undefined,
    );
  });

  test('with one discovery instance killed, WHO keeps answering exactly within the fan-out timeout plus a margin', async () => {
    discoveries[0]!.kill('SIGKILL');
    await discoveries[0]!.exited;
    for (const list of clients) {
      const startedAtMs = Date.now();
      expect(await list[0]!.ask('WHO')).toBe(String(openClients()));
      expect(Date.now() - startedAtMs).toBeLessThan(fanoutTimeoutMs + 1_000);
    }
  });

  test('a server killed abruptly makes WHO unavailable until its lease runs out, then exact without it', async () => {
    const killedAtMs = Date.now();
    servers[2]!.kill('SIGKILL');
    await servers[2]!.exited;
    for (const client of clients[2]!) client.close();
    clients[2] = [];
    const first = await clients[0]![0]!.ask('WHO');
    expect(first).toMatch(/^ERR unavailable/);
    const expected = String(openClients());
    const seen: string[] = [first];
    await until('exact after the lease', leaseMs + 3_000, async () => {
      const answer = await clients[1]![0]!.ask('WHO');
      seen.push(answer);
      return answer === expected ? true : undefined;
    });
    const recoveredAfterMs = Date.now() - killedAtMs;
    for (const answer of seen) expect(answer === expected || answer.startsWith('ERR unavailable')).toBe(true);
    expect(recoveredAfterMs).toBeLessThan(leaseMs + 2_500);
  });
});
