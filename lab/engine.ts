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
 * is 200 real WHO/s). Not scaled, because they are the product's fixed real-time constants: the
 * server's Redis reconnect backoff (<= 1 s real) and TCP's own timings; a heal therefore looks up
 * to `1 s / timeScale` slower in production units than it would in production.
 *
 * What cannot be reproduced (clock offsets, message loss, random LB, clock jumps) is refused up
 * front with `HC_LAB_UNSUPPORTED` naming each part.
 */
import { performance } from 'node:perf_hooks';
import { capacityCurve, type RssSample } from './capacity-curve.ts';
import type { SimConfig } from '../experiment/config.ts';
import { finishRun } from '../experiment/finish-run.ts';
import { seriesResolutionMsFor } from '../experiment/history.ts';
import { faultTimeline } from '../experiment/nemesis.ts';
import type { RunResult } from '../experiment/result.ts';
import { RandomStreams } from '../experiment/rng.ts';
import { configOfSpec, type RunSpec } from '../experiment/run-spec.ts';
import { ClientPool } from './cluster/client-pool.ts';
import { type Cluster, type ClusterOptions, startCluster } from './cluster/cluster.ts';
import { applyFault, LabUnsupportedError, needsClientProxy, unsupportedParts } from './fault-target.ts';

export { LabUnsupportedError };

/** Extra knobs for direct callers (tests, `headcount lab`); the scenario runner passes none. */
export interface RealRunOptions {
  /** Servers as child processes. @default false (one process: lighter on 2 cores) */
  processes?: boolean;
  /** Put a real HAProxy in front (`least-connections` scenarios always do). */
  haproxy?: boolean;
}

export async function runReal(spec: RunSpec, extra: RealRunOptions = {}): Promise<RunResult> {
  const config = configOfSpec(spec);
  const faults = faultTimeline(config, new RandomStreams(config.seed).stream('nemesis'));
  const problems = unsupportedParts(config, faults);
  if (problems.length > 0)
    throw new LabUnsupportedError(`${spec.runId}: the real engine cannot run ${problems.join('; ')}`);
  const startedAtRealMs = performance.now();
  const cluster = await startCluster(clusterOptionsOf(config, spec.timeScale, faults, extra));
  try {
    const rssSamples: RssSample[] = [];
    await drive(cluster, config, faults, rssSamples);
    return resultOf(cluster, config, spec.timeScale, performance.now() - startedAtRealMs, rssSamples);
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
  const { cluster, workload } = config;
  const haproxy = extra.haproxy === true || workload.loadBalancer === 'least-connections';
  return {
    mode: cluster.mode as 'a' | 'c',
    servers: cluster.servers,
    discoveryInstances: cluster.discoveryInstances,
    processes: extra.processes ?? false,
    proxy: { redis: true, discovery: true, clients: needsClientProxy(faults) },
    timeScale,
    seed: config.seed,
    discovery: { leaseMs: cluster.leaseMs, fanoutTimeoutMs: cluster.fanoutTimeoutMs },
    lb: haproxy
      ? {
          kind: 'haproxy',
          balance: workload.loadBalancer === 'least-connections' ? 'leastconn' : 'roundrobin',
        }
      : undefined,
    serverOptions: {
      id: cluster.idStrategy,
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
      // The simulator drains at once (BYE, then the clients reconnect elsewhere).
      drainMs: 100,
    },
  };
}

async function drive(
  cluster: Cluster,
  config: SimConfig,
  faults: ReturnType<typeof faultTimeline>,
  rssSamples: RssSample[],
): Promise<void> {
  const { time, recorder } = cluster;
  const pool = new ClientPool({
    time,
    recorder,
    seed: config.seed,
    workload: config.workload,
    targets: () => cluster.targets(),
    serverIndexOf: (id) => cluster.serverIndexOf(id),
  });
  cluster.beginRun();
  const resolutionMs = seriesResolutionMsFor(config.durationMs, config.check.seriesResolutionMs);
  const sample = (bucket: number) => {
    const atMs = Math.min(config.durationMs, (bucket + 1) * resolutionMs);
    if (atMs > config.durationMs) return;
    time.at(atMs, () => {
      const counts = pool.perServer(cluster.servers.length);
      recorder.sample(counts.map((count, index) => (cluster.servers[index]!.up ? count : -1)));
      try {
        rssSamples.push({ atMs, rssBytes: process.memoryUsage().rss });
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
      .then(() => applyFault(cluster, fault))
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
): RunResult {
  const history = cluster.recorder.finish(config.durationMs);
  history.checks.push({
    name: 'lab-real-run',
    ok: true,
    detail: `ran on real sockets at timeScale ${timeScale} in ${Math.round(realDurationMs)} real ms; durations are production ms`,
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
      },
    }),
    ...(config.scenario === 'capacity' ? { capacity: capacityCurve(history, rssSamples) } : {}),
  };
}
