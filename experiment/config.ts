/**
 * `SimConfig`: everything one run needs, as plain data (JSON/YAML-friendly: numbers, strings,
 * arrays, `Ratio` objects), for both engines. `simConfigSchema` below is the ONE place where
 * each field is described and its default written (zod: `.default(...)` on leaves,
 * `.prefault({})` on objects, so an omitted object takes every default inside it); the types
 * are inferred from it. The scenario runner maps YAML files onto it; `headcount sim` maps flags
 * onto it; the engines run it and `finishRun` (experiment/finish-run.ts) turns the history into
 * a `RunResult` (experiment/result.ts).
 *
 * Rule: a run is a pure function of its config. The seed decides every random draw (arrivals,
 * session lengths, latencies, loss, clock offsets, generated faults); nothing else may.
 *
 * Use `resolveSimConfig(partial)` to fill defaults: any field may be omitted at any depth.
 * Times are milliseconds from the start of the run (t = 0; production ms on the real engine).
 */
import { z } from 'zod';
import { reconnectPolicySchema } from './reconnect-policy.ts';
import { faultDirections, faultKinds, partitionPeers, zoneOutages } from './faults/fault-table.ts';

export type { FaultEvent, FaultKind, PartitionPeer } from './faults/fault-table.ts';

const ms = z.number();
const ratioSchema = z.object({ numerator: z.number(), denominator: z.number() });

const modeSchema = z.enum(['local', 'a', 'c']);
/**
 * The product's id strategies, plus one deployment mistake the report must price:
 * `stable-shared` is `stable` where server-1 was given server-0's id file (a copied volume, two
 * pods with one hostname), so two live processes publish under one id. Simulator only.
 */
const idStrategySchema = z.enum(['uuid', 'stable', 'uuidv7', 'snowflake', 'stable-shared']);

/**
 * Mode A's Redis. `single`: one redis-server. `sentinel`: a primary, one replica and three
 * Sentinels; servers find the primary through Sentinel. The failover model (fault
 * `redis-failover`): the replica applies each write `replicationLagMs` after the primary did
 * (asynchronous replication), so a primary that dies takes the writes of its last lag window with
 * it; Sentinel judges it down after `downAfterMs` and names the promoted replica `electionMs`
 * later; each server's client finds the new primary at its next reconnect attempt, at most
 * `reconnectMsMax` later.
 */
export const redisConfigSchema = z.object({
  topology: z.enum(['single', 'sentinel']).default('single'),
  /** Sentinel topology: how far the replica trails the primary. */
  replicationLagMs: ms.default(100),
  /** Sentinel's down-after-milliseconds: a primary silent this long is judged down. */
  downAfterMs: ms.default(5_000),
  /** From judged down until Sentinel names the promoted replica (vote, REPLICAOF NO ONE, its confirmation). */
  electionMs: ms.default(1_000),
  /** A server's Redis client retries its connection at most this far apart (`--redis-retry-max-ms`). */
  reconnectMsMax: ms.default(1_000),
});

/** The fleet under test. */
export const clusterConfigSchema = z.object({
  /** Counting mode. */
  mode: modeSchema.default('a'),
  /** Servers behind the load balancer. */
  servers: z.number().default(5),
  /** Server id strategy; decides whether a restart changes the id. */
  idStrategy: idStrategySchema.default('uuid'),
  /** Mode A: registry entry lifetime, by Redis's clock. */
  ttlMs: ms.default(5_000),
  /** Mode A: republish interval (mode C: registration renewal). */
  heartbeatMs: ms.default(1_000),
  /** Mode A: coalesce count changes for this long before publishing. */
  publishDelayMs: ms.default(0),
  /** Mode A/C: answer WHO from a cached total younger than this. */
  whoCacheMs: ms.default(0),
  /** Mode C: registration lease at the discovery service. */
  leaseMs: ms.default(3_000),
  /** Mode C: how long a WHO fan-out waits for members. */
  fanoutTimeoutMs: ms.default(500),
  /** Mode C: discovery instances. */
  discoveryInstances: z.number().default(1),
  /**
   * Zones the fleet is spread over, round robin: server i and discovery instance j stand in zone
   * i mod zones and j mod zones, Redis in zone 0 (experiment/faults/zones.ts). A `zone-outage`
   * takes one zone's nodes at once. 1 = one zone (no zone faults worth the name).
   */
  zones: z.number().default(1),
  /**
   * Mode C: how servers reach the discovery instances. `per-instance` (the safe default): every
   * server is given every instance's address and registers with each (each instance's table is
   * complete). `behind-lb`: servers are given only a load balancer's address in front of the
   * instances, so a registration lands on the one instance the balancer picks and a count on any
   * one: an instance's sum misses the members registered elsewhere (a wrong number). Kept to
   * measure that mistake, as `stable-shared` prices a copied id file.
   */
  discoveryTopology: z.enum(['per-instance', 'behind-lb']).default('per-instance'),
  /** Mode A/C: per-effect timeout handed to the backend (kv/http). */
  effectTimeoutMs: ms.default(1_000),
  /** Server limit: clients per server; more get `ERR server full`. */
  connectionsMax: z.number().default(100_000),
  /** Server limit: idle clients are closed after this long; 0 = off. */
  idleTimeoutMs: ms.default(0),
  /** Server limit: clients older than this are closed (`BYE max age`); 0 = off. */
  connectionAgeMsMax: ms.default(0),
  /**
   * Each server's clock is offset from true time by a draw in [-max, +max] (the seed picks it).
   * Redis and discovery judge time by their own clocks (offset 0).
   */
  clockOffsetMsMax: ms.default(0),
  /**
   * A deliberately broken variant, to prove the properties catch bugs (test/sim): `a-never-expires`
   * wraps mode A's backend so its entries are published with a TTL of a day and never removed;
   * `c-stale-cache` wraps mode C's backend so WHO answers the first total it ever got.
   */
  brokenVariant: z.enum(['none', 'a-never-expires', 'c-stale-cache']).default('none'),
  /** Mode A's Redis topology and its failover model. */
  redis: redisConfigSchema.prefault({}),
});

/** A latency distribution: `baseMs` plus a jitter draw. */
const latencySchema = z.object({
  /** Fixed part. */
  baseMs: ms.default(0.5),
  /** Random part: uniform in [0, jitterMs] or exponential with mean jitterMs. */
  jitterMs: ms.default(0.5),
  jitter: z.enum(['uniform', 'exponential']).default('uniform'),
});

/** One class of network link (both directions use the same settings). */
const linkSchema = z.object({
  latency: latencySchema.prefault({}),
  /** The share lost, of messages or of connections as `lossModel` says. */
  lossProbability: ratioSchema.default({ numerator: 0, denominator: 1 }),
  /**
   * What `lossProbability` is a share of. This is the one definition of loss for both engines.
   *
   * - `message`: each message is lost on its own (simulator only; TCP retransmits, so there is no
   *   real counterpart and the lab refuses it).
   * - `connection`: loss as TCP shows it. Each connection on the link is STALLED with this
   *   probability, drawn once when it opens: nothing passes either way (no reset, no error) until
   *   it closes. It is Toxiproxy's `timeout` toxic with timeout 0 and toxicity p (toxicity is drawn
   *   per connection), which is what the lab installs. Which connections a link has: one per client
   *   session (the client keeps it until it leaves or the server closes it); one per server boot to
   *   Redis (the Redis client keeps a stalled connection; a timed-out command does not close it);
   *   server <-> discovery calls use keep-alive sockets and a call that times out destroys its
   *   socket, so the next call draws again.
   */
  lossModel: z.enum(['message', 'connection']).default('message'),
});

const networkSchema = z.object({
  /** Server <-> Redis. */
  redis: linkSchema.prefault({}),
  /** Server <-> discovery and discovery -> member count calls. */
  discovery: linkSchema.prefault({}),
  /** Client <-> server (WHO request and reply). */
  clients: linkSchema.prefault({}),
  /** Redis's own execution time per command. */
  redisOpMs: ms.default(0.05),
});

const sessionLengthSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('exponential'), meanMs: ms }),
  z.object({ kind: z.literal('lognormal'), medianMs: ms, sigma: z.number() }),
  z.object({ kind: z.literal('pareto'), minMs: ms, alpha: z.number() }),
]);

/** From `fromMs` on, clients arrive at `ratePerSec` (Poisson), until the next step. */
const rateStepSchema = z.object({ fromMs: ms, ratePerSec: z.number() });

const workloadSchema = z.object({
  /** Poisson arrival rate. */
  arrivalRatePerSec: z.number().default(10),
  /** Overrides `arrivalRatePerSec` when non-empty: a schedule of rates (steps and spikes). */
  arrivalSchedule: z.array(rateStepSchema).default([]),
  /** No new client arrives from this instant on (lets conservation be checked); -1 = never. */
  arrivalsStopAtMs: ms.default(-1),
  sessionLength: sessionLengthSchema.default({ kind: 'exponential', meanMs: 60_000 }),
  /** Clients connected at t = 0 (steady state from the start). */
  initialClients: z.number().default(0),
  loadBalancer: z.enum(['round-robin', 'least-connections', 'random']).default('round-robin'),
  /** A client whose connection the server closes (max age, idle, drain, crash) reconnects. */
  reconnect: z.boolean().default(true),
  /** When it reconnects (experiment/reconnect-policy.ts); default at once. */
  reconnectPolicy: reconnectPolicySchema.prefault({}),
  /** WHO probes per second, each from a random connected client. */
  whoRatePerSec: z.number().default(5),
  /** A client gives up on a WHO after this long (counted as timed out). */
  whoTimeoutMs: ms.default(5_000),
  /** Bound on simultaneously connected simulated clients; arrivals beyond it are dropped. */
  clientsMax: z.number().default(200_000),
});

/** One fault on the timeline; kinds, parameters and their defaults: the fault table. */
const faultEventSchema = z.object({
  atMs: ms,
  kind: z.enum(faultKinds),
  target: z.string(),
  durationMs: ms.optional(),
  peer: z.enum(partitionPeers).optional(),
  direction: z.enum(faultDirections).optional(),
  extraMs: ms.optional(),
  deltaMs: ms.optional(),
  outage: z.enum(zoneOutages).optional(),
});

const faultsSchema = z.object({
  /** Faults at given times. */
  schedule: z.array(faultEventSchema).default([]),
  /** Faults generated from the seed: each kind at a rate, with exponential durations. */
  generated: z
    .object({
      /** Expected faults per hour, by kind; omitted kinds are 0. */
      ratesPerHour: z.partialRecord(z.enum(faultKinds), z.number()).default({}),
      /** Mean fault duration (partition, outage, down time). */
      durationMsMean: ms.default(10_000),
    })
    .prefault({}),
  /**
   * Every fault has healed by this instant (crashed servers restarted, partitions gone); no
   * generated fault starts after it. -1 = `durationMs` (no liveness phase).
   */
  healAtMs: ms.default(-1),
});

const checkSchema = z.object({
  /** Series bucket width; 0 = chosen so the run has about 600 points. */
  seriesResolutionMs: ms.default(0),
  /** Keep per-server connection series in the result. */
  perServerSeries: z.boolean().default(true),
});

export const simConfigSchema = z.object({
  /** Scenario name recorded in the result. */
  scenario: z.string().default('adhoc'),
  /** Run id recorded in the result; '' = `<scenario>/seed-<seed>`. */
  runId: z.string().default(''),
  /** Sweep point recorded in the result. */
  params: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
  /** Root seed (a 32-bit unsigned integer). */
  seed: z.number().default(1),
  /** Run length. */
  durationMs: ms.default(60_000),
  /** Hard bound on processed events; a run that hits it fails a check (runaway loop). */
  stepsMax: z.number().default(200_000_000),
  cluster: clusterConfigSchema.prefault({}),
  workload: workloadSchema.prefault({}),
  network: networkSchema.prefault({}),
  faults: faultsSchema.prefault({}),
  check: checkSchema.prefault({}),
});

export type SimConfig = z.output<typeof simConfigSchema>;
export type ClusterConfig = SimConfig['cluster'];
export type RedisConfig = ClusterConfig['redis'];
export type WorkloadConfig = SimConfig['workload'];
export type NetworkConfig = SimConfig['network'];
export type LinkConfig = NetworkConfig['redis'];
export type LatencyConfig = LinkConfig['latency'];
export type SessionLengthConfig = WorkloadConfig['sessionLength'];
export type RateStep = WorkloadConfig['arrivalSchedule'][number];
export type LoadBalancerPolicy = WorkloadConfig['loadBalancer'];
export type FaultsConfig = SimConfig['faults'];
export type GeneratedFaultsConfig = FaultsConfig['generated'];
export type CheckConfig = SimConfig['check'];
export type SimMode = ClusterConfig['mode'];
export type SimIdStrategy = ClusterConfig['idStrategy'];

/** Every default, as one config (a fresh object each call). */
export function defaultSimConfig(): SimConfig {
  return simConfigSchema.parse({});
}

/** A partial config at any depth (what YAML files and flags provide). */
export type SimConfigInput = DeepPartial<SimConfig>;
export type DeepPartial<T> = T extends (infer U)[]
  ? U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** A config that does not fit the schema (a wrong type, an unknown kind). */
export class SimConfigError extends Error {
  readonly code = 'HC_CONFIG_INVALID';
  readonly definite = true;
}

/**
 * Fills every omitted field with its default (the schema's), then checks the whole against the
 * schema. Arrays and unions (sessionLength) replace whole; fields keep the order they were given
 * in, so a resolved config prints the same way it always has.
 */
export function resolveSimConfig(input: SimConfigInput = {}): SimConfig {
  const config = merge(defaultSimConfig(), input) as SimConfig;
  const checked = simConfigSchema.safeParse(config);
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new SimConfigError(`invalid run config: ${problems.join('; ')}`);
  }
  return config;
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
