/**
 * One mode C discovery instance of a lab cluster, in this process (`startDiscovery`) or as a child
 * process (`headcount discovery`, like servers with `processes: true`), on a port it keeps across
 * restarts so the servers' proxies and URLs stay valid. A crash loses its membership table (it is
 * memory only), which is exactly what a real crash does; the servers' next renewals repopulate it.
 *
 * `broadcasts()` counts the fan-outs it ran over every life (in process: the core's counter;
 * child: `headcount_discovery_broadcast_duration_seconds_count` from its admin `/metrics`).
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { parseDiscoveryOptions } from '../../impl/adapters/discovery/discovery-options.ts';
import { type RunningDiscovery, startDiscovery } from '../../impl/adapters/discovery/discovery-server.ts';
import { createLogger, type LogLevel } from '../../impl/adapters/logger.ts';
import { type MemberRoutes, routedMemberAgent } from './member-routes.ts';
import { spawnListening, toArgs } from './server-handle.ts';

export interface DiscoveryHandle {
  readonly index: number;
  readonly port: number;
  readonly up: boolean;
  start(): Promise<void>;
  /** Stops answering at once; its table is gone. */
  crash(): Promise<void>;
  /** Broadcasts (WHO fan-outs) run so far, over every life of the instance. */
  broadcasts(): Promise<number>;
  /**
   * In process: where its calls to a member's admin port go (member-routes.ts; the cluster fills
   * it as servers start). A child process has none: its calls go where the count URL says.
   */
  readonly memberRoutes: MemberRoutes | undefined;
}

export interface DiscoverySettings {
  leaseMs: number;
  fanoutTimeoutMs: number;
  token: string;
  logLevel: string;
}

export function discoveryHandle(index: number, settings: DiscoverySettings): DiscoveryHandle {
  let running: RunningDiscovery | undefined;
  let port = 0;
  let broadcastsBefore = 0;
  const logger = createLogger(settings.logLevel as LogLevel, `discovery-${index}`);
  const memberRoutes: MemberRoutes = new Map();
  return {
    index,
    memberRoutes,
    get port() {
      return port;
    },
    get up() {
      return running !== undefined;
    },
    start: async () => {
      if (running !== undefined) return;
      const parsed = parseDiscoveryOptions({
        port,
        leaseMs: settings.leaseMs,
        fanoutTimeoutMs: settings.fanoutTimeoutMs,
        token: settings.token,
        logLevel: settings.logLevel,
      });
      if (!parsed.ok)
        throw new Error(
          `discovery-${index}: ${parsed.error.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
        );
      // A new agent per life: a stop destroys the old one with its sockets.
      running = await startDiscovery(parsed.value, { logger, memberAgent: routedMemberAgent(memberRoutes) });
      port = running.port;
    },
    crash: async () => {
      const instance = running;
      running = undefined;
      if (instance === undefined) return;
      broadcastsBefore += instance.core.broadcastCount;
      await instance.stop();
    },
    broadcasts: async () => broadcastsBefore + (running?.core.broadcastCount ?? 0),
  };
}

/** The admin `/metrics` line that counts finished broadcasts. */
const broadcastCountMetric = 'headcount_discovery_broadcast_duration_seconds_count';

export function childProcessDiscovery(index: number, settings: DiscoverySettings): DiscoveryHandle {
  let child: ChildProcess | undefined;
  let port = 0;
  let adminPort = 0;
  let broadcastsBefore = 0;
  const scrape = async (): Promise<number> => {
    if (child === undefined || adminPort === 0) return 0;
    const text = await fetch(`http://127.0.0.1:${adminPort}/metrics`)
      .then((response) => response.text())
      .catch(() => '');
    const line = text.split('\n').find((row) => row.startsWith(broadcastCountMetric));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  };
  return {
    index,
    memberRoutes: undefined,
    get port() {
      return port;
    },
    get up() {
      return child !== undefined;
    },
    start: async () => {
      if (child !== undefined) return;
      // A silent child would not print its `listening` line: at least `warn`.
      const logLevel = settings.logLevel === 'silent' ? 'warn' : settings.logLevel;
      const args = [
        'discovery',
        ...toArgs({
          port,
          adminPort,
          leaseMs: settings.leaseMs,
          fanoutTimeoutMs: settings.fanoutTimeoutMs,
          token: settings.token,
          logLevel,
        }),
      ];
      const started = await spawnListening(args, `discovery-${index}`);
      child = started.child;
      port = Number(started.listening.port);
      adminPort = Number(started.listening.adminPort ?? 0);
    },
    crash: async () => {
      const proc = child;
      if (proc === undefined) return;
      broadcastsBefore += await scrape();
      child = undefined;
      proc.kill('SIGKILL');
      if (proc.exitCode === null && proc.signalCode === null) await once(proc, 'exit');
    },
    broadcasts: async () => broadcastsBefore + (await scrape()),
  };
}
