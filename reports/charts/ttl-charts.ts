/**
 * The TTL question's two deciding charts, from the ttl-sweep scenario (mode A, SIM) with the
 * engines' cross-check (REAL) beside it:
 * - the time-averaged overcount at the production crash rate against the TTL, on a log axis so
 *   the 0.1% criterion and the settings under it are both readable;
 * - the longest stale window against the TTL with the 10 s criterion, one expected bound per
 *   heartbeat ratio, the REAL cross-check points and the recommended setting marked.
 * Both draw a band (min–max over seeds) per heartbeat ratio, and a caption generated from the
 * plotted points (captions.ts).
 */
import type { RunResult } from '../../experiment/result.ts';
import { overcountCaption, staleWindowCaption } from '../captions.ts';
import {
  type ChartOutcome,
  type LineDataset,
  lineConfig,
  missingNote,
  palette,
  reproduceRun,
} from '../chart-spec.ts';
import { crossCheckPoints } from '../cross-check.ts';
import { perSeed, spreadOf, staleWindowMs } from '../quantities.ts';
import { groupBy, type ReportData, worstRun } from '../report-data.ts';
import {
  overcountShareMax,
  overcountShareProductionOf,
  productionCrashesPerServerDay,
  recommendedTtlPoint,
  staleWindowMsBound,
  type TtlPoint,
  ttlPoints,
} from '../ttl-sweep-points.ts';

/** The log axis's floor: shares below it (a crash-free seed) are drawn at it. */
const overcountPercentFloor = 1e-5;

function band(
  group: readonly TtlPoint[],
  colour: string,
  label: string,
  perRun: (runs: readonly RunResult[]) => number,
  scale: (v: number) => number,
): LineDataset[] {
  const spreads = group.map((p) => ({ p, s: spreadOf(perSeed(p.runs, perRun)) }));
  return [
    {
      label: `${label} (lowest seed)`,
      colour,
      pointRadius: 0,
      widthPx: 0,
      legendHidden: true,
      points: spreads.map(({ p, s }) => ({ x: p.ttlMs / 1000, y: scale(s.min) })),
    },
    {
      label,
      colour,
      fillToPrevious: true,
      points: spreads.map(({ p, s }) => ({ x: p.ttlMs / 1000, y: scale(s.max) })),
    },
  ];
}

function chosenDataset(x: number, y: number): LineDataset {
  return {
    label: 'recommended setting',
    colour: '#000000',
    pointStyle: 'rectRot',
    pointRadius: 9,
    dotsOnly: true,
    points: [{ x, y }],
  };
}

export function staleErrorChart(data: ReportData): ChartOutcome {
  const title = 'Time-averaged WHO overcount against eviction TTL (mode A, SIM)';
  const points = ttlPoints(data);
  const worst = worstRun(
    points.map((p) => p.worst),
    (r) => r.staleWindowMs.max,
  );
  if (worst === undefined) return { section: 'ttl', title, note: missingNote('ttl-sweep') };
  const toPercent = (share: number) => Math.max(overcountPercentFloor, share * 100);
  const datasets: LineDataset[] = [...groupBy(points, (p) => p.ratioLabel).entries()].flatMap(
    ([ratio, group], index) =>
      band(
        group,
        palette[index % palette.length]!,
        `heartbeat = ttl × ${ratio}, highest seed`,
        (runs) => Math.max(...runs.map(overcountShareProductionOf)),
        toPercent,
      ),
  );
  const ttls = [...new Set(points.map((p) => p.ttlMs))].sort((a, b) => a - b);
  datasets.push({
    label: `criterion: ${overcountShareMax * 100}% of the truth`,
    colour: '#777777',
    dash: [6, 4],
    pointRadius: 0,
    points: ttls.map((ttlMs) => ({ x: ttlMs / 1000, y: overcountShareMax * 100 })),
  });
  const best = recommendedTtlPoint(points);
  if (best) datasets.push(chosenDataset(best.ttlMs / 1000, toPercent(best.overcountShareProduction)));
  const reproduce = reproduceRun(data, worst);
  return {
    id: 'stale-error-vs-ttl',
    section: 'ttl',
    title,
    caption: overcountCaption(
      points.map((p) => p.overcountShareProduction),
      overcountShareMax,
      productionCrashesPerServerDay,
    ),
    reproduce,
    plugins: ['whiteBackground'],
    config: lineConfig(
      title,
      reproduce,
      {
        xTitle: 'eviction TTL (s, log scale)',
        yTitle: 'time-averaged overcount (% of true count, log scale)',
        xType: 'logarithmic',
        yType: 'logarithmic',
        runsPlotted: points.reduce((n, p) => n + p.runs.length, 0),
      },
      datasets,
    ),
  };
}

export function staleWindowChart(data: ReportData): ChartOutcome {
  const title = 'Stale window after a crash against eviction TTL (mode A; SIM bands, REAL points)';
  const points = ttlPoints(data);
  const worst = worstRun(
    points.map((p) => p.worst),
    (r) => r.staleWindowMs.max,
  );
  if (worst === undefined) return { section: 'ttl', title, note: missingNote('ttl-sweep') };
  const byRatio = [...groupBy(points, (p) => p.ratioLabel).entries()];
  const datasets: LineDataset[] = byRatio.flatMap(([ratio, group], index) => {
    const colour = palette[index % palette.length]!;
    const ttls = group.map((p) => p.ttlMs).sort((a, b) => a - b);
    return [
      ...band(
        group,
        colour,
        `SIM heartbeat = ttl × ${ratio}, longest window`,
        (runs) => Math.max(...runs.map(staleWindowMs)),
        (ms) => ms / 1000,
      ),
      {
        label: `expected bound at ttl × ${ratio}: ttl + heartbeat + 1 s`,
        colour,
        dash: [2, 3],
        widthPx: 1,
        pointRadius: 0,
        points: ttls.map((ttlMs) => ({
          x: ttlMs / 1000,
          y: (ttlMs * (1 + group[0]!.heartbeatRatio) + 1000) / 1000,
        })),
      },
    ];
  });
  const ttls = [...new Set(points.map((p) => p.ttlMs))].sort((a, b) => a - b);
  datasets.push({
    label: `criterion: ${staleWindowMsBound / 1000} s`,
    colour: '#777777',
    dash: [6, 4],
    pointRadius: 0,
    points: ttls.map((ttlMs) => ({ x: ttlMs / 1000, y: staleWindowMsBound / 1000 })),
  });
  const real = crossCheckPoints(data).filter((p) => p.engine === 'real');
  if (real.length > 0) {
    datasets.push({
      label: 'REAL cross-check (heartbeat = ttl × 1/5), longest window',
      colour: '#D55E00',
      pointStyle: 'triangle',
      pointRadius: 8,
      dotsOnly: true,
      points: real.map((p) => ({ x: p.ttlMs / 1000, y: p.staleWindowMsMax / 1000 })),
    });
  }
  const best = recommendedTtlPoint(points);
  if (best) datasets.push(chosenDataset(best.ttlMs / 1000, best.staleWindowMsMax / 1000));
  const reproduce = reproduceRun(data, worst);
  return {
    id: 'stale-window-vs-ttl',
    section: 'ttl',
    title,
    caption: staleWindowCaption(
      points.map((p) => ({ ttlMs: p.ttlMs, heartbeatMs: p.heartbeatMs, windowMs: p.staleWindowMsMax })),
      staleWindowMsBound,
    ),
    reproduce,
    plugins: ['whiteBackground'],
    config: lineConfig(
      title,
      reproduce,
      {
        xTitle: 'eviction TTL (s, log scale)',
        yTitle: 'stale window (s)',
        xType: 'logarithmic',
        yMin: 0,
        runsPlotted:
          points.reduce((n, p) => n + p.runs.length, 0) + real.reduce((n, p) => n + p.runs.length, 0),
      },
      datasets,
    ),
  };
}
