/**
 * A minimal line-protocol client for tests: connect, send lines, read reply lines, with every
 * wait bounded.
 */
import net from 'node:net';

export interface LineClient {
  socket: net.Socket;
  send(text: string): void;
  /** The next `count` reply lines (without their '\n'). */
  lines(count: number, timeoutMs?: number): Promise<string[]>;
  /** Sends one command and returns its one-line reply. */
  ask(command: string): Promise<string>;
  /** Resolves when the server has closed the connection. */
  closed(timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function connectLine(port: number, host = '127.0.0.1'): Promise<LineClient> {
  const socket = net.connect({ port, host });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let buffer = '';
  const received: string[] = [];
  let waiter: (() => void) | undefined;
  let ended = false;
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    let index = buffer.indexOf('\n');
    while (index !== -1) {
      received.push(buffer.slice(0, index));
      buffer = buffer.slice(index + 1);
      index = buffer.indexOf('\n');
    }
    waiter?.();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    ended = true;
    waiter?.();
  });
  const lines = async (count: number, timeoutMs = 5_000): Promise<string[]> => {
    const deadline = Date.now() + timeoutMs;
    while (received.length < count) {
      if (ended)
        throw new Error(
          `connection closed after ${received.length} of ${count} lines: ${JSON.stringify(received)}`,
        );
      const leftMs = deadline - Date.now();
      if (leftMs <= 0)
        throw new Error(`timed out after ${received.length} of ${count} lines: ${JSON.stringify(received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, leftMs);
        waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      waiter = undefined;
    }
    return received.splice(0, count);
  };
  return {
    socket,
    send: (text) => socket.write(text),
    lines,
    ask: async (command) => {
      socket.write(`${command}\n`);
      const [line] = await lines(1);
      return line!;
    },
    closed: async (timeoutMs = 5_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!ended) {
        if (Date.now() > deadline) throw new Error('the server did not close the connection');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () => socket.destroy(),
  };
}
