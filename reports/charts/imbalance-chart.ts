/**
 * Load-balancer imbalance against maximum connection age (connection-lifetime): long-lived
 * connections pin clients to the servers that existed when they connected, so a scale-out or
 * a restart leaves the fleet lopsided until connections are recycled.
 */
import {
  type ChartOutcome,
  type LineDataset,
  lineConfig,
  missingNote,
  palette,
  reproduceRun,
} from '../chart-spec.ts';
import { formatSeconds } from '../format.ts';
import { groupBy, type ReportData, runsOf, worstRun } from '../report-data.ts';
import type { RunResult } from '../../experiment/result.ts';

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
  /** Slowest seed's time to rebalance after a join of this kind; null = not within the run. */
  scaleOutRebalanceMs: number | null | undefined;
  restartRebalanceMs: number | null | undefined;
  /** Connections opened per second (arrivals plus reconnects), mean over seeds. */
  connectionsPerSec: number;
}

function slowest(group: RunResult[], kind: RegExp): number | null | undefined {
  const times = group.flatMap((r) =>
    (r.loadBalancer?.rebalances ?? []).filter((b) => kind.test(b.event)).map((b) => b.rebalanceMs),
  );
  if (times.length === 0) return undefined;
  return times.some((t) => t === null) ? null : Math.max(...(times as number[]));
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
      scaleOutRebalanceMs: slowest(group, /^stop /),
      restartRebalanceMs: slowest(group, /^(restart|crash) /),
      connectionsPerSec:
        group.reduce((s, r) => s + (r.loadBalancer!.connectionsOpened ?? 0) / (r.durationMs / 1000), 0) /
        group.length,
    }));
}

/** Imbalance per sample of one run, from its per-server series. */
function imbalanceSeries(run: RunResult, fromMs: number, spanMs: number): { x: number; y: number }[] {
  const perServer = run.series.perServer;
  if (perServer === undefined) return [];
  const out: { x: number; y: number }[] = [];
  run.series.tMs.forEach((tMs, k) => {
    if (tMs < fromMs - 30_000 || tMs > fromMs + spanMs) return;
    const live = perServer.map((counts) => counts[k] ?? -1).filter((c) => c >= 0);
    const mean = live.reduce((a, b) => a + b, 0) / Math.max(1, live.length);
    if (mean > 0)
      out.push({ x: (tMs - fromMs) / 1000, y: ((Math.max(...live) - Math.min(...live)) / mean) * 100 });
  });
  return out;
}

export function imbalanceChart(data: ReportData): ChartOutcome {
  const title = 'Imbalance over time after a scale-out, by maximum connection age';
  const points = imbalancePoints(data);
  const first = points[0]?.runs[0];
  const join = first?.loadBalancer?.rebalances?.find((b) => /^stop /.test(b.event));
  if (first === undefined || join === undefined || first.series.perServer === undefined)
    return { section: 'lifetime', title, note: missingNote('connection-lifetime') };
  const spanMs = Math.min(10 * 60_000, first.durationMs - join.atMs);
  const bound = (first.loadBalancer?.rebalancedImbalanceMax ?? 0.2) * 100;
  const datasets: LineDataset[] = points.map((p, index) => {
    const run = p.runs.find((r) => r.seed === first.seed) ?? p.runs[0]!;
    return {
      label: `max age ${ageLabel(p.ageMs)}`,
      colour: palette[index % palette.length]!,
      pointRadius: 0,
      points: imbalanceSeries(run, join.atMs, spanMs),
    };
  });
  datasets.push({
    label: `rebalanced: imbalance ≤ ${bound}%`,
    colour: '#999999',
    dash: [4, 4],
    pointRadius: 0,
    points: [
      { x: -30, y: bound },
      { x: spanMs / 1000, y: bound },
    ],
  });
  const reproduce = reproduceRun(data, first);
  return {
    id: 'imbalance-vs-connection-age',
    section: 'lifetime',
    title,
    caption: `A new server joins at 0 s (${join.event}) behind a ${first.loadBalancer!.policy} balancer; read where each line drops under the dashed ${bound}% line: that is how long the fleet stays lopsided with that age limit. Imbalance is (busiest − idlest) / mean connections per server.`,
    reproduce,
    plugins: ['whiteBackground'],
    config: lineConfig(
      title,
      reproduce,
      {
        xTitle: 'time since the new server joined (s)',
        yTitle: 'imbalance (% of mean connections per server)',
        yMin: 0,
      },
      datasets,
    ),
  };
}
