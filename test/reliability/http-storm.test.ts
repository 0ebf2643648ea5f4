/**
 * A connection storm against every HTTP surface (issue 20: under `ulimit -n 128`, 400 idle
 * connections made each of them stop answering). Goal: with ten times the descriptor limit in
 * idle and slow-header connections, a well-behaved request still gets its answer and the process
 * stays up. Method: each surface as a real process under `ulimit -n 128` (so its connection cap
 * is (128 - 64) / 2 = 32), 1,280 connections opened against it, half silent and half trickling
 * header bytes, while a client asks the way a load balancer would (retrying on a refused try).
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { Spawned } from '../support/spawn-headcount.ts';
import { closeAll, eventually, get, rawRequest, storm } from './http-hostile.ts';
import { spawnWithFdLimit } from './spawn-limited.ts';

const fdLimit = 128;
const stormConnections = 10 * fdLimit;
const token = 's3cret';

interface Surface {
  name: string;
  args: string[];
  port(spawned: Spawned): number;
  request: string;
  /** The status a well-behaved request gets when all is well. */
  status: number;
}

const surfaces: Surface[] = [
  {
    name: 'admin port',
    args: ['serve', '--port', '0', '--admin-port', 'auto'],
    port: (spawned) => Number(spawned.listening.adminPort),
    request: get('/healthz'),
    status: 200,
  },
  {
    name: 'discovery API',
    args: ['discovery', '--port', '0', '--token', token],
    port: (spawned) => spawned.port,
    request: get('/v1/members', { authorization: `Bearer ${token}` }),
    status: 200,
  },
  {
    name: 'fault proxy API',
    args: ['faultproxy', '--port', '0'],
    port: (spawned) => spawned.port,
    request: get('/version'),
    status: 200,
  },
  {
    name: 'health aggregator',
    args: ['health', '--listen', '0', '--targets', 'http://127.0.0.1:1', '--timeout-ms', '100'],
    port: (spawned) => spawned.port,
    request: get('/healthz'),
    status: 503,
  },
];

let running: Spawned | undefined;

afterEach(async () => {
  closeAll();
  running?.kill('SIGKILL');
  await running?.exited;
  running = undefined;
});

describe(`a storm of ${stormConnections} idle and slow connections under ulimit -n ${fdLimit}`, () => {
  test.each(surfaces)(
    'the $name still answers a well-behaved request, and stays up',
    async (surface) => {
      running = await spawnWithFdLimit(fdLimit, surface.args, { timeoutMs: 30_000 });
      const port = surface.port(running);
      const stormDone = storm(port, stormConnections);
      // Ask while the storm is under way, as a health checker would: retry a refused try.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const during = await eventually(
        20_000,
        async () => (await rawRequest(port, surface.request, 3_000)).status,
      );
      expect(during).toBe(surface.status);
      await stormDone;
      const after = await eventually(
        20_000,
        async () => (await rawRequest(port, surface.request, 3_000)).status,
      );
      expect(after).toBe(surface.status);
      expect(running.process.exitCode).toBeNull();
    },
    90_000,
  );
});
