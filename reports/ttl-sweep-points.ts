/**
 * The ttl-sweep scenario folded into points: one per (eviction TTL, heartbeat), over its seeds,
 * with the worst seed's figures ("up to" numbers are maxima over seeds). The TTL charts and the
 * TTL recommendation both read these points, so the chart and the sentence cannot disagree.
 */
import type { RunResult } from '../sim/result.ts';
import { trimNumber } from './format.ts';
import { groupBy, type ReportData, runsOf, worstRun } from './report-data.ts';

/**
 * The stated error bound: 99% of WHO answers within 5% of the true count. A p99 bound ignores
 * the few answers right after a crash that no TTL can avoid, and 5% is the overcount a product
 * page showing "about N users online" can carry without anyone noticing.
 */
export const relativeErrorP99Max = 0.05;

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

function point(runs: RunResult[]): TtlPoint {
  const first = runs[0]!;
  const heartbeatRatio = first.config.heartbeatMs / first.config.ttlMs;
  const relativeErrorP99 = max(runs.map((r) => r.who.relativeErrorAbs.p99));
  const liveDropout = runs.some(
    (r) => r.who.undercount.max > relativeErrorP99Max * Math.max(1, truthMean(r)),
  );
  return {
    ttlMs: first.config.ttlMs,
    heartbeatMs: first.config.heartbeatMs,
    heartbeatRatio,
    ratioLabel: ratioLabel(heartbeatRatio),
    runs,
    worst: worstRun(runs, (r) => r.who.relativeErrorAbs.p99) ?? first,
    errorMax: max(runs.map((r) => r.who.error.max)),
    errorP99: max(runs.map((r) => r.who.error.p99)),
    errorMean: mean(runs.map((r) => r.who.error.mean)),
    undercountMax: max(runs.map((r) => r.who.undercount.max)),
    relativeErrorP99,
    relativeErrorMax: max(runs.map((r) => r.who.relativeErrorAbs.max)),
    staleWindowMsMax: max(runs.map((r) => r.staleWindowMs.max)),
    staleWindowMsP50: max(runs.map((r) => r.staleWindowMs.p50)),
    redisOpsPerSec: mean(runs.map((r) => r.redisOpsPerSec)),
    liveDropout,
    withinBound: relativeErrorP99 <= relativeErrorP99Max && !liveDropout,
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

/** The smallest TTL within the bound, and at that TTL the largest (cheapest) heartbeat within it. */
export function recommendedTtlPoint(points: readonly TtlPoint[]): TtlPoint | undefined {
  const within = points.filter((p) => p.withinBound);
  const ttlMs = Math.min(...within.map((p) => p.ttlMs));
  return within.filter((p) => p.ttlMs === ttlMs).sort((a, b) => b.heartbeatMs - a.heartbeatMs)[0];
}

/** Crashes per server-hour that the runs simulated, read from their event timelines. */
export function crashesPerServerHour(runs: readonly RunResult[]): number {
  const crashes = runs.reduce((n, r) => n + r.events.filter((e) => e.kind.includes('crash')).length, 0);
  const serverHours = runs.reduce((h, r) => h + (r.config.servers * r.durationMs) / 3_600_000, 0);
  return serverHours === 0 ? 0 : crashes / serverHours;
}
