/**
 * A run's history: plain records of what happened, with no judgement in them. The simulator
 * records one while it runs; the real-time lab records the same shape from its load driver and
 * cluster; `checkHistory` (experiment/checker.ts) turns either into the judged parts of a `RunResult`.
 *
 * Truth is kept as change points: `truthCount[k]` clients were connected from `truthTMs[k]`
 * until `truthTMs[k + 1]`. Times are milliseconds from the start of the run. The same is kept
 * per server (`serverTruth[i]`, clients connected to server i), because a fan-out (mode C) reads
 * servers a few milliseconds apart and is judged server by server.
 */
import type { TimelineEvent } from './result.ts';

export type WhoOutcome = 'count' | 'unavailable' | 'timeout' | 'abandoned';

export interface WhoRecord {
  askedAtMs: number;
  /** When the client got the answer; for a `timeout`, the instant it gave up. */
  answeredAtMs: number;
  outcome: WhoOutcome;
  /** The number answered; -1 unless outcome is `count`. */
  value: number;
  /** Index of the server that was asked. */
  serverIndex: number;
}

export interface ServerBoot {
  serverIndex: number;
  id: string;
  atMs: number;
}

/** `count[k]` from `tMs[k]` until `tMs[k + 1]`. */
export interface TruthPoints {
  tMs: number[];
  count: number[];
}

/**
 * One Redis failover (fault `redis-failover`), as the engine saw it. Entries are compared at the
 * primary's death: what the primary held live against what the replica it promotes held.
 */
export interface FailoverRecord {
  /** The primary died. */
  atMs: number;
  /** Sentinel named the promoted replica the primary; absent = not within the run. */
  promotedAtMs?: number;
  /** Live registry entries on the primary when it died. */
  entriesAtPrimary: number;
  /** Of those, entries the promoted replica lacked or held with another count (their last write was lost). */
  entriesLost: number;
  /** The primary's live total minus the replica's, at the death (clients; negative = the replica counted more). */
  clientsLost: number;
  /** Servers up when the primary died. */
  serversLive: number;
  /** Each of those servers' first write executed on the new primary (absent: none before the run ended). */
  firstWriteAtMs: (number | undefined)[];
}

export interface History {
  durationMs: number;
  truthTMs: number[];
  truthCount: number[];
  /**
   * Clients counted in the truth whose server may not hold them yet (the lab: TCP connected, no
   * reply yet, since a busy server accepts one connection per event-loop turn). A WHO that leaves
   * them out is not wrong: the checker's range runs down to truth minus these. Absent in the
   * simulator, whose server admits a client at the instant it connects.
   */
  unconfirmed?: TruthPoints;
  /**
   * Per-server truth as change points, indexed by server index (a server that is down holds 0).
   * Empty when the recorder does not know it (the checker then judges against the fleet truth).
   */
  serverTruth: TruthPoints[];
  who: WhoRecord[];
  /** Faults and heals (kind `heal` with the healed fault's kind in `detail`). */
  events: TimelineEvent[];
  /** Connections per server at `sampleTMs[k]`; -1 for a server that is down. */
  sampleTMs: number[];
  samplePerServer: number[][];
  boots: ServerBoot[];
  redisOps: number;
  /** Registry writes (publishes) Redis executed; absent in histories recorded before it. */
  redisWrites?: number;
  broadcasts: number;
  /**
   * The shared components' counters, cumulative from t = 0, read at the series' sample instants:
   * Redis registry writes (as `redisWrites`) and discovery broadcasts (as `broadcasts`). The
   * checker's storm rates (`StormStats`) are differences of these. Absent in histories recorded
   * before them; a component the mode does not have reads 0.
   */
  counterSamples?: CounterSamples;
  /** Invariants the engine itself checked (e.g. that it stayed within its step bound). */
  checks: { name: string; ok: boolean; detail: string }[];
  /** Redis failovers (fault `redis-failover`); absent when none ran. */
  failovers?: FailoverRecord[];
  /**
   * What every count held when the run ended, for the checker's conservation check
   * (`counts-return-to-zero`). Absent when the engine cannot see inside its stores.
   */
  endState?: EndState;
}

/** `redisWrites[k]` and `broadcasts[k]` had been counted by `tMs[k]` (aligned arrays, tMs ascending). */
export interface CounterSamples {
  tMs: number[];
  redisWrites: number[];
  broadcasts: number[];
}

export interface EndState {
  /** Clients connected at the end (the truth). */
  clientsConnected: number;
  /** The sum of every live server's own count. */
  localCountSum: number;
  /** Mode A: the live registry entries and their sum, by the registry's clock. */
  registry?: { total: number; servers: number };
  /** Mode C: each discovery instance's live members, in order, and the count each holds. */
  discoveryMembers?: { instanceIndex: number; serverId: string; count: number }[];
}

export function emptyHistory(durationMs: number): History {
  return {
    durationMs,
    truthTMs: [0],
    truthCount: [0],
    serverTruth: [],
    who: [],
    events: [],
    sampleTMs: [],
    samplePerServer: [],
    boots: [],
    redisOps: 0,
    broadcasts: 0,
    checks: [],
  };
}

/** Appends a truth change point; several changes at one instant keep the last value. */
export function recordTruth(history: History, atMs: number, count: number): void {
  const last = history.truthTMs.length - 1;
  if (history.truthTMs[last] === atMs) history.truthCount[last] = count;
  else {
    history.truthTMs.push(atMs);
    history.truthCount.push(count);
  }
}

/** Appends one reading of the shared components' counters. */
export function recordCounters(
  history: History,
  atMs: number,
  redisWrites: number,
  broadcasts: number,
): void {
  history.counterSamples ??= { tMs: [], redisWrites: [], broadcasts: [] };
  const samples = history.counterSamples;
  samples.tMs.push(atMs);
  samples.redisWrites.push(redisWrites);
  samples.broadcasts.push(broadcasts);
}

/** Appends a change point (a second change at the same instant replaces the first). */
export function recordPoint(points: TruthPoints, atMs: number, count: number): void {
  const last = points.tMs.length - 1;
  if (points.tMs[last] === atMs) points.count[last] = count;
  else {
    points.tMs.push(atMs);
    points.count.push(count);
  }
}

/** Appends a change point to server `serverIndex`'s truth (creating the servers up to it at 0). */
export function recordServerTruth(history: History, serverIndex: number, atMs: number, count: number): void {
  while (history.serverTruth.length <= serverIndex) history.serverTruth.push({ tMs: [0], count: [0] });
  recordPoint(history.serverTruth[serverIndex]!, atMs, count);
}

/** The series resolution: the configured one, or about 600 points over the run (whole seconds when long). */
export function seriesResolutionMsFor(durationMs: number, configuredMs: number): number {
  if (configuredMs > 0) return configuredMs;
  const rawMs = Math.max(1, Math.ceil(durationMs / 600));
  return rawMs >= 1000 ? Math.ceil(rawMs / 1000) * 1000 : rawMs;
}
