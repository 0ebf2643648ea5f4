/**
 * One headcount server of a lab cluster, in this process or as a child process, behind one
 * interface so the launcher and the engine do not care which:
 *
 *   in-process      crash = `RunningServer.crash()` (sockets and timers destroyed, no
 *                   deregistration); stop = `stop()` (drain, delete entry, deregister)
 *   child process   crash = SIGKILL; stop = SIGTERM; freeze = SIGSTOP, thaw = SIGCONT
 *
 * A server keeps its client and admin ports across restarts, so load balancer entries, proxies
 * and the client pool's targets stay valid; its id follows its id strategy (a new uuid per boot).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createLogger, type LogLevel } from '../../impl/adapters/logger.ts';
import { type RunningServer, startServer } from '../../impl/adapters/server.ts';
import { monotonicClock } from '../../impl/adapters/system-clock.ts';
import { flagOf, parseServeOptions, type ServeOptions } from '../../impl/config/serve-options.ts';
import type { OffsetClock } from './offset-clock.ts';

export const headcountBin = fileURLToPath(new URL('../../bin/headcount.js', import.meta.url));

/** A child that has not printed `listening` by then is broken (tsx start-up is ~1 s on 2 cores). */
const childStartTimeoutMs = 20_000;

export interface ServerHandle {
  readonly index: number;
  readonly port: number;
  readonly adminPort: number;
  readonly serverId: string;
  readonly up: boolean;
  readonly frozen: boolean;
  /**
   * Can serve now: what its `/readyz` answers (up, not draining, in the fleet: a fenced mode C
   * server is not ready), the health check a load balancer makes before it routes a client. An
   * in-process server is asked at once, as the simulator's health-checked balancer asks; a child
   * process reports `up` (no check between its polls).
   */
  readonly ready: boolean;
  /** Starts (again) on the same ports; resolves once it accepts clients. */
  start(): Promise<void>;
  /** Abrupt: no drain, no deregistration. */
  crash(): Promise<void>;
  /** Graceful: drain, delete the entry / deregister. */
  stop(): Promise<void>;
  /** Child processes only: SIGSTOP now, SIGCONT after `realMs`. */
  freeze(realMs: number): Promise<void>;
  /** The server's own process id while it runs as a child process; undefined in this process. */
  readonly pid: number | undefined;
}

/** Raw serve flags (camelCase, as `parseServeOptions` takes them); ports are filled in here. */
export type ServeFlags = Record<string, unknown>;

export function parseFlags(flags: ServeFlags): ServeOptions {
  const parsed = parseServeOptions(flags);
  if (!parsed.ok)
    throw new Error(
      `lab server options: ${parsed.error.map((p) => `${flagOf(p.field)}: ${p.message}`).join('; ')}`,
    );
  return parsed.value;
}

/** A server in this process; `clock` (optional) offsets its clocks (clock offsets and jumps). */
export function inProcessServer(index: number, flags: ServeFlags, clock?: OffsetClock): ServerHandle {
  let running: RunningServer | undefined;
  let port = 0;
  // A fixed admin port (the lab proxies discovery's calls to it) or a free one at the first start.
  let adminPort = typeof flags.adminPort === 'number' ? flags.adminPort : 0;
  let serverId = '';
  const logger = createLogger((flags.logLevel as LogLevel | undefined) ?? 'silent', `server-${index}`);
  return {
    index,
    get port() {
      return port;
    },
    get adminPort() {
      return adminPort;
    },
    get serverId() {
      return serverId;
    },
    get up() {
      return running !== undefined;
    },
    get ready() {
      if (running === undefined || running.core.draining) return false;
      return running.core.backend.readiness((clock?.monotonic ?? monotonicClock).nowMs()).ready;
    },
    frozen: false,
    pid: undefined,
    start: async () => {
      if (running !== undefined) return;
      const options = parseFlags({ ...flags, port, adminPort: adminPort === 0 ? 'auto' : adminPort });
      const started = await startServer(options, {
        logger,
        ...(clock === undefined ? {} : { clock: clock.monotonic, wallClock: clock.wall }),
      });
      if (!started.ok) throw new Error(`server-${index}: ${started.error.message}`);
      running = started.value;
      port = running.port;
      adminPort = running.adminPort ?? 0;
      serverId = running.serverId;
    },
    crash: async () => {
      const server = running;
      running = undefined;
      await server?.crash();
    },
    stop: async () => {
      const server = running;
      running = undefined;
      await server?.stop();
    },
    freeze: async () => {
      throw new Error('freeze needs child processes (processes: true): one process cannot stop itself');
    },
  };
}

export function childProcessServer(index: number, flags: ServeFlags): ServerHandle {
  let child: ChildProcess | undefined;
  let port = 0;
  // A fixed admin port (the lab proxies discovery's calls to it) or a free one at the first start.
  let adminPort = typeof flags.adminPort === 'number' ? flags.adminPort : 0;
  let serverId = '';
  let frozen = false;
  const exited = async (proc: ChildProcess) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    await once(proc, 'exit');
  };
  return {
    index,
    get port() {
      return port;
    },
    get adminPort() {
      return adminPort;
    },
    get serverId() {
      return serverId;
    },
    get up() {
      return child !== undefined;
    },
    get pid() {
      return child?.pid;
    },
    get ready() {
      return child !== undefined;
    },
    get frozen() {
      return frozen;
    },
    start: async () => {
      if (child !== undefined) return;
      parseFlags({ ...flags, port, adminPort: adminPort === 0 ? 'auto' : adminPort }); // fail here, not in the child
      const args = ['serve', ...toArgs({ ...flags, port, adminPort: adminPort === 0 ? 'auto' : adminPort })];
      const started = await spawnListening(args, `server-${index}`);
      child = started.child;
      port = Number(started.listening.port);
      adminPort = Number(started.listening.adminPort);
      serverId = String(started.listening.serverId);
    },
    crash: async () => {
      const proc = child;
      child = undefined;
      frozen = false;
      if (proc === undefined) return;
      proc.kill('SIGKILL');
      await exited(proc);
    },
    stop: async () => {
      const proc = child;
      child = undefined;
      if (proc === undefined) return;
      if (frozen) proc.kill('SIGCONT');
      frozen = false;
      proc.kill('SIGTERM');
      await exited(proc);
    },
    freeze: async (realMs) => {
      const proc = child;
      if (proc === undefined || frozen) return;
      frozen = true;
      proc.kill('SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, realMs));
      if (child === proc && frozen) proc.kill('SIGCONT');
      frozen = false;
    },
  };
}

/** camelCase flags to `--kebab-case value` arguments (arrays joined by commas). */
export function toArgs(flags: ServeFlags): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    args.push(flagOf(key), Array.isArray(value) ? value.join(',') : String(value));
  }
  return args;
}

/** Spawns `headcount <args>` and resolves with its `listening` line's fields. */
export async function spawnListening(
  args: string[],
  label: string,
): Promise<{ child: ChildProcess; listening: Record<string, unknown> }> {
  const child = spawn(process.execPath, [headcountBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label}: no listening line within ${childStartTimeoutMs} ms:\n${output}`));
    }, childStartTimeoutMs);
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code ?? signal} before listening:\n${output}`));
    };
    child.once('exit', onExit);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const line of output.split('\n')) {
        if (!line.includes('"listening"')) continue;
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed.msg !== 'listening') continue;
          clearTimeout(timer);
          child.off('exit', onExit);
          resolve(parsed);
          return;
        } catch {
          // a partial line; wait for the rest
        }
      }
    });
  });
  // Keep draining its output (a full pipe would block the child), but keep no copy.
  child.stdout?.removeAllListeners('data');
  child.stderr?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();
  return { child, listening };
}
