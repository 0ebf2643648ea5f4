/**
 * Caption generators: each chart's caption is computed from the points it plots, never written
 * by hand, so a caption cannot claim a trend the data do not show. Each generator is pure and
 * takes plain numbers, so test/reports/captions.test.ts checks every claim with fast-check
 * properties (the slope it names is the fitted slope, the count it names is the count, ...).
 */
import { formatPercent, formatSeconds, trimNumber } from './format.ts';

/** Least-squares slope and intercept of y on x; slope 0 when x does not vary. */
export function fitLine(points: readonly { x: number; y: number }[]): { slope: number; intercept: number } {
  const n = points.length;
  if (n === 0) return { slope: 0, intercept: 0 };
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

export interface WindowPoint {
  ttlMs: number;
  heartbeatMs: number;
  windowMs: number;
}

/** Mean absolute gap between the windows and a predictor (ms). */
function meanGapMs(points: readonly WindowPoint[], predict: (p: WindowPoint) => number): number {
  return points.reduce((s, p) => s + Math.abs(p.windowMs - predict(p)), 0) / Math.max(1, points.length);
}

/**
 * The stale-window caption: the fitted growth of the window per second of TTL, and whether the
 * windows sit closer to the TTL or to TTL + heartbeat (the two readings the design allows).
 */
export function staleWindowCaption(points: readonly WindowPoint[], boundMs: number): string {
  if (points.length === 0) return 'No stale windows to plot.';
  const { slope } = fitLine(points.map((p) => ({ x: p.ttlMs, y: p.windowMs })));
  const gapTtl = meanGapMs(points, (p) => p.ttlMs);
  const gapTtlHb = meanGapMs(points, (p) => p.ttlMs + p.heartbeatMs);
  const closer = gapTtl <= gapTtlHb ? 'the TTL' : 'the TTL plus the heartbeat';
  const within = points.filter((p) => p.windowMs <= boundMs).length;
  return (
    `The longest stale window grows ${trimNumber(slope, 2)} s per second of TTL and sits closer to ${closer} (mean gap ${formatSeconds(Math.min(gapTtl, gapTtlHb))}); ` +
    `${within} of ${points.length} settings keep it within the ${formatSeconds(boundMs)} criterion (grey dashed line). Bands: min–max over seeds; triangles: REAL cross-check; diamond: the recommended setting.`
  );
}

/** The overcount caption: how many settings are under the bound, on a log axis. */
export function overcountCaption(
  shares: readonly number[],
  boundShare: number,
  ratePerServerDay: number,
): string {
  const under = shares.filter((s) => s <= boundShare).length;
  const largest = shares.reduce((m, s) => Math.max(m, s), 0);
  return `How far WHO is off on average over time at ${ratePerServerDay} crash per server-day (log axis): ${under} of ${shares.length} settings stay under the ${formatPercent(boundShare, 1)} bound (dashed); the largest is ${formatPercent(largest, 3)}. Bands: min–max over seeds; diamond: the recommended setting.`;
}

export interface RefusalPoint {
  leaseMs: number;
  windowMs: number;
}

/** The refusal caption: the fitted refusal window per second of lease, and its offset. */
export function refusalCaption(points: readonly RefusalPoint[]): string {
  if (points.length === 0) return 'No refusal windows to plot.';
  const { slope, intercept } = fitLine(points.map((p) => ({ x: p.leaseMs, y: p.windowMs })));
  const leases = [...new Set(points.map((p) => p.leaseMs))].length;
  if (leases < 2) {
    const longest = points.reduce((m, p) => Math.max(m, p.windowMs), 0);
    return `One lease only (${formatSeconds(points[0]!.leaseMs)}): mode C’s longest refusal after a crash was ${formatSeconds(longest)}; scenarios/lease-sweep.yaml shows how it scales with the lease.`;
  }
  return `Over ${leases} leases, mode C’s longest refusal after a crash grows ${trimNumber(slope, 2)} s per second of lease, plus ${formatSeconds(intercept)}: a shorter lease shortens every refusal, for more lease renewals. Band: min–max over seeds; dashed: the expected bound lease + heartbeat + fan-out timeout + 1 s.`;
}

export interface BudgetPoint {
  mode: string;
  budgetUsed: number;
  days: number;
}

/** The burn-down caption: budget used per mode over the simulated days. */
export function burnDownCaption(points: readonly BudgetPoint[]): string {
  const parts = points.map(
    (p) =>
      `mode ${p.mode.toUpperCase()} used ${formatPercent(p.budgetUsed, 0)} of its error budget over ${trimNumber(p.days, 1)} simulated days (${p.budgetUsed > 1 ? 'exhausted' : 'left over'})`,
  );
  return `Error budget remaining over the slo scenario’s seeds laid end to end (seed after seed); ${parts.join('; ')}. A bad event is a refusal, a hang or a wrong answer; below 0% the objective is missed.`;
}

export interface AgreementPoint {
  ttlMs: number;
  diffMs: number;
  /** False when the real run could not keep its schedule: not counted either way. */
  judged: boolean;
  agrees: boolean;
}

/** The cross-check caption: at how many TTLs REAL agrees with SIM, and the largest gap. */
export function crossCheckCaption(points: readonly AgreementPoint[]): string {
  if (points.length === 0) return 'No TTL ran on both engines.';
  const judged = points.filter((p) => p.judged);
  const unjudged = points.length - judged.length;
  const notJudgedText =
    unjudged === 0
      ? ''
      : ` ${unjudged} not judged: the machine was too loaded for the real run to keep its schedule.`;
  if (judged.length === 0) return `No TTL could be judged.${notJudgedText}`;
  const agree = judged.filter((p) => p.agrees).length;
  const worst = judged.reduce((w, p) => (Math.abs(p.diffMs) > Math.abs(w.diffMs) ? p : w));
  return `REAL agrees with SIM at ${agree} of ${judged.length} judged TTLs (within 10% or one heartbeat); the largest gap is ${trimNumber(worst.diffMs, 0)} ms at TTL ${formatSeconds(worst.ttlMs)}.${notJudgedText}`;
}

/** The latency caption: how many rows' p99 break the objective. */
export function latencyCaption(p99sMs: readonly number[], objectiveMs: number): string {
  const above = p99sMs.filter((p) => p > objectiveMs).length;
  return `Dots: p50, p90 and p99 of WHO latency per scenario and mode (worst seed); dashed: the ${objectiveMs} ms objective. ${above} of ${p99sMs.length} rows have a p99 above it. SIM latencies are modelled (network delays drawn from the scenario’s model, no CPU), not measured.`;
}
