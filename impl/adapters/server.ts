/**
 * A whole headcount server from validated options: id, mode runtime, core, TCP listener, admin
 * HTTP, metrics. The CLI's `serve` and the lab's in-process cluster both start servers here, so
 * the lab measures exactly what ships.
 *
 * Start-up order: mode, id, core, admin port, `mode.started` (mode C registers its `/count`),
 * then, in mode C only once the first lease is held, the client port. So the client port never
 * admits a client the server cannot serve, and `/readyz` answers (503) all the while.
 *
 * `stop()` is the graceful path (drain, delete the mode A entry, deregister); `crash()` is what
 * the lab uses to model a crash in one process: sockets and timers destroyed, nothing said.
 */
import { ServerCore } from '../core/server-core.ts';
import { SnowflakeGenerator } from '../core/ids/snowflake.ts';
import { snowflakeId, uuidV4, uuidV7 } from '../core/ids/server-id.ts';
import type { Result } from '../core/result.ts';
import { err, ok } from '../core/result.ts';
import type { Session, SessionObserver } from '../core/session.ts';
import type { CountingBackend } from '../core/counting-backend.ts';
import type { ServeOptions } from '../config/serve-options.ts';
import { serveWarnings } from '../config/serve-options.ts';
import { packageVersion } from '../version.ts';
import type { Clock } from '../ports/clock.ts';
import type { Random } from '../ports/random.ts';
import { type AdminServer, startAdminServer } from './admin-http.ts';
import { BackendDriver } from './backend-driver.ts';
import { loadOrCreateStableId } from './id-file.ts';
import type { Logger } from './logger.ts';
import { type Metrics, serverMetricsRegistry } from './metrics.ts';
import { modeTable } from './modes/mode-table.ts';
import type { ModeRuntime } from './modes/mode-runtime.ts';
import { monotonicClock, wallClock } from './system-clock.ts';
import { systemRandom } from './system-random.ts';
import { TcpServer } from './tcp-server.ts';

export interface StartServerDeps {
  logger: Logger;
  clock?: Clock;
  wallClock?: Clock;
  random?: Random;
  /** Aborts start-up while it waits (mode C: for the first lease); startServer then cleans up. */
  signal?: AbortSignal;
}

export interface RunningServer {
  serverId: string;
  port: number;
  adminPort: number | undefined;
  core: ServerCore;
  metrics: Metrics;
  /** Graceful: drain clients, stop the mode (delete entry / deregister), close. */
  stop(): Promise<void>;
  /** Abrupt: destroy sockets and timers, say nothing to anyone. */
  crash(): Promise<void>;
}

export type StartError = {
  /** HC_START_ABORTED: `deps.signal` fired while mode C waited for its first lease. */
  code: 'HC_START_FAILED' | 'HC_START_ABORTED';
  definite: true;
  message: string;
};

/** While mode C waits for its first lease, why it waits is logged this often. */
const leaseWaitLogIntervalMs = 5_000;

export async function startServer(
  options: ServeOptions,
  deps: StartServerDeps,
): Promise<Result<RunningServer, StartError>> {
  const { logger } = deps;
  const clock = deps.clock ?? monotonicClock;
  const wall = deps.wallClock ?? wallClock;
  const random = deps.random ?? systemRandom;
  for (const warning of serveWarnings(options)) logger.warn({ warning }, 'risky configuration');
  const metrics = serverMetricsRegistry();
  const createModeRuntime = await modeTable[options.mode]();
  const mode = await createModeRuntime({ options, logger, metrics, clock, wallClock: wall, random });
  const serverId = await makeServerId(options, mode, wall, random);
  if (!serverId.ok) {
    await mode.close();
    metrics.close();
    return err({ code: 'HC_START_FAILED', definite: true, message: serverId.error });
  }
  const backend = mode.backend(serverId.value);
  const driver = new BackendDriver(backend, mode.execute, clock);
  const core = new ServerCore({
    serverId: serverId.value,
    version: packageVersion,
    limits: limitsOf(options),
    backend,
    observer: metricsObserver(metrics),
  });
  core.start(clock.nowMs());
  const tcp = new TcpServer({
    host: options.host,
    port: options.port,
    core,
    clock,
    logger,
    metrics,
    acceptHandles: options.acceptHandles,
    onActivity: () => driver.pump(),
  });
  metrics.gauge('headcount_connections_max').set(tcp.connectionsMaxEffective);
  // The admin port opens first: mode C registers its admin `/count` URL with discovery, and
  // /readyz must answer (not ready) while the client port is still closed.
  let admin: AdminServer | undefined;
  const adminPortWanted = options.adminPort !== 0 || mode.needsAdmin === true;
  if (adminPortWanted) {
    admin = await startAdminServer({
      host: options.adminHost,
      port: options.adminPort === 'auto' ? 0 : options.adminPort,
      logger,
      metrics,
      routes: mode.routes?.(),
      readyz: () => {
        const readiness = backend.readiness(clock.nowMs());
        const reasons = tcp.listening ? readiness.reasons : ['not accepting clients', ...readiness.reasons];
        return {
          ready: tcp.listening && !core.draining && readiness.ready,
          role: 'server',
          mode: options.mode,
          serverId: core.serverId,
          reasons,
        };
      },
    });
  }
  const adminUrl = admin === undefined ? undefined : `http://${hostForUrl(options.adminHost)}:${admin.port}`;
  const abandon = async (message: string, code: StartError['code'] = 'HC_START_FAILED') => {
    driver.stop();
    await admin?.close();
    await mode.close();
    metrics.close();
    return err<StartError>({ code, definite: true, message });
  };
  mode.started?.({ adminUrl });
  driver.pump();
  // Mode C: the client port opens only once this server is in the fleet (its first lease is
  // held), so no client is ever admitted and then bounced with `BYE lease lost` at start-up.
  const joined = await untilInFleet(backend, clock, logger, deps.signal);
  if (!joined) {
    // Leases held with some instances are given back, so their counts do not wait on us.
    core.drain(clock.nowMs());
    driver.pump();
    await driver.settle(1_000);
    return abandon('stopped before the first discovery lease', 'HC_START_ABORTED');
  }
  let port: number;
  try {
    port = await tcp.listen();
  } catch (error) {
    return abandon(`cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`);
  }
  driver.pump();
  let stopped = false;
  const finish = async () => {
    driver.stop();
    await admin?.close();
    await mode.close();
    metrics.close();
  };
  return ok({
    serverId: serverId.value,
    port,
    adminPort: admin?.port,
    core,
    metrics,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await tcp.drain(options.drainMs);
      driver.pump();
      await driver.settle(stopMsMax(options.drainMs) - options.drainMs);
      await finish();
    },
    crash: async () => {
      if (stopped) return;
      stopped = true;
      driver.stop();
      await tcp.destroy();
      await finish();
    },
  });
}

/**
 * Resolves true once the backend is in the fleet (at once for modes without a fence), false if
 * `signal` aborts first. Meanwhile it says why, every `leaseWaitLogIntervalMs`; the backend keeps
 * retrying registration on its own timer, so waiting is all there is to do here.
 */
async function untilInFleet(
  backend: CountingBackend,
  clock: Clock,
  logger: Logger,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (backend.inFleet === undefined || backend.inFleet(clock.nowMs())) return true;
  if (signal?.aborted === true) return false;
  logger.info('waiting for a discovery lease; the client port opens once one is held');
  return new Promise<boolean>((resolve) => {
    let settled = false;
    const finish = (joined: boolean) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(joined);
    };
    const onAbort = () => finish(false);
    const timer = setInterval(() => {
      const readiness = backend.readiness(clock.nowMs());
      logger.warn(
        { reasons: readiness.reasons },
        'no discovery lease yet: client port stays closed, retrying',
      );
    }, leaseWaitLogIntervalMs);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
    backend.onFleetChange?.((inFleet) => {
      if (inFleet) finish(true);
    });
  });
}

/**
 * The longest a graceful stop takes: `drainMs` for clients to leave, then up to as long again (at
 * least a second) for the last effects (deregistering from Redis or discovery) to settle. Process
 * managers must allow this much before they kill: Kubernetes' terminationGracePeriodSeconds and
 * systemd's TimeoutStopSec are derived from it (deploy/).
 */
export function stopMsMax(drainMs: number): number {
  return drainMs + Math.max(1_000, drainMs);
}

function limitsOf(options: ServeOptions) {
  return {
    lineBytesMax: options.maxLineBytes,
    pendingRepliesMax: options.maxPendingReplies,
    outputBytesMax: options.maxOutputBytes,
    writeStallMs: options.writeStallMs,
    connectionsMax: options.maxConnections,
    connectionsPerIpMax: options.maxConnectionsPerIp,
    idleTimeoutMs: options.idleTimeoutMs,
    connectionAgeMsMax: options.maxConnectionAgeMs,
    drainMs: options.drainMs,
  };
}

async function makeServerId(
  options: ServeOptions,
  mode: ModeRuntime,
  wall: Clock,
  random: Random,
): Promise<Result<string, string>> {
  switch (options.id) {
    case 'stable': {
      const loaded = loadOrCreateStableId(options.idFile, () => uuidV4(random));
      return loaded.ok ? ok(loaded.value.id) : err(loaded.error.message);
    }
    case 'uuidv7':
      return ok(uuidV7(random, wall.nowMs()));
    case 'snowflake': {
      const workerId = options.workerId ?? (await mode.workerId?.());
      if (workerId === undefined)
        return err('--id snowflake needs --worker-id N (0-1023), or mode a to lease one from Redis');
      return ok(snowflakeId(new SnowflakeGenerator(workerId), wall.nowMs()));
    }
    default:
      return ok(uuidV4(random));
  }
}

function metricsObserver(metrics: Metrics): SessionObserver {
  const commands = metrics.commands;
  const protocolErrors = metrics.counter('headcount_protocol_errors_total');
  return {
    command(verb, durationMs) {
      commands.record(verb, durationMs / 1000);
    },
    protocolError(kind) {
      protocolErrors.inc({ kind });
    },
  };
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export type { Session };
