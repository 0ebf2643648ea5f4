/**
 * Test fixtures for the fault proxy: an echo server on a free port, a fault proxy in front of it
 * driven through toxiproxy-node-client (the way the lab and any Toxiproxy user drives it), and
 * small socket helpers that measure from the test's side of the wire.
 */
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type Proxy as ToxiproxyProxy, Toxiproxy } from 'toxiproxy-node-client';
import { type FaultProxy, startFaultProxy } from '../../../lab/faultproxy/index.ts';

export interface Fixture {
  readonly faultProxy: FaultProxy;
  readonly toxiproxy: Toxiproxy;
  readonly echoPort: number;
  readonly proxy: ToxiproxyProxy;
  /** The port clients connect to. */
  readonly proxyPort: number;
  close(): Promise<void>;
}

/** An echo server; sockets half-close like a real server would (end after the peer ends). */
export async function startEcho(): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function setup(seed = 1, proxyName = 'echo'): Promise<Fixture> {
  const echo = await startEcho();
  const faultProxy = await startFaultProxy({ port: 0, seed });
  const toxiproxy = new Toxiproxy(faultProxy.url);
  const proxy = await toxiproxy.createProxy({
    name: proxyName,
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${echo.port}`,
  });
  return {
    faultProxy,
    toxiproxy,
    echoPort: echo.port,
    proxy,
    proxyPort: portOf(proxy.listen),
    close: async () => {
      await faultProxy.close();
      await echo.close();
    },
  };
}

export function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

export function connectClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `payload` and resolves with the milliseconds until all of it has come back. */
export function roundTripMs(socket: Socket, payload = 'ping\n'): Promise<number> {
  const startMs = performance.now();
  return readBytes(socket, Buffer.byteLength(payload), () => socket.write(payload)).then(
    () => performance.now() - startMs,
  );
}

/** Reads exactly `count` bytes (starting `afterListen` once listening), with the data events seen. */
export function readBytes(
  socket: Socket,
  count: number,
  afterListen: () => void = () => {},
): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes >= count) {
        socket.off('data', onData);
        socket.off('close', onClose);
        resolve(chunks);
      }
    };
    const onClose = (): void => reject(new Error(`closed after ${bytes} of ${count} bytes`));
    socket.on('data', onData);
    socket.once('close', onClose);
    afterListen();
  });
}

export interface Ending {
  /** Everything received before the end. */
  readonly received: string;
  /** The socket error code, e.g. ECONNRESET, if it ended with one. */
  readonly errorCode: string | undefined;
  /** When it closed, on the performance clock. */
  readonly atMs: number;
}

/** Collects what arrives until the socket closes. */
export function untilClosed(socket: Socket): Promise<Ending> {
  return new Promise((resolve) => {
    let received = '';
    let errorCode: string | undefined;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
    });
    socket.on('end', () => socket.end());
    socket.on('error', (error: NodeJS.ErrnoException) => {
      errorCode = error.code;
    });
    socket.once('close', () => resolve({ received, errorCode, atMs: performance.now() }));
  });
}

/** Resolves with the error code of a connection attempt, or 'connected'. */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
