/**
 * The result of one run, simulated (`sim/`) or real (`lab/`): one JSON document with this shape.
 * It is the contract between the engines, the checker, the scenario runner and the reports
 * (`reports/` imports only these types). Everything here is deterministic for a simulated run:
 * the same seed and configuration give a byte-identical document (so no wall-clock fields;
 * the runner keeps those in the aggregate).
 *
 * Units are in the names. "Truth" is the exact number of connected clients in the fleet at an
 * instant; a WHO answer is judged against the truth over its request interval [askedAtMs,
 * answeredAtMs]: its error is 0 when it lies within [truthMin, truthMax], else the distance to
 * the nearest bound (positive = overcount, negative = undercount).
 *
 * Which range "wrong" uses depends on the mode's promise (experiment/checker.ts): modes local and A are
 * judged against the fleet's total ([min, max] of the fleet truth over the interval). Mode C is
 * judged per server, because a fan-out reads each member at a slightly different moment and
 * promises only that each member's count was right when read: its range is [sum of each
 * server's minimum, sum of each server's maximum] over the interval. `outsideFleetRange` counts
 * the answers outside the fleet-level range in every mode, for comparison.
 */

export const runResultSchema = 'headcount.run/1';
export const aggregateSchema = 'headcount.results/1';

export type Engine = 'sim' | 'real';
export type ModeName = 'local' | 'a' | 'c';

export interface Distribution {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

export interface RunConfig {
  mode: ModeName;
  servers: number;
  ttlMs: number;
  heartbeatMs: number;
  publishDelayMs: number;
  whoCacheMs: number;
  idStrategy: 'uuid' | 'stable' | 'uuidv7' | 'snowflake' | 'stable-shared';
  leaseMs: number;
  fanoutTimeoutMs: number;
  discoveryInstances: number;
  /** Real engine: the factor applied to every duration (0.1 = ten times faster than production). */
  timeScale: number;
  /** Every other resolved setting (workload, network), flat, for the report's captions. */
  [key: string]: number | string | boolean;
}

export interface WhoStats {
  asked: number;
  /** Answered with a number. */
  answered: number;
  /** Answered `ERR unavailable`. */
  unavailable: number;
  /** No answer before the client gave up (a hang). */
  timedOut: number;
  /** answered / asked; 1 when nothing was asked. */
  availability: number;
  /**
   * Answers outside the truth's range over their interval: the fleet range for modes local and
   * A, the per-server range (sum of per-server minima .. maxima) for mode C.
   */
  wrong: number;
  /** Answers outside the fleet-level truth range (equals `wrong` for modes local and A). */
  outsideFleetRange?: number;
  /** Signed error of numeric answers (0 inside the truth range). */
  error: Distribution & { min: number };
  /** |error| / max(1, truth) of numeric answers. */
  relativeErrorAbs: Distribution;
  /**
   * `mean` is the time-averaged overcount (undercount) in clients: the sum of the positive
   * (negative) errors over the numeric answers. WHO probes arrive as a Poisson process, so the
   * average over answers is the average over time (PASTA). Absent in results written before it.
   */
  overcount: { answers: number; max: number; mean?: number };
  undercount: { answers: number; max: number; mean?: number };
  latencyMs: Distribution & { p90: number };
}

/** A span of time during which WHO answers were wrong (mode A) or refused (mode C). */
export interface Window {
  startMs: number;
  endMs: number;
  durationMs: number;
  /** The largest |error| seen in it (0 for refusal windows). */
  errorAbsMax: number;
  /** The fault that explains it, e.g. `crash server-2`, or `unexplained`. */
  cause: string;
}

/** A fault or an action the run applied, on the run's timeline. */
export interface TimelineEvent {
  atMs: number;
  kind: string;
  target: string;
  detail?: string;
}

/** Time series at a fixed resolution, for charts. Arrays are aligned with `tMs`. */
export interface Series {
  resolutionMs: number;
  tMs: number[];
  truth: number[];
  /** Mean numeric WHO answer in the bucket; null when none. */
  whoMean: (number | null)[];
  whoMin: (number | null)[];
  whoMax: (number | null)[];
  /** ERR unavailable answers in the bucket. */
  unavailable: number[];
  /** Connections per server at the end of each bucket (for load-balancer imbalance). */
  perServer?: number[][];
}

export interface IdStats {
  strategy: string;
  restarts: number;
  distinctIds: number;
  /** Two live servers with the same id, or an id reused by another server: must be 0. */
  collisions: number;
  /**
   * Double counting proper: after a restarted (or crashed) server boots again, WHO answers that
   * still overcount while its old registry entry lives beside its new one. Measured from the
   * boot instant, so the overcount *before* the boot (the old entry still counting clients that
   * already reconnected elsewhere during the downtime: the crash's stale window, the same for
   * every id strategy) is not included. A stable id overwrites its old entry at its first
   * publish; a new id leaves it until the TTL expires it.
   * The largest overcount (clients) seen after a boot while the stale window was still open.
   */
  doubleCountMax: number;
  /** The longest time (ms) from a boot until answers stop overcounting; 0 when none. */
  doubleCountWindowMsMax?: number;
  /** Boots after a restart or crash that were followed by an overcount. */
  doubleCountBoots?: number;
}

/** How long the fleet took to rebalance after a server joined (scale-out, restart, crash). */
export interface Rebalance {
  /** The join instant (the server's boot). */
  atMs: number;
  /** What joined, e.g. `stop server-5` (back from a stop: a scale-out) or `restart server-0`. */
  event: string;
  /** Imbalance at the first sample after the join. */
  imbalanceAtJoin: number;
  /** From the join until the imbalance first fell to `rebalancedImbalanceMax`; null if never before the next join or the end. */
  rebalanceMs: number | null;
}

export interface LoadBalancerStats {
  policy: string;
  connectionAgeMsMax: number;
  idleTimeoutMs: number;
  /** (max - min) / mean of connections per live server, sampled over time. */
  imbalance: Distribution;
  /** Connections the clients opened after the warm-up (arrivals plus every reconnect). */
  connectionsOpened?: number;
  /** The imbalance below which the fleet counts as rebalanced (`Rebalance.rebalanceMs`). */
  rebalancedImbalanceMax?: number;
  rebalances?: Rebalance[];
}

/** One Redis failover (fault `redis-failover`): what it cost the registry, and how long. */
export interface FailoverStats {
  /** The primary died. */
  atMs: number;
  /** From the death until Sentinel named the promoted replica; null = not within the run. */
  promotionMs: number | null;
  /** Live registry entries on the primary when it died. */
  entriesAtPrimary: number;
  /** Of those, entries the promoted replica lacked or held with another count (asynchronous replication). */
  entriesLost: number;
  /** The primary's live total minus the promoted replica's, at the death (clients). */
  clientsLost: number;
  /** Servers up when the primary died, and how many of them wrote to the new primary. */
  serversLive: number;
  serversWriting: number;
  /** From the death until every server up at it had written to the new primary; null = not all did. */
  allWritingMs: number | null;
  /**
   * From the death until the end of the last stale window the checker blamed on this failover
   * that began before every server wrote to the new primary plus a heartbeat: how long WHO may
   * answer wrong (the windows themselves are in `staleWindows`); 0 = none.
   */
  wrongSpanMs: number;
}

/**
 * A storm counts as absorbed once the fleet is back to its clients before the crash less this
 * share of the clients the crash dropped: a session that ends while its client waits to
 * reconnect never comes back, and 1% ends the storm at its tail rather than waiting on the last
 * straggler of a jittered policy.
 */
export const absorbSlackShare = 0.01;

/**
 * The storm window lasts at least this long (production ms): an at-once reconnect is absorbed in
 * a few simulated milliseconds, and a rate or a p99 needs a second of samples (20 WHO at 20/s).
 */
export const stormWindowMsMin = 1_000;

/**
 * The quiet a storm is compared with: at most this long before the crash, and after the warm-up
 * (production ms). The recent steady state, not the start-up's connects and first publishes.
 */
export const stormQuietMsMax = 5_000;

/** One quantity before a crash and during the storm it set off (its unit is in the field's name). */
export interface QuietAndStorm {
  /** Over the quiet before the crash: its last `stormQuietMsMax` (5 s), after the warm-up. */
  quiet: number;
  /** Over the storm window: from the crash until `windowEndMs`. */
  storm: number;
}

/**
 * A reconnect storm: what a crash (`crash server-<i>`, or a `zone-outage` with `outage=crash`)
 * cost the survivors while the crashed servers' clients came back. Defined once, in the checker
 * (`stormStatsOf`, experiment/checker.ts); both engines' histories are judged by it.
 */
export interface StormStats {
  /** The crash instant, and what crashed, e.g. `crash server-0`. */
  atMs: number;
  event: string;
  /** Clients the crashed servers held just before the crash (per-server truth). */
  clientsDropped: number;
  /** Clients connected to the fleet just before the crash (truth). */
  clientsBefore: number;
  /**
   * Absorb time: from the crash until the crashed servers had lost all their clients and the
   * fleet's truth was back to `clientsBefore` less `absorbSlackShare` of `clientsDropped` (a
   * session that ends while its client waits never comes back). 0 when the crashed servers held
   * no client; null = not within the run.
   */
  absorbMs: number | null;
  /** The storm window ends here: crash + max(absorbMs, `stormWindowMsMin`), within the run. */
  windowEndMs: number;
  /**
   * Mean time from TCP connect to first reply of the connections opened in the storm window
   * (mostly the reconnecting clients), by Little's law over the history's unconfirmed clients:
   * (integral of unconfirmed over the window) / (connections opened in it). Absent when the
   * history has no unconfirmed clients (the simulator admits a client the instant it connects).
   */
  connectToReplyMsMean?: number;
  /**
   * p99 of WHO latency (asked to answered, numeric or refused; a WHO never answered counts at its
   * timeout) of WHOs asked of servers that did not crash, before and during the storm, and how
   * many WHOs each holds. The simulator models no CPU: only the real engine's latency says what
   * a storm costs.
   */
  whoLatencyMsP99: QuietAndStorm;
  whoAsked: QuietAndStorm;
  /** Registry writes Redis executed per second (mode A); absent without counter samples. */
  redisWritesPerSec?: QuietAndStorm;
  /** Discovery broadcasts (fan-outs) per second (mode C); absent without counter samples. */
  broadcastsPerSec?: QuietAndStorm;
}

export interface RunResult {
  schema: typeof runResultSchema;
  engine: Engine;
  scenario: string;
  /** Unique within a results folder, e.g. `ttl-sweep/ttlMs=5000,heartbeatRatio=1/seed-3`. */
  runId: string;
  seed: number;
  /** The sweep point (parameter name -> value); empty when not swept. */
  params: Record<string, number | string>;
  config: RunConfig;
  durationMs: number;
  who: WhoStats;
  /** Mode A: spans of wrong answers. */
  staleWindows: Window[];
  staleWindowMs: Distribution;
  /** Mode C: spans of `ERR unavailable`. */
  refusalWindows: Window[];
  refusalWindowMs: Distribution;
  redisOpsPerSec: number;
  /** Registry writes (publishes) per second; absent in results written before it. */
  redisWritesPerSec?: number;
  broadcastsPerSec: number;
  events: TimelineEvent[];
  series: Series;
  ids?: IdStats;
  loadBalancer?: LoadBalancerStats;
  /** Invariants checked during the run (e.g. `counts-return-to-zero`). */
  checks: { name: string; ok: boolean; detail: string }[];
  /** Redis failovers (fault `redis-failover`); absent when none ran. */
  failovers?: FailoverStats[];
  /** Reconnect storms, one per server or zone crash; absent when none ran. */
  storms?: StormStats[];
  /** Real engine: the measured capacity curve, when the capacity scenario ran. */
  capacity?: { connections: number; latencyMsP99: number; errors: number; rssBytesPerConnection: number }[];
}

/** One expectation of a scenario file, evaluated over its runs. */
export interface ExpectationOutcome {
  expression: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioOutcome {
  name: string;
  /** The question the scenario answers, from the file's header. */
  question: string;
  file: string;
  engine: Engine;
  /** Run ids, each stored as `runs/<runId with / replaced by __>.json` in the results folder. */
  runIds: string[];
  expectations: ExpectationOutcome[];
}

/** `results.json` in a results folder: what the scenario runner ran, and where the runs are. */
export interface Aggregate {
  schema: typeof aggregateSchema;
  generatedAt: string;
  rootSeed: number;
  quick: boolean;
  /** `I/N` when this folder holds one shard of the runs. */
  shard?: string;
  scenarios: ScenarioOutcome[];
  wallMs: number;
  /** Where the job ran, for the report's assumptions panel. Absent in results written before it. */
  environment?: RunEnvironment;
}

/** The machine and code a job ran on: what a reader needs to judge a real-engine timing. */
export interface RunEnvironment {
  /** CPU model and count, e.g. `2 x AMD EPYC 7B13` (no host name: results travel). */
  cpus: string;
  /** `os.loadavg()[0]` when the job started: a loaded machine slows the real engine. */
  loadAverage1m: number;
  memoryBytes: number;
  platform: string;
  nodeVersion: string;
  /** `git rev-parse --short HEAD`, with `+dirty` when the tree had changes; `unknown` outside git. */
  commit: string;
}
