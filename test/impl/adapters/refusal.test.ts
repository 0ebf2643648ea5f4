/**
 * The refusal path on real loopback sockets, and the accept-error log on hand-fed times.
 */
import net from 'node:net';
import { describe, expect, test } from 'vitest';
import {
  AcceptErrorLog,
  acceptErrorLogIntervalMs,
  Refuser,
  refusalsInFlightMax,
} from '../../../impl/adapters/refusal.ts';

function firstLine(port: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.once('close', () => resolve(text));
  });
}

describe('refusal: written and closed at once', () => {
  test('a refused client reads its line and then a close, and no refusal stays in flight', async () => {
    const refuser = new Refuser();
    const server = net.createServer((socket) => refuser.refuse(socket, 'ERR server full\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const replies = await Promise.all(Array.from({ length: 200 }, () => firstLine(port)));
    expect(new Set(replies)).toEqual(new Set(['ERR server full\n']));
    await new Promise((resolve) => setImmediate(resolve));
    expect(refuser.inFlight).toBe(0);
    await new Promise((resolve) => server.close(resolve));
  });

  test(`past ${refusalsInFlightMax} refusals in one turn, the rest are closed without a line`, async () => {
    const refuser = new Refuser();
    const held: net.Socket[] = [];
    const server = net.createServer((socket) => {
      held.push(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const count = refusalsInFlightMax + 20;
    const replies = Array.from({ length: count }, () => firstLine(port));
    while (held.length < count) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const socket of held) refuser.refuse(socket, 'ERR server full\n');
    expect(refuser.inFlight).toBe(refusalsInFlightMax);
    const texts = await Promise.all(replies);
    expect(texts.filter((text) => text === 'ERR server full\n')).toHaveLength(refusalsInFlightMax);
    expect(texts.filter((text) => text === '')).toHaveLength(20);
    expect(refuser.inFlight).toBe(0);
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('accept errors: one log line per interval', () => {
  test('10,000 errors within one interval log once, and the next line counts the ones folded in', () => {
    const log = new AcceptErrorLog();
    const reported = Array.from({ length: 10_000 }, (_, index) => log.note(index / 100));
    expect(reported.filter((errors) => errors > 0)).toEqual([1]);
    expect(log.note(acceptErrorLogIntervalMs)).toBe(10_000);
  });
});
