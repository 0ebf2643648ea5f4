/**
 * The one way a finished run becomes a `RunResult`, for both engines: `checkOptionsOf` derives
 * the checker's options from the config (so the simulator and the lab judge alike), and
 * `finishRun` checks the history and wraps the judged parts with the run's identity and its
 * resolved config. Engines add only what is theirs (the simulator its step count, the lab its
 * time scale and capacity curve) through `configExtra` and by spreading the returned object.
 */
import { formatRatio } from '../impl/core/ratio.ts';
import { type CheckOptions, checkHistory } from './checker.ts';
import type { SimConfig } from './config.ts';
import { type FailoverRecord, type History, seriesResolutionMsFor } from './history.ts';
import { healAtMsOf } from './nemesis.ts';
import {
  type Engine,
  type FailoverStats,
  type RunConfig,
  type RunResult,
  runResultSchema,
  type Window,
} from './result.ts';

/**
 * Slack for a count change to reach every answer, beyond publish delay and WHO cache. The
 * simulator's links are sub-millisecond; the lab's propagation is a loopback round trip plus a
 * timer slip, scaled up to production units by the time scale, so it gets a second.
 */
export const propagationSlackMsOf: Readonly<Record<Engine, number>> = { sim: 100, real: 1_000 };

/**
 * A run that begins with clients begins mid-flight: the first publishes get this long (plus the
 * publish delay) before answers are judged.
 */
export const warmupMsWithInitialClients = 1_000;

/**
 * How both engines start a run, the same way: the initial clients are connected at t = 0 (the
 * simulator has them arrive at 0; the lab connects them before its t = 0 and waits for them), and
 * WHO answers asked in the first `warmupMs` are judged by neither checker. Every result records
 * both (`config.start`, `config.warmupMs`).
 */
export const runStart = 'steady-state';

export function warmupMsOf(config: SimConfig): number {
  const { cluster, workload } = config;
  return workload.initialClients > 0 ? warmupMsWithInitialClients + cluster.publishDelayMs : 0;
}

export function checkOptionsOf(config: SimConfig, engine: Engine): CheckOptions {
  const { cluster, workload } = config;
  return {
    mode: cluster.mode,
    ttlMs: cluster.ttlMs,
    heartbeatMs: cluster.heartbeatMs,
    quietMs: cluster.publishDelayMs + cluster.whoCacheMs + propagationSlackMsOf[engine],
    warmupMs: warmupMsOf(config),
    healAtMs: healAtMsOf(config),
    conservationSettleMs: conservationSettleMsOf(config),
    seriesResolutionMs: seriesResolutionMsFor(config.durationMs, config.check.seriesResolutionMs),
    perServerSeries: config.check.perServerSeries,
    idStrategy: cluster.idStrategy,
    loadBalancerPolicy: workload.loadBalancer,
    connectionAgeMsMax: cluster.connectionAgeMsMax,
    idleTimeoutMs: cluster.idleTimeoutMs,
    zones: cluster.zones,
  };
}

/**
 * How long the stores take to forget departed clients: mode A's entry lives a TTL past its last
 * heartbeat, mode C's registration a lease past its last renewal; plus one effect timeout.
 */
export function conservationSettleMsOf(config: SimConfig): number {
  const { cluster } = config;
  if (cluster.mode === 'a') return cluster.ttlMs + cluster.heartbeatMs + cluster.effectTimeoutMs;
  if (cluster.mode === 'c') return cluster.leaseMs + cluster.fanoutTimeoutMs + cluster.effectTimeoutMs;
  return 0;
}

/** The resolved config, flat, as the result records it (the report's captions read it). */
export function runConfigOf(config: SimConfig): RunConfig {
  const { cluster, workload, network } = config;
  const session = workload.sessionLength;
  return {
    mode: cluster.mode,
    servers: cluster.servers,
    ttlMs: cluster.ttlMs,
    heartbeatMs: cluster.heartbeatMs,
    publishDelayMs: cluster.publishDelayMs,
    whoCacheMs: cluster.whoCacheMs,
    idStrategy: cluster.idStrategy,
    leaseMs: cluster.leaseMs,
    fanoutTimeoutMs: cluster.fanoutTimeoutMs,
    discoveryInstances: cluster.discoveryInstances,
    discoveryTopology: cluster.discoveryTopology,
    timeScale: 1,
    zones: cluster.zones,
    effectTimeoutMs: cluster.effectTimeoutMs,
    connectionsMax: cluster.connectionsMax,
    idleTimeoutMs: cluster.idleTimeoutMs,
    connectionAgeMsMax: cluster.connectionAgeMsMax,
    clockOffsetMsMax: cluster.clockOffsetMsMax,
    // Only a Sentinel topology is recorded, so results of a single Redis read as they always have.
    ...(cluster.redis.topology === 'sentinel'
      ? {
          redisTopology: cluster.redis.topology,
          replicationLagMs: cluster.redis.replicationLagMs,
          sentinelDownAfterMs: cluster.redis.downAfterMs,
          sentinelElectionMs: cluster.redis.electionMs,
          redisReconnectMsMax: cluster.redis.reconnectMsMax,
        }
      : {}),
    brokenVariant: cluster.brokenVariant ?? 'none',
    arrivalRatePerSec: workload.arrivalRatePerSec,
    arrivalSchedule: workload.arrivalSchedule.map((step) => `${step.fromMs}:${step.ratePerSec}`).join(','),
    arrivalsStopAtMs: workload.arrivalsStopAtMs,
    sessionLength: Object.entries(session)
      .map(([key, value]) => `${key}=${value}`)
      .join(','),
    initialClients: workload.initialClients,
    loadBalancer: workload.loadBalancer,
    reconnect: workload.reconnect,
    reconnectPolicy: workload.reconnectPolicy.kind,
    reconnectBaseMs: workload.reconnectPolicy.baseMs,
    reconnectCapMs: workload.reconnectPolicy.capMs,
    reconnectSpreadMs: workload.reconnectPolicy.spreadMs,
    whoRatePerSec: workload.whoRatePerSec,
    whoTimeoutMs: workload.whoTimeoutMs,
    redisLatencyMs: `${network.redis.latency.baseMs}+${network.redis.latency.jitter}(${network.redis.latency.jitterMs})`,
    redisLossProbability: formatRatio(network.redis.lossProbability),
    discoveryLatencyMs: `${network.discovery.latency.baseMs}+${network.discovery.latency.jitter}(${network.discovery.latency.jitterMs})`,
    discoveryLossProbability: formatRatio(network.discovery.lossProbability),
    clientLatencyMs: `${network.clients.latency.baseMs}+${network.clients.latency.jitter}(${network.clients.latency.jitterMs})`,
    clientLossProbability: formatRatio(network.clients.lossProbability),
    redisOpMs: network.redisOpMs,
    healAtMs: healAtMsOf(config),
    start: runStart,
    warmupMs: warmupMsOf(config),
  };
}

export interface FinishedRun {
  engine: Engine;
  config: SimConfig;
  history: History;
  /** Engine-specific settings recorded beside the resolved config (e.g. the lab's time scale). */
  configExtra?: Partial<RunConfig>;
}

/** Judges a finished run's history and wraps it as the run's result. */
export function finishRun({ engine, config, history, configExtra }: FinishedRun): RunResult {
  const parts = checkHistory(history, checkOptionsOf(config, engine));
  return {
    schema: runResultSchema,
    engine,
    scenario: config.scenario,
    runId: config.runId === '' ? `${config.scenario}/seed-${config.seed}` : config.runId,
    seed: config.seed,
    params: config.params,
    config: { ...runConfigOf(config), ...configExtra } as RunConfig,
    durationMs: config.durationMs,
    ...parts,
    ...(history.failovers === undefined
      ? {}
      : {
          failovers: history.failovers.map((record) =>
            failoverStatsOf(record, parts.staleWindows, config.cluster.heartbeatMs),
          ),
        }),
  };
}

/**
 * A failover's durations, measured from the primary's death. The span of wrong answers ends with
 * the last stale window the checker blamed on it that began before every server had written to
 * the new primary plus `settleMs` (a heartbeat): the checker blames every window while the fault
 * is active, and a one-answer blip of propagation delay later on is not the failover's.
 */
export function failoverStatsOf(
  record: FailoverRecord,
  staleWindows: readonly Window[] = [],
  settleMs = 0,
): FailoverStats {
  const writes = record.firstWriteAtMs.filter((atMs): atMs is number => atMs !== undefined);
  const allWriting = writes.length === record.serversLive;
  const allWritingAtMs = allWriting ? Math.max(record.atMs, ...writes) : Number.POSITIVE_INFINITY;
  const blamed = staleWindows.filter(
    (window) =>
      window.cause.startsWith('redis-failover') &&
      window.endMs >= record.atMs &&
      window.startMs <= allWritingAtMs + settleMs,
  );
  return {
    atMs: record.atMs,
    promotionMs: record.promotedAtMs === undefined ? null : Math.round(record.promotedAtMs - record.atMs),
    entriesAtPrimary: record.entriesAtPrimary,
    entriesLost: record.entriesLost,
    clientsLost: record.clientsLost,
    serversLive: record.serversLive,
    serversWriting: writes.length,
    allWritingMs: allWriting ? Math.round(allWritingAtMs - record.atMs) : null,
    wrongSpanMs: Math.round(Math.max(record.atMs, ...blamed.map((window) => window.endMs)) - record.atMs),
  };
}
