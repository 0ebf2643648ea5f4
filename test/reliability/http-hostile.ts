/**
 * Raw-socket tools for the hostile-input suites of the HTTP surfaces (admin, discovery, fault
 * proxy API, health): send exact bytes and read the status line, see how long a silent or slow
 * client is kept, push a large body and count how much of it the server let in, and open a storm
 * of idle connections. Every loop is bounded; every socket is closed by `closeAll`.
 */
import net from 'node:net';

export interface RawAnswer {
  /** The status code of the first response, or undefined when the server closed without one. */
  status: number | undefined;
  text: string;
}

const sockets = new Set<net.Socket>();

function track(socket: net.Socket): net.Socket {
  sockets.add(socket);
  socket.on('error', () => {});
  socket.once('close', () => sockets.delete(socket));
  return socket;
}

export function closeAll(): void {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
}

/** Sends `bytes` as they are and reads until the server closes or `timeoutMs` passes. */
export function rawRequest(port: number, bytes: string | Buffer, timeoutMs = 5_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    let text = '';
    const socket = track(net.connect({ port, host: '127.0.0.1' }, () => socket.write(bytes)));
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: match === null ? undefined : Number(match[1]), text });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      // One complete response is enough; keep-alive would otherwise hold us until timeoutMs.
      if (complete(text)) finish();
    });
    socket.once('close', finish);
  });
}

function complete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, end));
  return length !== null && text.length - end - 4 >= Number(length[1]);
}

/** A GET with the usual headers. */
export function get(path: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ host: 'x', ...headers }).map(([key, value]) => `${key}: ${value}\r\n`);
  return `GET ${path} HTTP/1.1\r\n${lines.join('')}\r\n`;
}

/**
 * Opens a connection, then calls `behave` (send nothing, or trickle bytes), and resolves with how
 * long the server kept it open, or `limitMs` when it was still open then.
 */
export function heldForMs(
  port: number,
  limitMs: number,
  behave: (socket: net.Socket) => void = () => {},
): Promise<number> {
  return new Promise((resolve) => {
    const startedMs = performance.now();
    const socket = track(net.connect({ port, host: '127.0.0.1' }, () => behave(socket)));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(limitMs);
    }, limitMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - startedMs);
    });
    socket.on('data', () => {});
  });
}

/** Sends a header line every `everyMs` and never finishes the headers (slowloris). */
export function trickleHeaders(everyMs: number): (socket: net.Socket) => void {
  return (socket) => {
    socket.write('GET / HTTP/1.1\r\nhost: x\r\n');
    let index = 0;
    const timer = setInterval(() => {
      if (socket.destroyed) return clearInterval(timer);
      index += 1;
      socket.write(`x-${index}: y\r\n`);
    }, everyMs);
    socket.once('close', () => clearInterval(timer));
  };
}

/**
 * Sends `head` then up to `bodyBytes` of body as fast as the server takes it, and resolves with
 * the bytes the server let in before it closed the connection (or `bodyBytes` if it read all).
 */
export function pushBody(
  port: number,
  head: string,
  bodyBytes: number,
  timeoutMs: number,
): Promise<{ writtenBytes: number; answer: string; closed: boolean }> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let writtenBytes = 0;
    let answer = '';
    let done = false;
    const socket = track(net.connect({ port, host: '127.0.0.1' }));
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ writtenBytes, answer, closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (data) => {
      answer += data.toString('latin1');
    });
    socket.once('close', () => finish(true));
    const pump = () => {
      while (!done && !socket.destroyed && writtenBytes < bodyBytes) {
        writtenBytes += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
    };
    socket.once('connect', () => {
      socket.write(head);
      pump();
    });
  });
}

/**
 * Opens `count` connections (at most `parallel` connecting at once); half stay silent, half
 * trickle header bytes. Resolves once every connect attempt has settled; the sockets stay open
 * until the server closes them or `closeAll` runs.
 */
export async function storm(port: number, count: number, parallel = 64): Promise<void> {
  let started = 0;
  const one = (index: number) =>
    new Promise<void>((resolve) => {
      const socket = track(net.connect({ port, host: '127.0.0.1' }));
      socket.once('connect', () => {
        if (index % 2 === 1) trickleHeaders(500)(socket);
        resolve();
      });
      socket.once('error', () => resolve());
      socket.once('close', () => resolve());
    });
  const lanes = Array.from({ length: parallel }, async () => {
    while (started < count) {
      const index = started;
      started += 1;
      await one(index);
    }
  });
  await Promise.all(lanes);
}

/** Retries `ask` until it gives an answer or `timeoutMs` passes: what a well-behaved client does. */
export async function eventually<T>(timeoutMs: number, ask: () => Promise<T | undefined>): Promise<T> {
  const deadlineMs = performance.now() + timeoutMs;
  for (;;) {
    const answer = await ask().catch(() => undefined);
    if (answer !== undefined) return answer;
    if (performance.now() > deadlineMs) throw new Error(`no answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Counts log lines holding `text` in a process's output so far. */
export function linesWith(output: string, text: string): number {
  return output.split('\n').filter((line) => line.includes(text)).length;
}
