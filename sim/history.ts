/**
 * A run's history: plain records of what happened, with no judgement in them. The simulator
 * records one while it runs; the real-time lab records the same shape from its load driver and
 * cluster; `checkHistory` (sim/checker.ts) turns either into the judged parts of a `RunResult`.
 *
 * Truth is kept as change points: `truthCount[k]` clients were connected from `truthTMs[k]`
 * until `truthTMs[k + 1]`. Times are milliseconds from the start of the run.
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

export interface History {
  durationMs: number;
  truthTMs: number[];
  truthCount: number[];
  who: WhoRecord[];
  /** Faults and heals (kind `heal` with the healed fault's kind in `detail`). */
  events: TimelineEvent[];
  /** Connections per server at `sampleTMs[k]`; -1 for a server that is down. */
  sampleTMs: number[];
  samplePerServer: number[][];
  boots: ServerBoot[];
  redisOps: number;
  broadcasts: number;
  /** Invariants the engine itself checked at the end (e.g. what Redis holds). */
  checks: { name: string; ok: boolean; detail: string }[];
}

export function emptyHistory(durationMs: number): History {
  return {
    durationMs,
    truthTMs: [0],
    truthCount: [0],
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

/** The series resolution: the configured one, or about 600 points over the run (whole seconds when long). */
export function seriesResolutionMsFor(durationMs: number, configuredMs: number): number {
  if (configuredMs > 0) return configuredMs;
  const rawMs = Math.max(1, Math.ceil(durationMs / 600));
  return rawMs >= 1000 ? Math.ceil(rawMs / 1000) * 1000 : rawMs;
}
