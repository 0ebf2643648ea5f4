/**
 * The file-descriptor limit (issue 11, "Limits"). Goal: at `ulimit -n` the server refuses new
 * clients, keeps serving the ones it has, and its admin port and logs keep working (a naive
 * server crashed here: accept, and even `process.memoryUsage()`, threw EMFILE). Method: a real
 * `headcount serve` under `ulimit -n 200` (so clients are capped at 200 - 64 - 3 = 133: 64 kept
 * for everything else, 3 for the extra accept descriptors of the default --accept-handles 4), filled to
 * its cap, then flooded with far more connects than it has descriptors.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { acceptHandlesDefault } from '../../impl/adapters/accept-handles.ts';
import { connectLine, type LineClient } from '../support/line-client.ts';
import type { Spawned } from '../support/spawn-headcount.ts';
import { spawnWithFdLimit } from './spawn-limited.ts';

const fdLimit = 200;
/**
 * impl/adapters/fd-limit.ts keeps 64 descriptors for everything that is not a client, and each
 * accept descriptor past the first (accept-handles.ts) takes one more from the clients' share.
 */
const clientsMax = fdLimit - 64 - (acceptHandlesDefault - 1);

let server: Spawned;
let adminUrl: string;
const held: LineClient[] = [];

beforeAll(async () => {
  server = await spawnWithFdLimit(fdLimit, [
    'serve',
    '--port',
    '0',
    '--admin-port',
    'auto',
    '--max-connections',
    '10000',
    '--log-level',
    'info',
  ]);
  adminUrl = `http://127.0.0.1:${server.listening.adminPort}`;
});

afterAll(async () => {
  for (const client of held) client.close();
  server?.kill('SIGKILL');
  await server?.exited;
});

async function metricLines(): Promise<string> {
  const response = await fetch(`${adminUrl}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

function metricValue(text: string, prefix: string): number {
  const line = text.split('\n').find((entry) => entry.startsWith(prefix));
  if (line === undefined) throw new Error(`${prefix} missing from /metrics`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Connects and reads everything until the server closes: a refused client's whole conversation. */
function conversation(port: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('error', () => {});
    socket.once('close', () => resolve(text));
    socket.setTimeout(5_000, () => socket.destroy());
  });
}

describe('fd limit: a server under ulimit -n 200', () => {
  test('warns at start that --max-connections is above what the descriptor limit allows', () => {
    expect(server.output()).toContain('connectionsMax is above what the file-descriptor limit allows');
  });

  test(`holds ${clientsMax} clients, and each one is served`, async () => {
    for (let index = 0; index < clientsMax; index += 1) held.push(await connectLine(server.port));
    const answers = await Promise.all(held.map((client) => client.ask('WHY')));
    expect(new Set(answers)).toEqual(new Set(['42']));
    expect(await held[0]!.ask('WHO')).toBe(String(clientsMax));
  });

  test('the next client is refused with ERR server full, counted as fd-limit', async () => {
    expect(await conversation(server.port)).toBe('ERR server full\n');
    expect(metricValue(await metricLines(), 'headcount_connections_rejected_total{reason="fd-limit"}')).toBe(
      1,
    );
  });

  test('a flood of 400 connects past the limit: none admitted, held clients still answered, nothing crashes', async () => {
    const flood = await Promise.all(Array.from({ length: 400 }, () => conversation(server.port)));
    // Refused while under the raw limit: ERR server full. Past it the kernel queue or an EMFILE
    // accept may leave a connect unanswered; what matters is that none is admitted.
    for (const text of flood) expect(['ERR server full\n', '']).toContain(text);
    expect(flood.filter((text) => text === 'ERR server full\n').length).toBeGreaterThan(0);
    const answers = await Promise.all(held.map((client) => client.ask('WHY')));
    expect(new Set(answers)).toEqual(new Set(['42']));
    expect(await held[0]!.ask('WHO')).toBe(String(clientsMax));
    expect(server.process.exitCode).toBeNull();
  }, 30_000);

  test('/metrics, /healthz and /readyz keep answering at the limit, memory included', async () => {
    const text = await metricLines();
    expect(metricValue(text, 'headcount_connections ')).toBe(clientsMax);
    expect(metricValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect((await fetch(`${adminUrl}/healthz`)).status).toBe(200);
    const readyz = await fetch(`${adminUrl}/readyz`);
    expect(readyz.status).toBe(200);
    expect(((await readyz.json()) as { ready: boolean }).ready).toBe(true);
  });

  test('once some clients leave, new ones are admitted again', async () => {
    for (const client of held.splice(0, 10)) client.close();
    const deadlineMs = Date.now() + 5_000;
    while (metricValue(await metricLines(), 'headcount_connections ') !== clientsMax - 10) {
      if (Date.now() > deadlineMs) throw new Error('the server did not see 10 clients leave');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const fresh = await connectLine(server.port);
    held.push(fresh);
    expect(await fresh.ask('WHO')).toBe(String(clientsMax - 9));
  });

  test('logging still works: a SIGTERM at the limit logs draining and stopped, and exits 0', async () => {
    server.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const messages = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('draining');
    expect(messages).toContain('stopped');
  }, 15_000);
});
