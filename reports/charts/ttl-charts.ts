/**
 * The design card's headline charts, from the ttl-sweep scenario (mode A): the stale-count
 * error against the eviction TTL, one colour per heartbeat/TTL ratio with max, p99 and mean
 * as solid, dashed and dotted lines; and the stale window against the TTL, with the bound the
 * scenario expects (ttl + heartbeat + 1 s) drawn for comparison.
 */
import {
  type ChartOutcome,
  type LineDataset,
  lineConfig,
  missingNote,
  palette,
  reproduceRun,
} from '../chart-spec.ts';
import { groupBy, type ReportData, worstRun } from '../report-data.ts';
import { trimNumber } from '../format.ts';
import { overcountShareMax, productionCrashesPerServerDay, ttlPoints } from '../ttl-sweep-points.ts';

export function staleErrorChart(data: ReportData): ChartOutcome {
  const title = 'Time-averaged WHO overcount against eviction TTL (mode A)';
  const points = ttlPoints(data);
  const worst = worstRun(
    points.map((p) => p.worst),
    (r) => r.staleWindowMs.max,
  );
  if (worst === undefined) return { section: 'ttl', title, note: missingNote('ttl-sweep') };
  const byRatio = groupBy(points, (p) => p.ratioLabel);
  const datasets: LineDataset[] = [...byRatio.entries()].map(([ratio, group], index) => ({
    label: `heartbeat = ttl × ${ratio}`,
    colour: palette[index % palette.length]!,
    points: group.map((p) => ({ x: p.ttlMs / 1000, y: p.overcountShareProduction * 100 })),
  }));
  datasets.push({
    label: `bound: ${overcountShareMax * 100}% of the truth`,
    colour: '#999999',
    dash: [4, 4],
    pointRadius: 0,
    points: [...new Set(points.map((p) => p.ttlMs))]
      .sort((a, b) => a - b)
      .map((ttlMs) => ({ x: ttlMs / 1000, y: overcountShareMax * 100 })),
  });
  const reproduce = reproduceRun(data, worst);
  const rate = points[0]!.crashesPerServerHourSim;
  return {
    id: 'stale-error-vs-ttl',
    section: 'ttl',
    title,
    caption: `How far WHO is off on average over time at ${productionCrashesPerServerDay} crash per server-day: the overcount each crash cost (measured at the scenario’s ${trimNumber(rate, 2)} crashes per server-hour) times that rate; a line under the dashed bound meets it.`,
    reproduce,
    plugins: ['whiteBackground'],
    config: lineConfig(
      title,
      reproduce,
      {
        xTitle: 'eviction TTL (s, log scale)',
        yTitle: 'time-averaged overcount (% of true count)',
        xType: 'logarithmic',
        yMin: 0,
      },
      datasets,
    ),
  };
}

export function staleWindowChart(data: ReportData): ChartOutcome {
  const title = 'Stale window after a crash against eviction TTL (mode A)';
  const points = ttlPoints(data);
  const worst = worstRun(
    points.map((p) => p.worst),
    (r) => r.staleWindowMs.max,
  );
  if (worst === undefined) return { section: 'ttl', title, note: missingNote('ttl-sweep') };
  const byRatio = groupBy(points, (p) => p.ratioLabel);
  const datasets: LineDataset[] = [...byRatio.entries()].map(([ratio, group], index) => ({
    label: `heartbeat = ttl × ${ratio}, longest window`,
    colour: palette[index % palette.length]!,
    points: group.map((p) => ({ x: p.ttlMs / 1000, y: p.staleWindowMsMax / 1000 })),
  }));
  const bound = [...groupBy(points, (p) => p.ttlMs).values()].map((group) => {
    const slowest = Math.max(...group.map((p) => p.heartbeatMs));
    return { x: group[0]!.ttlMs / 1000, y: (group[0]!.ttlMs + slowest + 1000) / 1000 };
  });
  datasets.push({
    label: 'expected bound: ttl + heartbeat + 1 s',
    colour: '#999999',
    dash: [4, 4],
    points: bound,
    pointRadius: 0,
  });
  const reproduce = reproduceRun(data, worst);
  return {
    id: 'stale-window-vs-ttl',
    section: 'ttl',
    title,
    caption:
      'How long a crashed server’s clients are still counted (or, at heartbeat = ttl, a live server is missed): it grows one for one with the TTL plus the heartbeat, so halve the TTL to halve the window.',
    reproduce,
    plugins: ['whiteBackground'],
    config: lineConfig(
      title,
      reproduce,
      { xTitle: 'eviction TTL (s, log scale)', yTitle: 'stale window (s)', xType: 'logarithmic', yMin: 0 },
      datasets,
    ),
  };
}
