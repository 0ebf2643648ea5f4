/**
 * The real engine of the scenario runner: `runReal(spec)` runs one scenario run on a lab cluster
 * (real servers in this process, a real redis-server or discovery instances, links through the
 * fault proxy, real TCP clients) and returns the same `RunResult` the simulator returns, judged by
 * the same `finishRun` (experiment/finish-run.ts) as the simulator.
 *
 * Time scale: every duration of the scenario (TTL, heartbeat, lease, session lengths, fault
 * instants, the run's length) is multiplied by `spec.timeScale` before it reaches a real process;
 * every instant recorded is divided by it again. So the RESULT IS IN PRODUCTION UNITS (a 5 s TTL
 * reads 5000 even though it ran as 500 ms), `config.timeScale` records the factor and
 * `config.realDurationMs` the wall time the run took. Rates scale the other way (20 WHO/s at 0.1
 * is 200 real WHO/s). The servers' Redis reconnect and publish retry backoff are scaled too
 * (`--redis-retry-max-ms`); only TCP's own timings are not.
 *
 * Everything else the file says is applied: the network's latency and jitter and `redisOpMs` as
 * standing latency toxics on the proxied links (a value under one real ms at the scale is below
 * loopback's own latency and is not applied; `config.network` says what was), clock offsets and
 * jumps (servers take an offset clock), the random load-balancer policy (drawn from the
 * simulator's stream), mode local, connection loss (`lossModel: connection`: a share of each
 * class's connections stalled by a `timeout` toxic with that toxicity). What cannot be reproduced
 * (per-message loss) is refused up front with `HC_LAB_UNSUPPORTED` naming each part.
 *
 * Start: both engines begin in steady state (experiment/finish-run.ts `runStart`): the initial clients are
 * connected before t = 0 and the first `warmupMs` are judged by neither checker.
 */
import { performance } from 'node:perf_hooks';
import type { SimConfig } from '../experiment/config.ts';
import { finishRun } from '../experiment/finish-run.ts';
import { recordCounters, seriesResolutionMsFor } from '../experiment/history.ts';
import { faultTimeline } from '../experiment/nemesis.ts';
import type { RunResult } from '../experiment/result.ts';
import { RandomStreams } from '../experiment/rng.ts';
import { configOfSpec, type RunSpec } from '../experiment/run-spec.ts';
import { capacityCurve, type RssSample } from './capacity-curve.ts';
import { processesRssBytes } from './cluster/process-rss.ts';
import { ClientPool } from './cluster/client-pool.ts';
import {
  type Cluster,
  type ClusterOptions,
  type LinkLatency,
  type LinkPeer,
  sentinelDownAfterRealMs,
  startCluster,
} from './cluster/cluster.ts';
import {
  applyFault,
  type FaultLag,
  LabUnsupportedError,
  needsClientProxy,
  needsClocks,
  unsupportedParts,
} from './fault-target.ts';

export { LabUnsupportedError };

/** Extra knobs for direct callers (tests, `headcount lab`); the scenario runner passes none. */
export interface RealRunOptions {
  /** Servers (and discovery instances) as child processes. @default false (one process: lighter on 2 cores) */
  processes?: boolean;
  /** Discovery instances as child processes. @default `processes` */
  discoveryProcesses?: boolean;
  /** Put a real HAProxy in front (`least-connections` scenarios always do). */
  haproxy?: boolean;
}

export async function runReal(spec: RunSpec, options: RealRunOptions = {}): Promise<RunResult> {
  const extra: RealRunOptions = { ...options, processes: options.processes ?? spec.processes ?? false };
  const config = configOfSpec(spec);
  const faults = faultTimeline(config, new RandomStreams(config.seed).stream('nemesis'));
  const problems = unsupportedParts(
    config,
    faults,
    extra.processes === true,
    (extra.discoveryProcesses ?? extra.processes) === true,
  );
  if (problems.length > 0)
    throw new LabUnsupportedError(`${spec.runId}: the real engine cannot run ${problems.join('; ')}`);
  const startedAtRealMs = performance.now();
  const cluster = await startCluster(clusterOptionsOf(config, spec.timeScale, faults, extra));
  try {
    const rssSamples: RssSample[] = [];
    const lags: FaultLag[] = [];
    await drive(cluster, config, faults, rssSamples, lags, startedAtRealMs);
    const stats = { redis: await cluster.redisStats(), broadcasts: await cluster.broadcasts() };
    return resultOf(cluster, config, spec.timeScale, performance.now() - startedAtRealMs, rssSamples, {
      ...stats,
      lags,
      serversAlone: extra.processes === true,
    });
  } finally {
    await cluster.close();
  }
}

export function clusterOptionsOf(
  config: SimConfig,
  timeScale: number,
  faults: ReturnType<typeof faultTimeline>,
  extra: RealRunOptions = {},
): ClusterOptions {
  const { cluster, workload, network } = config;
  const haproxy = extra.haproxy === true || workload.loadBalancer === 'least-connections';
  const linkLatency = linkLatencyOf(config);
  const clientsLatent = Math.round((linkLatency.clients?.latencyMs ?? 0) * timeScale) > 0;
  const linkStall = linkStallOf(config);
  return {
    mode: cluster.mode,
    servers: cluster.servers,
    discoveryInstances: cluster.discoveryInstances,
    zones: cluster.zones,
    sharedStableId: cluster.idStrategy === 'stable-shared',
    discoveryTopology: cluster.discoveryTopology,
    processes: extra.processes ?? false,
    discoveryProcesses: extra.discoveryProcesses ?? extra.processes ?? false,
    proxy: {
      redis: true,
      discovery: true,
      clients: needsClientProxy(faults) || clientsLatent || linkStall.clients !== undefined,
    },
    timeScale,
    seed: config.seed,
    clockOffsetsMs: needsClocks(config, faults) ? clockOffsetsOf(config) : undefined,
    linkLatency,
    linkStall,
    redisOpMs: network.redisOpMs,
    ...(cluster.mode === 'a' && cluster.redis.topology === 'sentinel'
      ? {
          redisSentinel: {
            downAfterMs: cluster.redis.downAfterMs,
            electionMs: cluster.redis.electionMs,
            replicationLagMs: cluster.redis.replicationLagMs,
          },
        }
      : {}),
    discovery: { leaseMs: cluster.leaseMs, fanoutTimeoutMs: cluster.fanoutTimeoutMs },
    lb: haproxy
      ? {
          kind: 'haproxy',
          balance: workload.loadBalancer === 'least-connections' ? 'leastconn' : 'roundrobin',
        }
      : undefined,
    serverOptions: {
      // stable-shared: stable ids, server-1 given server-0's id file (`sharedStableId` below).
      id: cluster.idStrategy === 'stable-shared' ? 'stable' : cluster.idStrategy,
      ttlMs: cluster.ttlMs,
      heartbeatMs: cluster.heartbeatMs,
      publishDelayMs: cluster.publishDelayMs,
      whoCacheMs: cluster.whoCacheMs,
      // The simulator hands effectTimeoutMs to the backend as its WHO and call timeouts: so do we.
      whoTimeoutMs: cluster.effectTimeoutMs,
      discoveryTimeoutMs: cluster.effectTimeoutMs,
      idleTimeoutMs: cluster.idleTimeoutMs,
      maxConnectionAgeMs: cluster.connectionAgeMsMax,
      maxConnections: Math.min(cluster.connectionsMax, 10_000),
      // Reconnect and publish retry backoff, scaled with every other duration (1 s in production).
      redisRetryMaxMs: cluster.redis.reconnectMsMax,
      // The simulator drains at once (BYE, then the clients reconnect elsewhere).
      drainMs: 100,
    },
  };
}

/**
 * The simulator's per-server clock offsets, drawn the same way from the same stream (`clocks`),
 * production ms.
 */
export function clockOffsetsOf(config: SimConfig): number[] {
  const clocks = new RandomStreams(config.seed).stream('clocks');
  const offsets: number[] = [];
  for (let index = 0; index < config.cluster.servers; index += 1)
    offsets.push(Math.round((clocks.float01() * 2 - 1) * config.cluster.clockOffsetMsMax));
  return offsets;
}

/**
 * The scenario's link latencies as the proxy's latency toxic takes them (a fixed part +/- a
 * uniform jitter), with the simulator's mean: its `uniform` jitter draws in [0, j] (mean j/2),
 * so latency base + j/2, jitter j/2 (the same distribution); its `exponential` jitter has mean j,
 * so latency base + j, jitter j (the same mean, uniform in [base, base + 2j]: a shorter tail).
 */
export function linkLatencyOf(config: SimConfig): Partial<Record<LinkPeer, LinkLatency>> {
  const out: Partial<Record<LinkPeer, LinkLatency>> = {};
  for (const peer of ['redis', 'discovery', 'clients'] as const) {
    const { baseMs, jitterMs, jitter } = config.network[peer].latency;
    const meanJitterMs = jitter === 'uniform' ? jitterMs / 2 : jitterMs;
    out[peer] = { latencyMs: baseMs + meanJitterMs, jitterMs: meanJitterMs };
  }
  return out;
}

/**
 * The scenario's connection loss (`lossModel: connection`, experiment/config.ts) as the share of
 * each class's connections the lab stalls; classes without it are absent.
 */
export function linkStallOf(config: SimConfig): Partial<Record<LinkPeer, number>> {
  const out: Partial<Record<LinkPeer, number>> = {};
  for (const peer of ['redis', 'discovery', 'clients'] as const) {
    const { lossModel, lossProbability } = config.network[peer];
    if (lossModel === 'connection' && lossProbability.numerator > 0)
      out[peer] = lossProbability.numerator / lossProbability.denominator;
  }
  return out;
}

async function drive(
  cluster: Cluster,
  config: SimConfig,
  faults: ReturnType<typeof faultTimeline>,
  rssSamples: RssSample[],
  lags: FaultLag[],
  startedAtRealMs: number,
): Promise<void> {
  const { time, recorder } = cluster;
  const pool = new ClientPool({
    time,
    recorder,
    seed: config.seed,
    workload: config.workload,
    targets: () => cluster.targets(),
    serverIndexOf: (id) => cluster.serverIndexOf(id),
    policy: config.workload.loadBalancer === 'random' ? 'random' : 'round-robin',
  });
  // Steady state from t = 0, as in the simulator: connect the initial clients first, give the
  // servers one heartbeat to publish them, then start the clock.
  // A server that a fault takes down at t = 0 (a scale-out's late joiner) gets no initial
  // clients, as in the simulator, where the fault at 0 comes before the clients' first connect.
  const downAtStart = new Set(
    faults
      .filter((fault) => fault.atMs <= 0 && (fault.kind === 'stop' || fault.kind === 'crash'))
      .map((fault) => Number(fault.target.slice('server-'.length))),
  );
  const warm = await pool.warmStart(downAtStart);
  if (warm < config.workload.initialClients)
    process.stderr.write(
      `WARNING: ${config.runId}: only ${warm} of ${config.workload.initialClients} initial clients connected before the run\n`,
    );
  await new Promise((resolve) => setTimeout(resolve, time.realMs(config.cluster.heartbeatMs)));
  // Mode C: a discovery instance refuses counts for one lease after it starts (warm-up). The
  // simulator's instances of t = 0 count as started a lease earlier (the control plane in steady
  // state too), so the run starts once the lab's instances, started with the cluster, are past it.
  if (config.cluster.mode === 'c') {
    const warmAtRealMs = startedAtRealMs + time.realMs(config.cluster.leaseMs + config.cluster.heartbeatMs);
    const waitRealMs = warmAtRealMs - performance.now();
    if (waitRealMs > 0) await new Promise((resolve) => setTimeout(resolve, waitRealMs));
  }
  cluster.beginRun();
  recorder.rebase(cluster.servers.length);
  await cluster.markRedisStats();
  const resolutionMs = seriesResolutionMsFor(config.durationMs, config.check.seriesResolutionMs);
  // The shared components' counters at each sample (the checker's storm rates); a read still in
  // flight skips the next one, so a slow Redis never piles reads up.
  let counting = false;
  const readCounters = () => {
    if (counting) return;
    counting = true;
    const atMs = time.nowMs();
    void cluster
      .counters()
      .then((read) => {
        if (read !== undefined) recordCounters(recorder.history, atMs, read.redisWrites, read.broadcasts);
      })
      .catch(() => {})
      .finally(() => {
        counting = false;
      });
  };
  const sample = (bucket: number) => {
    const atMs = Math.min(config.durationMs, (bucket + 1) * resolutionMs);
    if (atMs > config.durationMs) return;
    time.at(atMs, () => {
      const counts = pool.perServer(cluster.servers.length);
      recorder.sample(counts.map((count, index) => (cluster.servers[index]!.up ? count : -1)));
      readCounters();
      try {
        // Servers as child processes: their own memory; else this process's (both ends).
        const servers = processesRssBytes(cluster.servers.map((server) => server.pid));
        rssSamples.push({ atMs, rssBytes: servers ?? process.memoryUsage().rss });
      } catch {
        // At the descriptor limit /proc cannot be read; the curve uses the last good sample.
      }
      if (atMs < config.durationMs) sample(bucket + 1);
    });
  };
  sample(0);
  pool.start(config.durationMs);
  const failures: Error[] = [];
  const applied = faults.map((fault) =>
    time
      .until(fault.atMs)
      .then(() => applyFault(cluster, fault, (lag) => lags.push(lag)))
      .catch((error: Error) => {
        failures.push(error);
      }),
  );
  await time.until(config.durationMs);
  pool.stop();
  await Promise.race([Promise.all(applied), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  if (failures.length > 0) throw failures[0];
}

function resultOf(
  cluster: Cluster,
  config: SimConfig,
  timeScale: number,
  realDurationMs: number,
  rssSamples: readonly RssSample[],
  measured: {
    redis: { calls: number; writes: number } | undefined;
    broadcasts: number;
    lags: FaultLag[];
    /** Servers ran as child processes, so memory samples are theirs alone. */
    serversAlone: boolean;
  },
): RunResult {
  const history = cluster.recorder.finish(config.durationMs);
  history.redisOps = measured.redis?.calls ?? 0;
  history.redisWrites = measured.redis?.writes ?? 0;
  history.broadcasts = measured.broadcasts;
  const lagMax = (phase: FaultLag['phase']) =>
    Math.round(Math.max(0, ...measured.lags.filter((lag) => lag.phase === phase).map((lag) => lag.realMs)));
  history.checks.push({
    name: 'lab-real-run',
    ok: true,
    detail: `ran on real sockets at timeScale ${timeScale} in ${Math.round(realDurationMs)} real ms; durations are production ms; faults applied at most ${lagMax('apply')} real ms and healed at most ${lagMax('heal')} real ms after their instants`,
  });
  return {
    ...finishRun({
      engine: 'real',
      config,
      history,
      configExtra: {
        timeScale,
        durationUnits: 'production ms (real ms / timeScale)',
        realDurationMs: Math.round(realDurationMs),
        redisKind: cluster.redis?.kind ?? 'none',
        faultProxy: cluster.links?.embedded === false ? 'TOXIPROXY_URL' : 'embedded',
        networkApplied:
          cluster.appliedNetwork.length === 0
            ? 'none (all below 1 real ms)'
            : cluster.appliedNetwork.join('; '),
        faultApplyLagRealMsMax: lagMax('apply'),
        ...(config.cluster.mode === 'a' && config.cluster.redis.topology === 'sentinel'
          ? {
              sentinelDownAfterRealMs: sentinelDownAfterRealMs(
                config.cluster.redis.downAfterMs,
                config.cluster.redis.electionMs,
                timeScale,
              ),
            }
          : {}),
        faultHealLagRealMsMax: lagMax('heal'),
        memoryOf: measured.serversAlone
          ? 'server processes alone (RSS from /proc)'
          : 'the lab process (servers in-process: both ends of each connection)',
        redisOpsSource:
          measured.redis !== undefined
            ? 'INFO commandstats'
            : cluster.redis === undefined || cluster.redis.kind === 'memory'
              ? 'none (no real Redis)'
              : 'INFO commandstats unreadable (reported as 0)',
      },
    }),
    ...(config.scenario === 'capacity' ? { capacity: capacityCurve(history, rssSamples) } : {}),
  };
}
