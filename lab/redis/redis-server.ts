/**
 * A real `redis-server` for tests, benches and the lab: spawned on a free port with persistence
 * off (`--save '' --appendonly no`) and a working directory of its own, emptied before every
 * start, so a restart comes back EMPTY, exactly the case mode A must heal (a replica's full sync
 * writes an RDB file even with saving off, and redis-server loads any `dump.rdb` it finds). Never the shared Redis on 6379: each user gets its own process and port.
 *
 * `stop()` is a graceful shutdown (SIGTERM), `kill()` is `kill -9`, `restart()` starts a fresh,
 * empty server on the same port (a Redis that crashed and came back), `pause()`/`resume()` freeze
 * and thaw it (SIGSTOP/SIGCONT: a Redis that hangs without closing connections).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServerOptions {
  /** Port to listen on; 0 or absent takes a free one. */
  port?: number;
  /** Extra command-line arguments, e.g. `['--requirepass', 'secret']`. */
  args?: string[];
  /** How long to wait for the server to accept connections. @default 5000 */
  startTimeoutMs?: number;
}

export interface RedisServer {
  port: number;
  url: string;
  /** The current process id (changes on `restart()`). */
  readonly pid: number;
  /** Freeze the process (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Thaw a paused process (SIGCONT). */
  resume(): void;
  /** Graceful: SIGTERM, wait for exit. */
  stop(): Promise<void>;
  /** Abrupt: SIGKILL, wait for exit. */
  kill(): Promise<void>;
  /** Starts a fresh empty server on the same port (stopping the current one if running). */
  restart(): Promise<void>;
}

export const redisServerMissing = 'redis-server not found: apt-get install redis-server';

export function assertRedisInstalled(binary = 'redis-server'): void {
  const probe = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      binary === 'redis-server' ? redisServerMissing : `${binary} not found: apt-get install redis-tools`,
    );
  }
}

/** A port the OS says is free right now (closed again before returning). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  assertRedisInstalled();
  const port = options.port !== undefined && options.port !== 0 ? options.port : await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hc-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  args.push('--dir', dir, '--protected-mode', 'no', ...(options.args ?? []));
  const startTimeoutMs = options.startTimeoutMs ?? 5_000;
  const spawnEmpty = () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    return spawnRedis(args, port, startTimeoutMs);
  };
  let child = await spawnEmpty();
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || (child.signalCode !== null && child.signalCode !== 'SIGSTOP')) return;
    const exited = once(child, 'exit');
    // The child is unref'd while it runs; waiting for its exit must keep the loop alive.
    child.ref();
    child.kill('SIGCONT');
    child.kill(signal);
    await exited;
  };
  const endAndClean = async (signal: NodeJS.Signals) => {
    await end(signal);
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid ?? -1;
    },
    pause: () => {
      child.kill('SIGSTOP');
    },
    resume: () => {
      child.kill('SIGCONT');
    },
    stop: () => endAndClean('SIGTERM'),
    kill: () => endAndClean('SIGKILL'),
    restart: async () => {
      await end('SIGKILL');
      child = await spawnEmpty();
    },
  };
}

export async function spawnRedis(
  args: string[],
  port: number,
  startTimeoutMs: number,
): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    // Only the tail matters for an error message; bound what we keep.
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`${redisServerMissing} (${error.message})`)));
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited (${code}) on port ${port}: ${output}`)),
    );
  });
  failed.catch(() => {});
  const startedAtMs = Date.now();
  while (Date.now() - startedAtMs < startTimeoutMs) {
    if (await accepts(port)) {
      child.unref();
      // Keep the pipes drained without holding the event loop open.
      (child.stdout as unknown as { unref?: () => void })?.unref?.();
      (child.stderr as unknown as { unref?: () => void })?.unref?.();
      return child;
    }
    const exited = await Promise.race([
      failed.then(
        () => false,
        () => true,
      ),
      sleep(25).then(() => false),
    ]);
    if (exited) await failed;
  }
  child.kill('SIGKILL');
  throw new Error(
    `redis-server did not accept connections on ${port} within ${startTimeoutMs} ms: ${output}`,
  );
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
