/**
 * Connection storms at the descriptor limit (issue 16). Goal: refusals never eat the descriptors
 * kept for admin HTTP, Redis and discovery. Method: a real `headcount serve` under
 * `ulimit -n 256` (clients capped at 256 - 64 = 192), in mode C behind a real discovery instance
 * (its leases need discovery calls, and discovery's fan-out calls the server's admin port) and
 * in mode A on a real redis-server. One established client; then bursts of 400 and of 2,560
 * connects (ten times the limit). During each burst and after it: `/metrics` and `/readyz` on
 * fresh admin connections (no keep-alive), and the established client, all answer; the server
 * keeps running; no burst client past the cap is admitted; WHO is exact once the burst is gone.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RedisServer, startRedisServer } from '../../lab/redis/index.ts';
import { connectLine, type LineClient } from '../support/line-client.ts';
import { type Spawned, spawnHeadcount } from '../support/spawn-headcount.ts';
import { spawnWithFdLimit } from './spawn-limited.ts';

const fdLimit = 256;
/** impl/adapters/fd-limit.ts keeps 64 descriptors for everything that is not a client. */
const clientsMax = fdLimit - 64;
const token = 'fd-storm-token';

/** GET on a fresh connection (agent: false): the storm must leave room to accept it. */
function freshGet(url: string, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url} in ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

interface Burst {
  /** Resolves once every connect got its first line, a close, an error or its timeout. */
  settled: Promise<string[]>;
  destroy(): void;
}

/** Opens `count` connections at once; each records its first line ('' for a close without one). */
function burst(port: number, count: number, waitMs = 15_000): Burst {
  const sockets: net.Socket[] = [];
  const outcomes = Array.from({ length: count }, () => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    sockets.push(socket);
    return new Promise<string>((resolve) => {
      let text = '';
      const timer = setTimeout(() => resolve(text === '' ? 'silent' : text), waitMs);
      socket.on('error', () => {});
      socket.on('connect', () => socket.write('WHY\n'));
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.includes('\n')) {
          clearTimeout(timer);
          resolve(text.slice(0, text.indexOf('\n')));
        }
      });
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(text === '' ? '' : text.split('\n')[0]!);
      });
    });
  });
  return {
    settled: Promise.all(outcomes),
    destroy: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

interface Target {
  server: Spawned;
  others: { kill(): Promise<unknown> }[];
}

async function startModeC(): Promise<Target> {
  const discovery = await spawnHeadcount(['discovery', '--port', '0'], {
    env: { HEADCOUNT_TOKEN: token },
    timeoutMs: 40_000,
  });
  const url = `http://127.0.0.1:${discovery.port}`;
  const server = await spawnWithFdLimit(
    fdLimit,
    ['serve', '--mode', 'c', '--discovery', url, '--port', '0', '--admin-port', 'auto'],
    { env: { HEADCOUNT_TOKEN: token }, timeoutMs: 40_000 },
  );
  return {
    server,
    others: [
      {
        kill: async () => {
          discovery.kill('SIGKILL');
          await discovery.exited;
        },
      },
    ],
  };
}

async function startModeA(): Promise<Target> {
  const redis: RedisServer = await startRedisServer();
  const server = await spawnWithFdLimit(
    fdLimit,
    ['serve', '--mode', 'a', '--redis', redis.url, '--port', '0', '--admin-port', 'auto'],
    { timeoutMs: 40_000 },
  );
  return { server, others: [{ kill: () => redis.kill() }] };
}

describe.each([
  { mode: 'c', start: startModeC },
  { mode: 'a', start: startModeA },
])(`connection storms under ulimit -n ${fdLimit}: mode $mode`, ({ start }) => {
  let target: Target;
  let adminUrl: string;
  let established: LineClient;

  beforeAll(async () => {
    target = await start();
    adminUrl = `http://127.0.0.1:${target.server.listening.adminPort}`;
    established = await connectLine(target.server.port);
  }, 60_000);

  afterAll(async () => {
    established?.close();
    target?.server.kill('SIGKILL');
    await target?.server.exited;
    for (const other of target?.others ?? []) await other.kill();
  });

  /** Everything that must keep answering: fresh admin connections and the established client. */
  async function probe(): Promise<void> {
    const metrics = await freshGet(`${adminUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('headcount_connections ');
    const readyz = await freshGet(`${adminUrl}/readyz`);
    expect({ status: readyz.status, body: readyz.body }).toMatchObject({ status: 200 });
    expect(await established.ask('WHY')).toBe('42');
  }

  for (const size of [400, 2_560]) {
    test(`a burst of ${size} connects: /metrics, /readyz and an established client answer during and after it, and the server keeps running`, async () => {
      const storm = burst(target.server.port, size);
      let probesDuring = 0;
      let stormOver = false;
      void storm.settled.then(() => {
        stormOver = true;
      });
      // Probe while the burst is still being accepted and refused.
      do {
        await probe();
        probesDuring += 1;
      } while (!stormOver && probesDuring < 5);
      const outcomes = await storm.settled;
      const admitted = outcomes.filter((line) => line === '42').length;
      // Refused clients hear `ERR server full` (or a bare close past the refusal bound); the
      // established client holds one place, so at most clientsMax - 1 burst clients get in.
      for (const line of outcomes) expect(['42', 'ERR server full', '']).toContain(line);
      expect(admitted).toBeLessThanOrEqual(clientsMax - 1);
      expect(admitted).toBeGreaterThan(0);
      expect(outcomes.filter((line) => line === 'ERR server full').length).toBeGreaterThan(0);
      await probe();
      storm.destroy();
      // Once the burst is gone, WHO (through discovery or Redis) is back to the one client.
      const deadlineMs = Date.now() + 15_000;
      let who = await established.ask('WHO');
      while (who !== '1' && Date.now() < deadlineMs) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        who = await established.ask('WHO');
      }
      expect(who).toBe('1');
      await probe();
      expect(target.server.process.exitCode).toBeNull();
      expect(target.server.output()).not.toContain('"msg":"accept failed"');
    }, 90_000);
  }
});
