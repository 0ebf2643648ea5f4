/**
 * Load-balancer imbalance against maximum connection age (connection-lifetime): long-lived
 * connections pin clients to the servers that existed when they connected, so a scale-out or
 * a restart leaves the fleet lopsided until connections are recycled.
 */
import { barConfig, type ChartOutcome, missingNote, palette, reproduceRun } from '../chart-spec.ts';
import { formatSeconds } from '../format.ts';
import { groupBy, type ReportData, runsOf, worstRun } from '../report-data.ts';
import type { RunResult } from '../../sim/result.ts';

/** 0 (or less) means connections are never recycled. */
export function ageLimitMs(run: RunResult): number {
  const ageMs = run.loadBalancer?.connectionAgeMsMax ?? Number(run.config['connectionAgeMsMax'] ?? 0);
  return ageMs > 0 && Number.isFinite(ageMs) ? ageMs : Number.POSITIVE_INFINITY;
}

export function ageLabel(ageMs: number): string {
  if (!Number.isFinite(ageMs)) return 'no limit';
  return ageMs >= 60_000 ? `${Math.round(ageMs / 60_000)} min` : formatSeconds(ageMs);
}

export interface ImbalancePoint {
  ageMs: number;
  runs: RunResult[];
  worst: RunResult;
  mean: number;
  p99: number;
  max: number;
}

/** Points from the longest age limit (or none) down to the shortest. */
export function imbalancePoints(data: ReportData): ImbalancePoint[] {
  const runs = runsOf(data, { scenario: 'connection-lifetime' }).filter((r) => r.loadBalancer !== undefined);
  return [...groupBy(runs, ageLimitMs).entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([ageMs, group]) => ({
      ageMs,
      runs: group,
      worst: worstRun(group, (r) => r.loadBalancer!.imbalance.p99)!,
      mean: group.reduce((s, r) => s + r.loadBalancer!.imbalance.mean, 0) / group.length,
      p99: Math.max(...group.map((r) => r.loadBalancer!.imbalance.p99)),
      max: Math.max(...group.map((r) => r.loadBalancer!.imbalance.max)),
    }));
}

export function imbalanceChart(data: ReportData): ChartOutcome {
  const title = 'Load-balancer imbalance against maximum connection age';
  const points = imbalancePoints(data);
  const worst = worstRun(
    points.map((p) => p.worst),
    (r) => r.loadBalancer!.imbalance.p99,
  );
  if (worst === undefined) return { section: 'lifetime', title, note: missingNote('connection-lifetime') };
  const reproduce = reproduceRun(data, worst);
  return {
    id: 'imbalance-vs-connection-age',
    section: 'lifetime',
    title,
    caption:
      'Imbalance is (busiest − idlest) / mean connections per server: recycling connections sooner spreads clients onto new or restarted servers, at the cost of more reconnects.',
    reproduce,
    plugins: ['whiteBackground'],
    config: barConfig(
      title,
      reproduce,
      { xTitle: 'maximum connection age', yTitle: 'imbalance (% of mean connections per server)' },
      points.map((p) => ageLabel(p.ageMs)),
      [
        { label: 'mean', colour: palette[5]!, values: points.map((p) => p.mean * 100) },
        { label: 'p99', colour: palette[0]!, values: points.map((p) => p.p99 * 100) },
        { label: 'max', colour: palette[4]!, values: points.map((p) => p.max * 100) },
      ],
    ),
  };
}
