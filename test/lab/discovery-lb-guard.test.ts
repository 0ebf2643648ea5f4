/**
 * The discovery topology the README recommends, on real binaries: two `headcount discovery`
 * processes told the deployment's size (`--instances 2`), a real HAProxy (TCP, round robin, free
 * loopback port) in front of them, and spawned mode C servers.
 *
 * - A server given only the balancer's address learns from the lease that it reaches one of two
 *   instances: it logs why, never opens its client port and stays unready. Behind a balancer
 *   the service refuses instead of counting wrong.
 * - Servers given every instance's address answer WHO with the truth or a refusal, never another
 *   number, and so does a count asked through the balancer or of either instance, while
 *   discovery-0 is killed (SIGKILL) and restarted on its port.
 * - Servers given the balancer's address beside discovery-0's own pass the address count, but a
 *   server whose balancer connection lands on discovery-0 gets two leases from one instance
 *   (the same instance identity) and refuses one: it is ready only while both instances hold
 *   its registration. Without that check, about a third of ready samples were missing from one.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningHaproxy, startHaproxy } from '../../lab/cluster/haproxy.ts';
import { connectLine, type LineClient } from '../support/line-client.ts';
import { type Spawned, spawnHeadcount } from '../support/spawn-headcount.ts';

const token = 'discovery-lb-guard-token';
const env = { HEADCOUNT_TOKEN: token };
/** Long enough that a loaded, shared machine's pauses do not break the fence's assumption. */
const leaseMs = 1500;
const clientsPerServer = [2, 3, 4];
const truth = clientsPerServer.reduce((sum, count) => sum + count, 0);
const refusedLogLine =
  "discovery runs more instances than --discovery names (a load balancer in front of them?): not joining; give every instance's address";

const discoveries: Spawned[] = [];
const discoveryPorts: number[] = [];
let balancer: RunningHaproxy | undefined;

function discoveryArgs(port: number): string[] {
  return ['discovery', '--port', String(port), '--lease-ms', String(leaseMs), '--instances', '2'];
}

beforeAll(async () => {
  for (let index = 0; index < 2; index += 1) {
    const spawned = await spawnHeadcount(discoveryArgs(0), { env, timeoutMs: 40_000 });
    discoveries.push(spawned);
    discoveryPorts.push(spawned.port);
  }
  balancer = await startHaproxy({
    balance: 'roundrobin',
    servers: discoveryPorts.map((port, index) => ({ name: `discovery-${index}`, port })),
  });
  // Each instance refuses counts for one lease after it starts (warm-up).
  await sleep(leaseMs + 200);
}, 90_000);

afterAll(async () => {
  for (const spawned of discoveries) spawned.kill('SIGKILL');
  await balancer?.stop();
});

describe('discovery behind a load balancer, real binaries', () => {
  test('a server given only the balancer address in front of two instances refuses to join: port closed, unready, the reason logged', async () => {
    const adminPort = await freePort();
    const clientPort = await freePort();
    const server = await spawnHeadcount(
      [
        'serve',
        '--mode',
        'c',
        '--discovery',
        `http://127.0.0.1:${balancer!.port}`,
        '--port',
        String(clientPort),
        '--admin-port',
        String(adminPort),
      ],
      { env, waitFor: refusedLogLine, timeoutMs: 40_000 },
    );
    try {
      // Several lease periods later it still has not joined.
      await sleep(3 * leaseMs);
      const readyz = await fetch(`http://127.0.0.1:${adminPort}/readyz`);
      expect(readyz.status).toBe(503);
      const body = (await readyz.json()) as { reasons: string[] };
      expect(body.reasons.join('; ')).toContain('one of 2 instances, but --discovery has 1 address(es)');
      expect(await connectOutcome(clientPort)).toBe('refused');
      expect(server.output()).not.toContain('"msg":"listening"');
    } finally {
      server.kill('SIGKILL');
    }
  }, 90_000);

  test('servers given every instance address never answer a WHO, or a count through the balancer, with a number other than the truth, while an instance is killed and restarted', async () => {
    const urls = discoveryPorts.map((port) => `http://127.0.0.1:${port}`).join(',');
    const servers = await Promise.all(
      clientsPerServer.map(() =>
        spawnHeadcount(['serve', '--mode', 'c', '--discovery', urls, '--port', '0', '--drain-ms', '100'], {
          env,
          timeoutMs: 40_000,
        }),
      ),
    );
    const clients: LineClient[] = [];
    try {
      for (const [index, count] of clientsPerServer.entries())
        for (let client = 0; client < count; client += 1)
          clients.push(await connectLine(servers[index]!.port));
      const tally = { truth: 0, refused: 0, wrong: [] as string[] };
      const observe = async (): Promise<void> => {
        const whos = await Promise.all(clients.map((client) => client.ask('WHO')));
        const counts = await Promise.all([balancer!.port, ...discoveryPorts].map(countThrough));
        for (const answer of [...whos, ...counts]) {
          if (answer === String(truth)) tally.truth += 1;
          else if (answer.startsWith('ERR unavailable') || answer === 'refused') tally.refused += 1;
          else tally.wrong.push(answer);
        }
      };
      const phase = async (durationMs: number): Promise<void> => {
        const endMs = Date.now() + durationMs;
        while (Date.now() < endMs) {
          await observe();
          await sleep(50);
        }
      };
      await phase(leaseMs);
      discoveries[0]!.kill('SIGKILL');
      await discoveries[0]!.exited;
      await phase(2 * leaseMs);
      discoveries[0] = await spawnHeadcount(discoveryArgs(discoveryPorts[0]!), { env, timeoutMs: 40_000 });
      await phase(3 * leaseMs);
      process.stdout.write(
        `recommended topology (REAL): ${tally.truth} answers the truth (${truth}), ${tally.refused} refused, ${tally.wrong.length} wrong\n`,
      );
      expect(tally.wrong).toEqual([]);
      expect(tally.truth).toBeGreaterThan(50);
    } finally {
      for (const client of clients) client.close();
      for (const server of servers) server.kill('SIGKILL');
    }
  }, 120_000);

  test('servers given the balancer address beside one instance address are ready only while both instances hold their registration', async () => {
    const servers: { spawned: Spawned; adminPort: number }[] = [];
    try {
      for (let index = 0; index < 3; index += 1) {
        const adminPort = await freePort();
        const addresses = `http://127.0.0.1:${balancer!.port},http://127.0.0.1:${discoveryPorts[0]}`;
        const spawned = await spawnHeadcount(
          [
            'serve',
            '--mode',
            'c',
            '--discovery',
            addresses,
            '--port',
            '0',
            '--admin-port',
            String(adminPort),
          ],
          { env, waitFor: 'registered with discovery', timeoutMs: 40_000 },
        );
        servers.push({ spawned, adminPort });
      }
      const tally = { ready: 0, unready: 0, readyButMissing: [] as string[] };
      const endMs = Date.now() + 4 * leaseMs;
      while (Date.now() < endMs) {
        for (const { adminPort } of servers) {
          const membersBefore = await Promise.all(discoveryPorts.map(memberCountUrls));
          const ready = (await fetch(`http://127.0.0.1:${adminPort}/readyz`)).status === 200;
          const membersAfter = await Promise.all(discoveryPorts.map(memberCountUrls));
          if (!ready) {
            tally.unready += 1;
            continue;
          }
          tally.ready += 1;
          const countUrl = `http://127.0.0.1:${adminPort}/count`;
          // Held at an instance throughout the readiness check: listed just before and just after.
          const missing = discoveryPorts.filter(
            (_, index) =>
              !(membersBefore[index]!.includes(countUrl) && membersAfter[index]!.includes(countUrl)),
          );
          if (missing.length > 0) tally.readyButMissing.push(`${countUrl} not at ${missing.join(',')}`);
        }
        await sleep(50);
      }
      process.stdout.write(
        `balancer beside one instance (REAL): ${tally.ready} ready samples, ${tally.unready} unready, ${tally.readyButMissing.length} ready but missing from an instance\n`,
      );
      expect(tally.readyButMissing).toEqual([]);
      expect(tally.ready + tally.unready).toBeGreaterThan(20);
    } finally {
      for (const { spawned } of servers) spawned.kill('SIGKILL');
    }
  }, 120_000);
});

/** The count URLs an instance lists as members (empty when it does not answer). */
async function memberCountUrls(port: number): Promise<string[]> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/v1/members`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2_000),
    });
    const body = (await response.json()) as { members: { countUrl: string }[] };
    return body.members.map((member) => member.countUrl);
  } catch {
    return [];
  }
}

/** A discovery count asked at `port` (the balancer or an instance): its total, or `refused`. */
async function countThrough(port: number): Promise<string> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/v1/count`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2_000),
    });
    if (response.status !== 200) return 'refused';
    return String(((await response.json()) as { total: number }).total);
  } catch {
    return 'refused';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

function connectOutcome(port: number): Promise<'refused' | 'connected'> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', () => resolve('refused'));
  });
}
