/**
 * Mode C start-up (issue 16): a server is reachable only when it can serve. Goal: no client is
 * ever bounced with `BYE lease lost` at start-up, however early it connects, and `listening`
 * and /readyz agree. Method: two real `headcount discovery` processes; each round starts three
 * mode C servers together and, in the same tick as each one's start resolves (the moment
 * `serve` prints `listening`), connects 3, 4 and 5 clients plus one probe. Every client gets
 * `42` to WHY (not `BYE`), and every probe's WHO is exactly 15. Fifty rounds run in-process on
 * real sockets (fast); a few more spawn `headcount serve` and connect on the `listening` line
 * itself. A server whose token discovery refuses logs why, keeps its client port closed and
 * answers /readyz 503 until it is stopped.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../../../../impl/adapters/logger.ts';
import { type RunningServer, startServer } from '../../../../impl/adapters/server.ts';
import { parseServeOptions } from '../../../../impl/config/serve-options.ts';
import { connectLine, type LineClient } from '../../../support/line-client.ts';
import { type Spawned, spawnHeadcount } from '../../../support/spawn-headcount.ts';

const token = 'mode-c-startup-token';
/** Discovery's default lease: long enough that a stalled, shared machine does not fence a round. */
const leaseMs = 3000;
const clientsPerServer = [3, 4, 5];
const expectedTotal = clientsPerServer.reduce((sum, count) => sum + count + 1, 0);
const roundsInProcess = 50;
const roundsSpawned = 3;

const discoveries: Spawned[] = [];
let discoveryUrls = '';

beforeAll(async () => {
  const args = ['discovery', '--port', '0', '--lease-ms', String(leaseMs), '--fanout-timeout-ms', '500'];
  discoveries.push(
    ...(await Promise.all(
      [0, 1].map(() => spawnHeadcount(args, { env: { HEADCOUNT_TOKEN: token }, timeoutMs: 40_000 })),
    )),
  );
  discoveryUrls = discoveries.map((spawned) => `http://127.0.0.1:${spawned.port}`).join(',');
  // Discovery refuses counts for one lease after it starts (warm-up): let that pass once.
  await new Promise((resolve) => setTimeout(resolve, leaseMs + 200));
}, 60_000);

afterAll(async () => {
  for (const spawned of discoveries) spawned.kill('SIGKILL');
});

interface Early {
  client: LineClient | undefined;
  reply: string;
}

/**
 * Connects `count` clients now (no await between them) and asks each WHY. Never rejects: a
 * failure is the reply the test then shows, so one bounced client cannot go unreported.
 */
function connectAndAskWhy(port: number, count: number): Promise<Early[]> {
  return Promise.all(
    Array.from({ length: count }, async (): Promise<Early> => {
      try {
        const client = await connectLine(port);
        return { client, reply: await client.ask('WHY').catch((error: Error) => error.message) };
      } catch (error) {
        return { client: undefined, reply: `connect failed: ${(error as Error).message}` };
      }
    }),
  );
}

/** Every early client was served (`42`), then the first of each server asks WHO. */
async function checkRound(groups: Early[][]): Promise<void> {
  const replies = groups.flat().map((early) => early.reply);
  expect(replies.filter((reply) => reply !== '42')).toEqual([]);
  const probes = groups.map((group) => group[0]!.client!);
  const whos = await Promise.all(probes.map(whoNumber));
  if (whos.some((who) => who !== String(expectedTotal))) {
    // Say what discovery saw, so a wrong sum names the member that made it wrong.
    const headers = { authorization: `Bearer ${token}` };
    const base = discoveryUrls.split(',')[0]!;
    const members = await (await fetch(`${base}/v1/members`, { headers })).text();
    const count = await (await fetch(`${base}/v1/count`, { method: 'POST', headers })).text();
    expect({ whos, members, count }).toEqual({ whos: Array(3).fill(String(expectedTotal)) });
  }
  for (const early of groups.flat()) early.client?.close();
}

/**
 * WHO until it is a number: on two shared cores a fan-out can time out (`ERR unavailable ...
 * timeout`), which is mode C doing its job, not the start-up bounce this file is about.
 */
async function whoNumber(probe: LineClient): Promise<string> {
  let answer = await probe.ask('WHO');
  for (let attempt = 1; attempt < 20 && answer.startsWith('ERR unavailable'); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer = await probe.ask('WHO');
  }
  return answer;
}

async function startInProcess(): Promise<RunningServer> {
  const options = parseServeOptions({
    mode: 'c',
    port: 0,
    logLevel: 'silent',
    discovery: discoveryUrls.split(','),
    token,
    drainMs: 200,
  });
  if (!options.ok) throw new Error(JSON.stringify(options.error));
  const started = await startServer(options.value, { logger: createLogger('silent') });
  if (!started.ok) throw new Error(started.error.message);
  return started.value;
}

describe('mode C start-up: the client port opens only with a lease held', () => {
  test(`${roundsInProcess} rounds of three servers started together, clients connecting the tick each is up: none bounced, WHO exactly ${expectedTotal}`, async () => {
    for (let round = 0; round < roundsInProcess; round += 1) {
      const groups: Promise<Early[]>[] = [];
      const servers = await Promise.all(
        clientsPerServer.map(async (count, index) => {
          const server = await startInProcess();
          groups[index] = connectAndAskWhy(server.port, count + 1);
          return server;
        }),
      );
      await checkRound(await Promise.all(groups));
      await Promise.all(servers.map((server) => server.stop()));
    }
  }, 240_000);

  test(`${roundsSpawned} rounds of three spawned servers, clients connecting on each listening line: none bounced, WHO exactly ${expectedTotal}`, async () => {
    for (let round = 0; round < roundsSpawned; round += 1) {
      const groups: Promise<Early[]>[] = [];
      const readyz: Promise<number>[] = [];
      const servers = await Promise.all(
        clientsPerServer.map(async (count, index) => {
          const server = await spawnHeadcount(
            ['serve', '--mode', 'c', '--discovery', discoveryUrls, '--port', '0', '--drain-ms', '200'],
            { env: { HEADCOUNT_TOKEN: token }, timeoutMs: 40_000 },
          );
          groups[index] = connectAndAskWhy(server.port, count + 1);
          // `listening` and /readyz agree: ready from the moment the line is printed.
          readyz[index] = fetch(`http://127.0.0.1:${server.listening.adminPort}/readyz`).then(
            (response) => response.status,
          );
          return server;
        }),
      );
      await checkRound(await Promise.all(groups));
      expect(await Promise.all(readyz)).toEqual([200, 200, 200]);
      for (const server of servers) server.kill('SIGTERM');
      expect(await Promise.all(servers.map((server) => server.exited))).toEqual([0, 0, 0]);
    }
  }, 180_000);

  test('a server whose token discovery refuses logs why, keeps its client port closed and /readyz at 503, and stops cleanly', async () => {
    const adminPort = await freePort();
    const clientPort = await freePort();
    const { spawn } = await import('node:child_process');
    const { headcountBin } = await import('../../../support/spawn-headcount.ts');
    const child = spawn(
      process.execPath,
      [
        headcountBin,
        'serve',
        '--mode',
        'c',
        '--discovery',
        discoveryUrls,
        '--port',
        String(clientPort),
        '--admin-port',
        String(adminPort),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HEADCOUNT_TOKEN: 'a-wrong-token' } },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const deadlineMs = Date.now() + 20_000;
    while (!output.includes('discovery refused our token')) {
      if (Date.now() > deadlineMs) throw new Error(`no token error logged:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const readyz = await fetch(`http://127.0.0.1:${adminPort}/readyz`);
    expect(readyz.status).toBe(503);
    const body = (await readyz.json()) as { ready: boolean; reasons: string[] };
    expect(body.reasons).toContain('not accepting clients');
    expect(body.reasons.join('; ')).toContain('token refused');
    expect(await connectOutcome(clientPort)).toBe('refused');
    expect(output).not.toContain('"msg":"listening"');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 40_000);
});

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
