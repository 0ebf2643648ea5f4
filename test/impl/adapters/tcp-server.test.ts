/**
 * The TCP adapter on real loopback sockets, in-process. Wall-clock assertions are tolerant:
 * these machines are shared and noisy.
 */
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import type { RunningServer } from '../../../impl/adapters/server.ts';
import { startTestServer } from '../../support/in-process-server.ts';
import { connectLine, type LineClient } from '../../support/line-client.ts';

let server: RunningServer | undefined;
const clients: LineClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.crash();
  server = undefined;
});

async function connect(port: number): Promise<LineClient> {
  const client = await connectLine(port);
  clients.push(client);
  return client;
}

async function waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('tcp server: commands on real sockets', () => {
  test('every command answers as the protocol says', async () => {
    server = await startTestServer();
    const client = await connect(server.port);
    expect(await client.ask('WHY')).toBe('42');
    expect(await client.ask('WHERE')).toBe(server.serverId);
    expect(await client.ask('WHO')).toBe('1');
    expect(await client.ask('HELP')).toBe('COMMANDS WHO WHERE WHY INFO HELP QUIT');
    const info = JSON.parse(await client.ask('INFO')) as Record<string, unknown>;
    expect(info).toMatchObject({ serverId: server.serverId, mode: 'local', localConnections: 1 });
    expect(await client.ask('JUMP')).toBe('ERR unknown command JUMP');
    expect(await client.ask('QUIT')).toBe('BYE');
    await client.closed();
  });

  test('many commands pipelined in one write are answered in order', async () => {
    server = await startTestServer();
    const client = await connect(server.port);
    client.send('WHY\nWHO\nWHERE\n'.repeat(200));
    const lines = await client.lines(600);
    for (let index = 0; index < 600; index += 3) {
      expect(lines.slice(index, index + 3)).toEqual(['42', '1', server.serverId]);
    }
  });

  test('1,000 concurrent clients make WHO answer 1000, and after they leave a new client gets 1', async () => {
    server = await startTestServer();
    const port = server.port;
    const many = await Promise.all(Array.from({ length: 1_000 }, () => connect(port)));
    await waitFor(() => server!.core.tracker.count === 1_000);
    expect(await many[500]!.ask('WHO')).toBe('1000');
    for (const client of many) client.close();
    await waitFor(() => server!.core.tracker.count === 0);
    const last = await connect(port);
    expect(await last.ask('WHO')).toBe('1');
  });

  test('a line longer than --max-line-bytes gets ERR line too long and a close, without a newline', async () => {
    server = await startTestServer({ maxLineBytes: 16 });
    const client = await connect(server.port);
    client.send('x'.repeat(17));
    expect(await client.lines(1)).toEqual(['ERR line too long']);
    await client.closed();
    await waitFor(() => server!.core.tracker.count === 0);
  });
});

describe('tcp server: limits', () => {
  test('past --max-connections an extra client gets ERR server full and is closed, the others stay', async () => {
    server = await startTestServer({ maxConnections: 2 });
    const first = await connect(server.port);
    await connect(server.port);
    const extra = await connect(server.port);
    expect(await extra.lines(1)).toEqual(['ERR server full']);
    await extra.closed();
    expect(await first.ask('WHO')).toBe('2');
  });

  test('past --max-connections-per-ip an extra client from the same address is refused, one from another is not', async () => {
    // The adapter looks a client's address up only when this limit is on (it costs memory per client).
    server = await startTestServer({ maxConnectionsPerIp: 1 });
    const first = await connect(server.port);
    const extra = await connect(server.port);
    expect(await extra.lines(1)).toEqual(['ERR server full']);
    await extra.closed();
    const other = net.connect({ port: server.port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    other.on('error', () => {});
    other.write('WHO\n');
    const [reply] = (await once(other, 'data')) as [Buffer];
    other.destroy();
    expect(reply.toString()).toBe('2\n');
    expect(await first.ask('WHY')).toBe('42');
  });

  test('an idle client gets BYE idle and is closed after --idle-timeout-ms', async () => {
    server = await startTestServer({ idleTimeoutMs: 150 });
    const client = await connect(server.port);
    const startedAt = Date.now();
    expect(await client.lines(1, 3_000)).toEqual(['BYE idle']);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
    await client.closed();
    await waitFor(() => server!.core.tracker.count === 0);
  });

  test('a client past --max-connection-age-ms gets BYE max age even while active', async () => {
    server = await startTestServer({ maxConnectionAgeMs: 200 });
    const client = await connect(server.port);
    const replies: string[] = [];
    for (let index = 0; index < 100 && !replies.includes('BYE max age'); index += 1) {
      client.send('WHY\n');
      replies.push(...(await client.lines(1)));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(replies.at(-1)).toBe('BYE max age');
    await client.closed();
  });

  test('a client that never reads stops being read, then is dropped after --write-stall-ms', async () => {
    server = await startTestServer({ maxOutputBytes: 1024, writeStallMs: 300 });
    const socket = net.connect({ port: server.port, host: '127.0.0.1' });
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    const request = Buffer.from('INFO\n'.repeat(20_000));
    for (let index = 0; index < 50 && !socket.destroyed; index += 1) socket.write(request);
    await waitFor(() => server!.core.tracker.count === 0, 10_000);
    socket.destroy();
  });

  test('a half-closed client still gets its replies', async () => {
    server = await startTestServer();
    const socket = net.connect({ port: server.port, host: '127.0.0.1' });
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.end('WHY\nWHO\n');
    await new Promise((resolve) => socket.once('close', resolve));
    expect(received).toBe('42\n1\n');
  });

  test('a client that half-closes without a word stops counting and gets our FIN', async () => {
    server = await startTestServer();
    const socket = net.connect({ port: server.port, host: '127.0.0.1' });
    await new Promise((resolve) => socket.once('connect', resolve));
    await waitFor(() => server!.core.tracker.count === 1);
    const ended = once(socket, 'end');
    socket.end();
    await ended;
    await waitFor(() => server!.core.tracker.count === 0);
    socket.destroy();
  });

  test('a client the server drops for a stalled write is released once and counted out', async () => {
    server = await startTestServer({ maxOutputBytes: 1024, writeStallMs: 200 });
    const stalled = net.connect({ port: server.port, host: '127.0.0.1' });
    stalled.on('error', () => {});
    await new Promise((resolve) => stalled.once('connect', resolve));
    stalled.pause();
    stalled.write('INFO\n'.repeat(50_000));
    const probe = await connect(server.port);
    await waitFor(() => server!.core.tracker.count === 1, 10_000);
    expect(await probe.ask('WHO')).toBe('1');
    stalled.destroy();
  });
});
