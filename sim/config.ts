/**
 * `SimConfig`: everything one simulated run needs, as plain data (JSON/YAML-friendly: numbers,
 * strings, arrays, `Ratio` objects), with a documented default for every field. The scenario
 * runner maps YAML files onto it; `headcount sim` maps flags onto it; `runSimulation(config)`
 * (sim/run.ts) turns it into a `RunResult` (sim/result.ts).
 *
 * Rule: a run is a pure function of its config. The seed decides every random draw (arrivals,
 * session lengths, latencies, loss, clock offsets, generated faults); nothing else may.
 *
 * Use `resolveSimConfig(partial)` to fill defaults: any field may be omitted at any depth.
 * Times are virtual milliseconds from the start of the run (t = 0).
 */
import type { Ratio } from '../impl/core/ratio.ts';

export type SimMode = 'local' | 'a' | 'c';
/**
 * The product's id strategies, plus one deployment mistake the report must price:
 * `stable-shared` is `stable` where server-1 was given server-0's id file (a copied volume, two
 * pods with one hostname), so two live processes publish under one id.
 */
export type SimIdStrategy = 'uuid' | 'stable' | 'uuidv7' | 'snowflake' | 'stable-shared';

/** The fleet under test. */
export interface ClusterConfig {
  /** Counting mode. @default 'a' */
  mode: SimMode;
  /** Servers behind the load balancer. @default 5 */
  servers: number;
  /** Server id strategy; decides whether a restart changes the id. @default 'uuid' */
  idStrategy: SimIdStrategy;
  /** Mode A: registry entry lifetime, by Redis's clock. @default 5000 */
  ttlMs: number;
  /** Mode A: republish interval (mode C: registration renewal). @default 1000 */
  heartbeatMs: number;
  /** Mode A: coalesce count changes for this long before publishing. @default 0 */
  publishDelayMs: number;
  /** Mode A/C: answer WHO from a cached total younger than this. @default 0 */
  whoCacheMs: number;
  /** Mode C: registration lease at the discovery service. @default 3000 */
  leaseMs: number;
  /** Mode C: how long a WHO fan-out waits for members. @default 500 */
  fanoutTimeoutMs: number;
  /** Mode C: discovery instances. @default 1 */
  discoveryInstances: number;
  /** Mode A/C: per-effect timeout handed to the backend (kv/http). @default 1000 */
  effectTimeoutMs: number;
  /** Server limit: clients per server; more get `ERR server full`. @default 100000 */
  connectionsMax: number;
  /** Server limit: idle clients are closed after this long; 0 = off. @default 0 */
  idleTimeoutMs: number;
  /** Server limit: clients older than this are closed (`BYE max age`); 0 = off. @default 0 */
  connectionAgeMsMax: number;
  /**
   * Each server's clock is offset from true time by a draw in [-max, +max] (the seed picks it).
   * Redis and discovery judge time by their own clocks (offset 0). @default 0
   */
  clockOffsetMsMax: number;
  /**
   * A deliberately broken variant, to prove the properties catch bugs (test/sim): `a-never-expires`
   * wraps mode A's backend so its entries are published with a TTL of a day and never removed;
   * `c-stale-cache` wraps mode C's backend so WHO answers the first total it ever got. @default 'none'
   */
  brokenVariant?: 'none' | 'a-never-expires' | 'c-stale-cache';
}

/** A latency distribution: `baseMs` plus a jitter draw. */
export interface LatencyConfig {
  /** Fixed part. @default 0.5 */
  baseMs: number;
  /** Random part: uniform in [0, jitterMs] or exponential with mean jitterMs. @default 0.5 */
  jitterMs: number;
  /** @default 'uniform' */
  jitter: 'uniform' | 'exponential';
}

/** One class of network link (one direction each way uses the same settings). */
export interface LinkConfig {
  latency: LatencyConfig;
  /** Each message is lost with this probability. @default 0/1 */
  lossProbability: Ratio;
}

export interface NetworkConfig {
  /** Server <-> Redis. */
  redis: LinkConfig;
  /** Server <-> discovery and discovery -> member count calls. */
  discovery: LinkConfig;
  /** Client <-> server (WHO request and reply). */
  clients: LinkConfig;
  /** Redis's own execution time per command. @default 0.05 */
  redisOpMs: number;
}

export type SessionLengthConfig =
  | { kind: 'exponential'; meanMs: number }
  | { kind: 'lognormal'; medianMs: number; sigma: number }
  | { kind: 'pareto'; minMs: number; alpha: number };

/** From `fromMs` on, clients arrive at `ratePerSec` (Poisson), until the next step. */
export interface RateStep {
  fromMs: number;
  ratePerSec: number;
}

export type LoadBalancerPolicy = 'round-robin' | 'least-connections' | 'random';

export interface WorkloadConfig {
  /** Poisson arrival rate. @default 10 */
  arrivalRatePerSec: number;
  /** Overrides `arrivalRatePerSec` when non-empty: a schedule of rates (steps and spikes). @default [] */
  arrivalSchedule: RateStep[];
  /** No new client arrives from this instant on (lets conservation be checked); -1 = never. @default -1 */
  arrivalsStopAtMs: number;
  /** @default { kind: 'exponential', meanMs: 60000 } */
  sessionLength: SessionLengthConfig;
  /** Clients connected at t = 0 (steady state from the start). @default 0 */
  initialClients: number;
  /** @default 'round-robin' */
  loadBalancer: LoadBalancerPolicy;
  /** A client whose connection the server closes (max age, idle, drain, crash) reconnects at once. @default true */
  reconnect: boolean;
  /** WHO probes per second, each from a random connected client. @default 5 */
  whoRatePerSec: number;
  /** A client gives up on a WHO after this long (counted as timed out). @default 5000 */
  whoTimeoutMs: number;
  /** Bound on simultaneously connected simulated clients; arrivals beyond it are dropped. @default 200000 */
  clientsMax: number;
}

export type FaultKind =
  | 'crash'
  | 'stop'
  | 'restart'
  | 'partition'
  | 'redis-outage'
  | 'redis-restart'
  | 'discovery-crash'
  | 'latency-spike'
  | 'clock-jump';

/** What a partition cuts a server off from. */
export type PartitionPeer = 'redis' | 'discovery' | 'clients';

/**
 * One fault on the timeline. `target` names a node: `server-<i>`, `redis`, `discovery-<j>`.
 * - crash: the server dies without deregistering; its clients' sockets reset. Restarts after
 *   `durationMs` when given (the id strategy decides the new id), else stays down.
 * - stop: graceful drain (deregisters); restarts after `durationMs` when given.
 * - restart: graceful stop and immediate start (new id unless the strategy is stable).
 * - partition: `target` server cannot reach `peer`; `direction` 'both', 'outbound' (the server's
 *   messages are lost) or 'inbound' (replies to it are lost); heals after `durationMs`.
 * - redis-outage: Redis does not answer for `durationMs` (data kept).
 * - redis-restart: Redis loses all data; down for `durationMs` (default 0).
 * - discovery-crash: `target` discovery instance is down for `durationMs` and loses its state.
 * - latency-spike: every link of class `peer` (or all when omitted) gets `extraMs` more latency for `durationMs`.
 * - clock-jump: `target` server's clock jumps by `deltaMs` (may be negative), permanently.
 */
export interface FaultEvent {
  atMs: number;
  kind: FaultKind;
  target: string;
  durationMs?: number;
  peer?: PartitionPeer;
  direction?: 'both' | 'outbound' | 'inbound';
  extraMs?: number;
  deltaMs?: number;
}

/** Faults generated from the seed: each kind at a rate, with exponential durations. */
export interface GeneratedFaultsConfig {
  /** Expected faults per simulated hour, by kind; omitted kinds are 0. @default {} */
  ratesPerHour: Partial<Record<FaultKind, number>>;
  /** Mean fault duration (partition, outage, down time). @default 10000 */
  durationMsMean: number;
}

export interface FaultsConfig {
  /** Faults at given times. @default [] */
  schedule: FaultEvent[];
  /** @default { ratesPerHour: {}, durationMsMean: 10000 } */
  generated: GeneratedFaultsConfig;
  /**
   * Every fault has healed by this instant (crashed servers restarted, partitions gone); no
   * generated fault starts after it. -1 = `durationMs` (no liveness phase). @default -1
   */
  healAtMs: number;
}

export interface CheckConfig {
  /** Series bucket width; 0 = chosen so the run has about 600 points. @default 0 */
  seriesResolutionMs: number;
  /** Keep per-server connection series in the result. @default true */
  perServerSeries: boolean;
}

export interface SimConfig {
  /** Scenario name recorded in the result. @default 'adhoc' */
  scenario: string;
  /** Run id recorded in the result; '' = `<scenario>/seed-<seed>`. @default '' */
  runId: string;
  /** Sweep point recorded in the result. @default {} */
  params: Record<string, number | string>;
  /** Root seed (a 32-bit unsigned integer). @default 1 */
  seed: number;
  /** Simulated run length. @default 60000 */
  durationMs: number;
  /** Hard bound on processed events; a run that hits it fails a check (runaway loop). @default 200000000 */
  stepsMax: number;
  cluster: ClusterConfig;
  workload: WorkloadConfig;
  network: NetworkConfig;
  faults: FaultsConfig;
  check: CheckConfig;
}

const link = (baseMs: number, jitterMs: number): LinkConfig => ({
  latency: { baseMs, jitterMs, jitter: 'uniform' },
  lossProbability: { numerator: 0, denominator: 1 },
});

export function defaultSimConfig(): SimConfig {
  return {
    scenario: 'adhoc',
    runId: '',
    params: {},
    seed: 1,
    durationMs: 60_000,
    stepsMax: 200_000_000,
    cluster: {
      mode: 'a',
      servers: 5,
      idStrategy: 'uuid',
      ttlMs: 5_000,
      heartbeatMs: 1_000,
      publishDelayMs: 0,
      whoCacheMs: 0,
      leaseMs: 3_000,
      fanoutTimeoutMs: 500,
      discoveryInstances: 1,
      effectTimeoutMs: 1_000,
      connectionsMax: 100_000,
      idleTimeoutMs: 0,
      connectionAgeMsMax: 0,
      clockOffsetMsMax: 0,
      brokenVariant: 'none',
    },
    workload: {
      arrivalRatePerSec: 10,
      arrivalSchedule: [],
      arrivalsStopAtMs: -1,
      sessionLength: { kind: 'exponential', meanMs: 60_000 },
      initialClients: 0,
      loadBalancer: 'round-robin',
      reconnect: true,
      whoRatePerSec: 5,
      whoTimeoutMs: 5_000,
      clientsMax: 200_000,
    },
    network: {
      redis: link(0.5, 0.5),
      discovery: link(0.5, 0.5),
      clients: link(0.5, 0.5),
      redisOpMs: 0.05,
    },
    faults: {
      schedule: [],
      generated: { ratesPerHour: {}, durationMsMean: 10_000 },
      healAtMs: -1,
    },
    check: { seriesResolutionMs: 0, perServerSeries: true },
  };
}

/** A partial config at any depth (what YAML files and flags provide). */
export type SimConfigInput = DeepPartial<SimConfig>;
export type DeepPartial<T> = T extends (infer U)[]
  ? U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Fills every omitted field with its default. Arrays and unions (sessionLength) replace whole. */
export function resolveSimConfig(input: SimConfigInput = {}): SimConfig {
  return merge(defaultSimConfig(), input) as SimConfig;
}

const replacedWhole = new Set(['sessionLength', 'lossProbability', 'ratesPerHour', 'params']);

function merge(base: unknown, over: unknown, key = ''): unknown {
  if (over === undefined) return base;
  if (Array.isArray(over) || replacedWhole.has(key)) return structuredClone(over);
  if (typeof over !== 'object' || over === null || typeof base !== 'object' || base === null) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
    out[k] = merge((base as Record<string, unknown>)[k], v, k);
  }
  return out;
}
