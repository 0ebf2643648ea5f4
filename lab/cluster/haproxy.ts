/**
 * A real HAProxy (Debian's `haproxy`, `/usr/sbin/haproxy`) in front of a lab cluster: TCP mode,
 * `balance roundrobin` or `leastconn`, and `option httpchk GET /readyz` against each server's
 * admin port, so a server that is not ready (mode C without a lease, a frozen process, a drain)
 * stops receiving new clients. The config is generated into a temp dir; HAProxy runs in the
 * foreground (`-db`) on a free port and is stopped with SIGTERM (`-st` semantics are not needed).
 *
 * Health-check timing is real time: `checkIntervalMs` (default 100 ms) with fall 2 / rise 2, so
 * a failing server is out within ~0.3 s real; scale it with the cluster when that matters.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../redis/index.ts';

export type HaproxyBalance = 'roundrobin' | 'leastconn';

export const haproxyMissing = 'haproxy not found: apt-get install haproxy';

/** HAProxy gets this long to accept connections after it starts. */
const startTimeoutMs = 5_000;

export interface HaproxyBackendServer {
  name: string;
  port: number;
  /** Checked with `GET /readyz` here; without it, a TCP connect to `port` is the check. */
  adminPort?: number;
}

export interface HaproxyOptions {
  balance: HaproxyBalance;
  servers: HaproxyBackendServer[];
  /** Health-check interval, real ms. @default 100 */
  checkIntervalMs?: number;
  /** Binary. @default /usr/sbin/haproxy, else haproxy from PATH */
  binary?: string;
}

export interface RunningHaproxy {
  port: number;
  configPath: string;
  stop(): Promise<void>;
}

export function haproxyBinary(preferred?: string): string {
  for (const candidate of [preferred, '/usr/sbin/haproxy', 'haproxy']) {
    if (candidate === undefined) continue;
    const probe = spawnSync(candidate, ['-v'], { stdio: 'ignore' });
    if (probe.error === undefined && probe.status === 0) return candidate;
  }
  throw new Error(haproxyMissing);
}

export function haproxyConfig(port: number, options: HaproxyOptions): string {
  const intervalMs = options.checkIntervalMs ?? 100;
  const lines = [
    'global',
    "  # Each client costs two descriptors (front and back); the machine's limit is 20000.",
    '  maxconn 8000',
    'defaults',
    '  mode tcp',
    '  timeout connect 1s',
    '  timeout client 1h',
    '  timeout server 1h',
    '  timeout check 1s',
    'frontend headcount',
    `  bind 127.0.0.1:${port}`,
    '  default_backend servers',
    'backend servers',
    `  balance ${options.balance}`,
    ...(options.servers.some((server) => server.adminPort !== undefined)
      ? ['  option httpchk GET /readyz']
      : []),
    `  default-server inter ${intervalMs}ms fastinter ${intervalMs}ms downinter ${intervalMs}ms fall 2 rise 2`,
    ...options.servers.map(
      (server) =>
        `  server ${server.name} 127.0.0.1:${server.port} check${server.adminPort === undefined ? '' : ` port ${server.adminPort}`}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export async function startHaproxy(options: HaproxyOptions): Promise<RunningHaproxy> {
  const binary = haproxyBinary(options.binary);
  const dir = mkdtempSync(join(tmpdir(), 'headcount-haproxy-'));
  const port = await freePort();
  const configPath = join(dir, 'haproxy.cfg');
  writeFileSync(configPath, haproxyConfig(port, options));
  const check = spawnSync(binary, ['-c', '-q', '-f', configPath], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy rejected ${configPath}: ${check.stderr}${check.stdout}`);
  const child: ChildProcess = spawn(binary, ['-db', '-f', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });
  await waitAccepting(port, child, () => stderr);
  return {
    port,
    configPath,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitAccepting(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}: ${stderr()}`);
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`haproxy did not accept on port ${port} within ${startTimeoutMs} ms: ${stderr()}`);
}
