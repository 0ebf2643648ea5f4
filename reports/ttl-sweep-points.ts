/**
 * The ttl-sweep scenario folded into points: one per (eviction TTL, heartbeat), over its seeds,
 * with the worst seed's figures ("up to" numbers are maxima over seeds). The TTL charts and the
 * TTL recommendation both read these points, so the chart and the sentence cannot disagree.
 */
import type { RunResult } from '../experiment/result.ts';
import { trimNumber } from './format.ts';
import { groupBy, type ReportData, runsOf, worstRun } from './report-data.ts';

/**
 * The criterion, in terms a product person can use. A p99 of the error cannot work: at any crash
 * rate that puts stale windows in more than 1% of the time, p99 is one whole server's clients
 * whatever the TTL. What a TTL decides is (1) how long a crashed server's clients stay counted
 * (the longest stale window) and (2) how far WHO is off on average over time, which is the
 * cost of one crash (clients × seconds overcounted) times the crash rate. The scenario crashes
 * servers at a stress rate to measure the cost per crash; the average is then stated at a
 * production rate of one crash per server-day (an assumption, said on the page).
 */
export const productionCrashesPerServerDay = 1;
/** Time-averaged overcount at the production crash rate: at most 0.1% of the true count. */
export const overcountShareMax = 0.001;
/** A crashed server's clients leave the count within 10 s (the design's "about 5 s", doubled). */
export const staleWindowMsBound = 10_000;
/**
 * A live server dropped out: an undercount larger than 5% of the truth (a whole server's
 * clients in a 10-server fleet are ~10%; propagation delays miss a handful of clients).
 */
export const dropoutShareOfTruth = 0.05;

export interface TtlPoint {
  ttlMs: number;
  heartbeatMs: number;
  /** heartbeatMs / ttlMs. */
  heartbeatRatio: number;
  ratioLabel: string;
  runs: RunResult[];
  worst: RunResult;
  errorMax: number;
  errorP99: number;
  errorMean: number;
  undercountMax: number;
  /** Share of the run's time with a live server missing from the count (max over seeds). */
  undercountAnswerShare: number;
  /** Time-averaged overcount as a share of the truth, at the simulated crash rate. */
  overcountShareSim: number;
  /** Crashes per server-hour the runs simulated. */
  crashesPerServerHourSim: number;
  /** Clients × seconds overcounted per crash (mean over seeds). */
  overcountClientSecondsPerCrash: number;
  /** Time-averaged overcount as a share of the truth at `productionCrashesPerServerDay`. */
  overcountShareProduction: number;
  relativeErrorP99: number;
  relativeErrorMax: number;
  staleWindowMsMax: number;
  staleWindowMsP50: number;
  redisOpsPerSec: number;
  /** Live servers dropped out of the count: an undercount beyond the bound's share of the truth. */
  liveDropout: boolean;
  withinBound: boolean;
}

function truthMean(run: RunResult): number {
  const truth = run.series.truth;
  return truth.length === 0 ? 0 : truth.reduce((a, b) => a + b, 0) / truth.length;
}

export function ratioLabel(heartbeatRatio: number): string {
  if (heartbeatRatio >= 0.999 && heartbeatRatio <= 1.001) return '1';
  const inverse = 1 / heartbeatRatio;
  return Math.abs(inverse - Math.round(inverse)) < 0.01
    ? `1/${Math.round(inverse)}`
    : trimNumber(heartbeatRatio, 3);
}

function max(values: number[]): number {
  return values.reduce((a, b) => Math.max(a, b), 0);
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Time-averaged overcount in clients (older results without it: the mean error, floored at 0). */
function overcountMean(run: RunResult): number {
  return run.who.overcount.mean ?? Math.max(0, run.who.error.mean);
}

/**
 * Live servers missing from the count: a window with no fault to blame whose error exceeds 5%
 * of the truth, after the first second (at the very start WHO may be asked before every server
 * has published once: a start-up effect, not a dropout).
 */
function dropoutWindows(run: RunResult) {
  const limit = dropoutShareOfTruth * Math.max(1, truthMean(run));
  return run.staleWindows.filter(
    (w) => w.cause.startsWith('propagation') && w.startMs >= 1000 && w.errorAbsMax > limit,
  );
}

function crashCount(run: RunResult): number {
  return run.events.filter((e) => e.kind.includes('crash')).length;
}

function point(runs: RunResult[]): TtlPoint {
  const first = runs[0]!;
  const heartbeatRatio = first.config.heartbeatMs / first.config.ttlMs;
  const relativeErrorP99 = max(runs.map((r) => r.who.relativeErrorAbs.p99));
  const drops = runs.flatMap(dropoutWindows);
  const liveDropout = drops.length > 0;
  const crashed = runs.filter((r) => crashCount(r) > 0);
  const overcountClientSecondsPerCrash = mean(
    crashed.map((r) => (overcountMean(r) * r.durationMs) / 1000 / crashCount(r)),
  );
  const truth = mean(runs.map(truthMean));
  const crashesPerSecond = (first.config.servers * productionCrashesPerServerDay) / 86_400;
  const staleWindowMsMax = max(runs.map((r) => r.staleWindowMs.max));
  const overcountShareProduction = (overcountClientSecondsPerCrash * crashesPerSecond) / Math.max(1, truth);
  return {
    ttlMs: first.config.ttlMs,
    heartbeatMs: first.config.heartbeatMs,
    heartbeatRatio,
    ratioLabel: ratioLabel(heartbeatRatio),
    runs,
    worst: worstRun(runs, (r) => r.staleWindowMs.max) ?? first,
    errorMax: max(runs.map((r) => r.who.error.max)),
    errorP99: max(runs.map((r) => r.who.error.p99)),
    errorMean: mean(runs.map((r) => r.who.error.mean)),
    undercountMax: max(drops.map((w) => w.errorAbsMax)),
    undercountAnswerShare: max(
      runs.map((r) => dropoutWindows(r).reduce((t, w) => t + w.durationMs, 0) / Math.max(1, r.durationMs)),
    ),
    overcountShareSim: max(runs.map((r) => overcountMean(r) / Math.max(1, truthMean(r)))),
    crashesPerServerHourSim: crashesPerServerHour(runs),
    overcountClientSecondsPerCrash,
    overcountShareProduction,
    relativeErrorP99,
    relativeErrorMax: max(runs.map((r) => r.who.relativeErrorAbs.max)),
    staleWindowMsMax,
    staleWindowMsP50: max(runs.map((r) => r.staleWindowMs.p50)),
    redisOpsPerSec: mean(runs.map((r) => r.redisOpsPerSec)),
    liveDropout,
    withinBound:
      overcountShareProduction <= overcountShareMax && staleWindowMsMax <= staleWindowMsBound && !liveDropout,
  };
}

/** Points sorted by heartbeat ratio (largest first), then TTL. */
export function ttlPoints(data: ReportData): TtlPoint[] {
  const runs = runsOf(data, { scenario: 'ttl-sweep', mode: 'a' });
  const groups = groupBy(runs, (r) => `${r.config.ttlMs}:${r.config.heartbeatMs}`);
  return [...groups.values()]
    .map(point)
    .sort((a, b) => b.heartbeatRatio - a.heartbeatRatio || a.ttlMs - b.ttlMs);
}

/**
 * A recommended heartbeat is at most half the TTL, whatever the runs showed: a live entry must
 * survive one late or lost heartbeat (a GC pause, a slow Redis write, a retry), and the
 * simulator models network jitter, not process pauses. Settings above it are still charted.
 */
export const heartbeatRatioRecommendedMax = 0.5;

/**
 * The cheapest setting within the bounds and the margin: the longest heartbeat (fewest Redis
 * writes), and at that heartbeat the smallest TTL (the shortest stale window).
 */
export function recommendedTtlPoint(points: readonly TtlPoint[]): TtlPoint | undefined {
  return points
    .filter((p) => p.withinBound && p.heartbeatRatio <= heartbeatRatioRecommendedMax + 1e-9)
    .sort((a, b) => b.heartbeatMs - a.heartbeatMs || a.ttlMs - b.ttlMs)[0];
}

/** Crashes per server-hour that the runs simulated, read from their event timelines. */
export function crashesPerServerHour(runs: readonly RunResult[]): number {
  const crashes = runs.reduce((n, r) => n + r.events.filter((e) => e.kind.includes('crash')).length, 0);
  const serverHours = runs.reduce((h, r) => h + (r.config.servers * r.durationMs) / 3_600_000, 0);
  return serverHours === 0 ? 0 : crashes / serverHours;
}

/** One run's time-averaged overcount share at the production crash rate (0 without crashes). */
export function overcountShareProductionOf(run: RunResult): number {
  const crashes = crashCount(run);
  if (crashes === 0) return 0;
  const perCrash = (overcountMean(run) * run.durationMs) / 1000 / crashes;
  const crashesPerSecond = (run.config.servers * productionCrashesPerServerDay) / 86_400;
  return (perCrash * crashesPerSecond) / Math.max(1, truthMean(run));
}
