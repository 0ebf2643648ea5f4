/**
 * Several descriptors of one listening socket (`--accept-handles`), on real loopback sockets.
 * Goal: the duplicates are real listeners of the same socket, every client is admitted once
 * whichever descriptor accepted it, and a stop closes all of them. Method: counts and refusals,
 * never timings (the benefit, accepts per loop turn, is measured by bench/hostile-clients.ts).
 */
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { duplicateListenHandles } from '../../../impl/adapters/accept-handles.ts';
import type { RunningServer } from '../../../impl/adapters/server.ts';
import { parseServeOptions } from '../../../impl/config/serve-options.ts';
import { startTestServer } from '../../support/in-process-server.ts';
import { connectLine, type LineClient } from '../../support/line-client.ts';

let server: RunningServer | undefined;
const clients: LineClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.crash();
  server = undefined;
});

async function waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves with the connect error's code, or 'connected'. */
async function tryConnect(port: number): Promise<string> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  try {
    await once(socket, 'connect');
    return 'connected';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'error';
  } finally {
    socket.destroy();
  }
}

describe('accept handles: duplicates of the listening socket', () => {
  test('a duplicate keeps accepting on the same port after the original listener closes', async () => {
    const original = net.createServer();
    original.listen({ host: '127.0.0.1', port: 0, backlog: 64 });
    await once(original, 'listening');
    const { port } = original.address() as net.AddressInfo;
    const [handle] = await duplicateListenHandles(original, 1);
    const duplicate = net.createServer((socket) => socket.end('from the duplicate\n'));
    duplicate.listen(handle, 64);
    await once(duplicate, 'listening');
    await new Promise((resolve) => original.close(resolve));

    const socket = net.connect({ port, host: '127.0.0.1' });
    const [reply] = (await once(socket, 'data')) as [Buffer];
    expect(reply.toString()).toBe('from the duplicate\n');
    socket.destroy();
    await new Promise((resolve) => duplicate.close(resolve));
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
  });

  test('an echo process that does not answer in time is given up: the call rejects and the original keeps accepting', async () => {
    const original = net.createServer((socket) => socket.end('from the original\n'));
    original.listen({ host: '127.0.0.1', port: 0, backlog: 64 });
    await once(original, 'listening');
    const { port } = original.address() as net.AddressInfo;
    // 1 ms is less than any node start-up, so the wait always runs out first.
    await expect(duplicateListenHandles(original, 2, 1)).rejects.toThrow(/abort/i);
    const socket = net.connect({ port, host: '127.0.0.1' });
    const [reply] = (await once(socket, 'data')) as [Buffer];
    expect(reply.toString()).toBe('from the original\n');
    socket.destroy();
    await new Promise((resolve) => original.close(resolve));
  });

  test('asking for no duplicates starts no process and gives none', async () => {
    const original = net.createServer();
    expect(await duplicateListenHandles(original, 0)).toEqual([]);
  });
});

describe('accept handles: the server', () => {
  test('a server with 4 accept handles accepts every client and counts them all, and after every client leaves the count is back to zero', async () => {
    server = await startTestServer({ acceptHandles: 4 });
    const port = server.port;
    const many = await Promise.all(Array.from({ length: 500 }, () => connectLine(port)));
    clients.push(...many);
    await waitFor(() => server!.core.tracker.count === 500);
    expect(await many[250]!.ask('WHO')).toBe('500');
    for (const client of clients.splice(0)) client.close();
    await waitFor(() => server!.core.tracker.count === 0);
    const last = await connectLine(port);
    clients.push(last);
    expect(await last.ask('WHO')).toBe('1');
  });

  test('a graceful stop closes every accept handle: the port refuses new clients afterwards', async () => {
    server = await startTestServer({ acceptHandles: 4 });
    const port = server.port;
    const client = await connectLine(port);
    clients.push(client);
    await server.stop();
    server = undefined;
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
  });

  test('--accept-handles takes 1 to 64 and defaults to 4', () => {
    const parsed = (raw: Record<string, unknown>) => parseServeOptions(raw);
    const defaults = parsed({});
    expect(defaults.ok && defaults.value.acceptHandles).toBe(4);
    expect(parsed({ acceptHandles: '64' }).ok).toBe(true);
    for (const bad of ['0', '65', '2.5']) {
      const result = parsed({ acceptHandles: bad });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.map((problem) => problem.field)).toEqual(['acceptHandles']);
    }
  });
});
