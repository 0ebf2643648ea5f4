/**
 * `runSimulation(config)`: build the world, run it on virtual time, check its history, and
 * return one `RunResult` (experiment/result.ts). A pure function of the config: same seed and config,
 * byte-identical JSON (no wall clock is read anywhere in a run).
 */
import { formatRatio } from '../impl/core/ratio.ts';
import { checkHistory } from '../experiment/checker.ts';
import { resolveSimConfig, type SimConfig, type SimConfigInput } from '../experiment/config.ts';
import { seriesResolutionMsFor } from '../experiment/history.ts';
import { healAtMsOf } from '../experiment/nemesis.ts';
import { type RunConfig, type RunResult, runResultSchema } from '../experiment/result.ts';
import { World } from './world.ts';

/** Extra fields of a simulated run (compatible extension of RunResult). */
export interface SimRunResult extends RunResult {
  /** Events the scheduler processed (for events/s in benches). */
  steps: number;
}

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
    timeScale: 1,
    effectTimeoutMs: cluster.effectTimeoutMs,
    connectionsMax: cluster.connectionsMax,
    idleTimeoutMs: cluster.idleTimeoutMs,
    connectionAgeMsMax: cluster.connectionAgeMsMax,
    clockOffsetMsMax: cluster.clockOffsetMsMax,
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
  };
}

export function runSimulation(input: SimConfig | SimConfigInput): SimRunResult {
  const config = resolveSimConfig(input as SimConfigInput);
  const world = new World(config);
  const history = world.run();
  const { cluster, workload } = config;
  const parts = checkHistory(history, {
    mode: cluster.mode,
    ttlMs: cluster.ttlMs,
    heartbeatMs: cluster.heartbeatMs,
    quietMs: cluster.publishDelayMs + cluster.whoCacheMs + 100,
    // A run that begins with clients begins mid-flight: give the first publishes a second.
    warmupMs: workload.initialClients > 0 ? 1_000 + cluster.publishDelayMs : 0,
    healAtMs: healAtMsOf(config),
    seriesResolutionMs: seriesResolutionMsFor(config.durationMs, config.check.seriesResolutionMs),
    perServerSeries: config.check.perServerSeries,
    idStrategy: cluster.idStrategy,
    loadBalancerPolicy: workload.loadBalancer,
    connectionAgeMsMax: cluster.connectionAgeMsMax,
    idleTimeoutMs: cluster.idleTimeoutMs,
  });
  return {
    schema: runResultSchema,
    engine: 'sim',
    scenario: config.scenario,
    runId: config.runId === '' ? `${config.scenario}/seed-${config.seed}` : config.runId,
    seed: config.seed,
    params: config.params,
    config: runConfigOf(config),
    durationMs: config.durationMs,
    ...parts,
    steps: world.scheduler.steps,
  };
}
