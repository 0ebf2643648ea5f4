/**
 * Hostile clients against a real server process (issue 11). Goal: one bad client, or a thousand,
 * cannot knock the server over or make it drift. Method: for each kind of abuse, a spawned
 * `headcount serve` takes the abuse while a well-behaved probe keeps asking WHY; afterwards we
 * check the probe's worst latency, the server's resident memory (from /metrics) and that the
 * count is exactly back to zero once every client is gone.
 *
 * Budgets are generous on purpose: CI shares two cores with everything else. The latency ratio
 * against a quiet server is measured by `bench/hostile-clients.ts`, not asserted here.
 */
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectLine, type LineClient } from '../support/line-client.ts';
import { type Spawned, spawnHeadcount } from '../support/spawn-headcount.ts';

/** The probe's worst WHY round trip while the abuse goes on. */
const probeLatencyMsBudget = 2_000;
/** Resident memory ceiling of the server process at any check. */
const rssBytesCeiling = 350 * 1024 * 1024;

let server: Spawned;
let adminUrl: string;
let probe: LineClient;

beforeAll(async () => {
  server = await spawnHeadcount([
    'serve',
    '--port',
    '0',
    '--admin-port',
    'auto',
    '--max-connections',
    '15000',
    '--write-stall-ms',
    '500',
    '--max-line-bytes',
    '1024',
    '--log-level',
    'warn',
  ]);
  adminUrl = `http://127.0.0.1:${server.listening.adminPort}`;
  probe = await connectLine(server.port);
});

afterAll(async () => {
  probe?.close();
  server?.kill('SIGKILL');
  await server?.exited;
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
  if (line === undefined) throw new Error(`${name} missing from /metrics`);
  return Number(line.split(' ')[1]);
}

/** Runs `abuse` while the probe asks WHY every 20 ms; returns the probe's worst latency. */
async function underAbuse(abuse: () => Promise<void>): Promise<number> {
  let worstMs = 0;
  let running = true;
  const probing = (async () => {
    while (running) {
      const startedAt = performance.now();
      expect(await probe.ask('WHY')).toBe('42');
      worstMs = Math.max(worstMs, performance.now() - startedAt);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    await abuse();
  } finally {
    running = false;
    await probing;
  }
  return worstMs;
}

async function waitForConnections(expected: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await metric('headcount_connections')) !== expected) {
    if (Date.now() > deadline)
      throw new Error(`connections stuck at ${await metric('headcount_connections')}, expected ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until only the probe is connected, then checks WHO and memory. */
async function expectBackToOnlyTheProbe(): Promise<void> {
  await waitForConnections(1);
  expect(await probe.ask('WHO')).toBe('1');
  expect(await metric('process_resident_memory_bytes')).toBeLessThan(rssBytesCeiling);
}

function open(count: number): Promise<net.Socket[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Socket>((resolve) => {
          const socket = net.connect({ port: server.port, host: '127.0.0.1' });
          socket.on('error', () => {});
          // Read and discard replies, or a socket with unread data never sees the server's close.
          socket.resume();
          socket.once('connect', () => resolve(socket));
          socket.once('close', () => resolve(socket));
        }),
    ),
  );
}

function closed(socket: net.Socket): Promise<void> {
  return socket.destroyed
    ? Promise.resolve()
    : new Promise((resolve) => socket.once('close', () => resolve()));
}

describe('hostile clients: the server survives, others are served, nothing leaks', () => {
  test('random bytes in random chunkings from 200 clients', async () => {
    const payloads = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 4096 }), { numRuns: 200, seed: 42 });
    const worstMs = await underAbuse(async () => {
      const sockets = await open(payloads.length);
      sockets.forEach((socket, index) => {
        const bytes = Buffer.from(payloads[index]!);
        for (let offset = 0; offset < bytes.length; offset += 1 + (index % 97)) {
          socket.write(bytes.subarray(offset, offset + 1 + (index % 97)));
        }
        socket.end();
      });
      await Promise.all(sockets.map(closed));
    });
    expect(worstMs).toBeLessThan(probeLatencyMsBudget);
    await expectBackToOnlyTheProbe();
  });

  test('very long lines, NUL and high bytes: each gets its error, and the long ones are cut', async () => {
    const sockets = await open(100);
    const replies = await Promise.all(
      sockets.map(
        (socket, index) =>
          new Promise<string>((resolve) => {
            let text = '';
            socket.on('data', (chunk) => {
              text += chunk.toString('latin1');
            });
            socket.once('close', () => resolve(text));
            if (index % 2 === 0) socket.write(Buffer.alloc(1024 * 1024, 0x41));
            else socket.end(Buffer.from([0x57, 0x00, 0xff, 0x0a, 0x57, 0x48, 0x59, 0x0a]));
          }),
      ),
    );
    replies.forEach((text, index) => {
      expect(text).toBe(index % 2 === 0 ? 'ERR line too long\n' : 'ERR invalid bytes\n42\n');
    });
    await expectBackToOnlyTheProbe();
  });

  test('500 half-closed clients still get their replies and then leave', async () => {
    const sockets = await open(500);
    const replies = await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<string>((resolve) => {
            let text = '';
            socket.on('data', (chunk) => {
              text += chunk.toString();
            });
            socket.once('close', () => resolve(text));
            socket.end('WHY\n');
          }),
      ),
    );
    expect(new Set(replies)).toEqual(new Set(['42\n']));
    await expectBackToOnlyTheProbe();
  });

  test('20 clients that never read are no longer read, then dropped after the write stall; memory stays bounded', async () => {
    const worstMs = await underAbuse(async () => {
      const sockets = await open(20);
      // INFO answers ~36 bytes for each 5 sent: enough to fill the kernel's loopback buffers
      // (several MB) so the server sees its writes stall, as it would with a real slow reader.
      const request = Buffer.from('INFO\n'.repeat(20_000));
      for (const socket of sockets) {
        socket.pause();
        for (let round = 0; round < 30 && !socket.destroyed; round += 1) socket.write(request);
      }
      // A paused client never notices the server dropping it; watch the server's side instead.
      await waitForConnections(1);
      for (const socket of sockets) socket.destroy();
    });
    expect(worstMs).toBeLessThan(probeLatencyMsBudget);
    await expectBackToOnlyTheProbe();
  });

  test('slowloris: 300 clients dribbling a byte every 50 ms do not slow anyone else', async () => {
    const sockets = await open(300);
    const worstMs = await underAbuse(async () => {
      for (let tick = 0; tick < 20; tick += 1) {
        for (const socket of sockets) socket.write('W');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    expect(worstMs).toBeLessThan(probeLatencyMsBudget);
    for (const socket of sockets) socket.destroy();
    await expectBackToOnlyTheProbe();
  });

  test('a connect/disconnect flood of 5,000 clients leaves the count at zero', async () => {
    const worstMs = await underAbuse(async () => {
      for (let wave = 0; wave < 10; wave += 1) {
        const sockets = await open(500);
        for (const socket of sockets) socket.destroy();
      }
    });
    expect(worstMs).toBeLessThan(probeLatencyMsBudget);
    await expectBackToOnlyTheProbe();
  });

  test('10,000 connections reset at once leave the count at zero', async () => {
    const sockets: net.Socket[] = [];
    for (let wave = 0; wave < 10; wave += 1) sockets.push(...(await open(1_000)));
    await waitForConnections(10_001);
    for (const socket of sockets) socket.resetAndDestroy();
    await expectBackToOnlyTheProbe();
  }, 60_000);
});
