/**
 * Double counting by id strategy (restart-and-ids, mode A): a server that restarts under a new
 * id is counted under its old id until that key expires and under its new one at once.
 */
import type { ChartConfiguration } from 'chart.js';
import type { RunResult } from '../../experiment/result.ts';
import { barConfig, type ChartOutcome, missingNote, palette, reproduceRun } from '../chart-spec.ts';
import { groupBy, type ReportData, runsOf, worstRun } from '../report-data.ts';

export function idStrategyOf(run: RunResult): string {
  return run.ids?.strategy ?? String(run.params['idStrategy'] ?? run.config.idStrategy);
}

export interface IdPoint {
  strategy: string;
  runs: RunResult[];
  doubleCountMax: number;
  /** Longest time from a boot until the double count ended (ms). */
  doubleCountWindowMsMax: number;
  collisions: number;
  restarts: number;
}

export function idPoints(data: ReportData): IdPoint[] {
  const runs = runsOf(data, { scenario: 'restart-and-ids', mode: 'a' });
  return [...groupBy(runs, idStrategyOf).entries()].map(([strategy, group]) => ({
    strategy,
    runs: group,
    doubleCountMax: Math.max(...group.map((r) => r.ids?.doubleCountMax ?? 0)),
    doubleCountWindowMsMax: Math.max(...group.map((r) => r.ids?.doubleCountWindowMsMax ?? 0)),
    collisions: group.reduce((n, r) => n + (r.ids?.collisions ?? 0), 0),
    restarts: group.reduce((n, r) => n + (r.ids?.restarts ?? 0), 0),
  }));
}

export function idChart(data: ReportData): ChartOutcome {
  const title = 'Double counting after restarts, by id strategy (mode A)';
  const points = idPoints(data);
  const worst = worstRun(
    points.flatMap((p) => p.runs),
    (r) => r.ids?.doubleCountMax ?? 0,
  );
  if (worst === undefined) return { section: 'ids', title, note: missingNote('restart-and-ids') };
  const reproduce = reproduceRun(data, worst);
  return {
    id: 'double-count-by-id-strategy',
    section: 'ids',
    title,
    caption:
      'Bars: how many clients WHO counted twice after a crashed server came back (left axis) and for how long after its boot (right axis); a stable id overwrites its own entry and shows neither.',
    reproduce,
    plugins: ['whiteBackground'],
    config: dualBars(
      barConfig(
        title,
        reproduce,
        { xTitle: 'id strategy', yTitle: 'largest double count (clients)' },
        points.map((p) => p.strategy),
        [
          {
            label: 'double count (clients)',
            colour: palette[4]!,
            values: points.map((p) => p.doubleCountMax),
          },
          {
            label: 'double-count window after boot (s)',
            colour: palette[0]!,
            values: points.map((p) => p.doubleCountWindowMsMax / 1000),
          },
        ],
      ),
    ),
  };
}

/** Puts the second dataset (seconds) on its own right-hand axis. */
function dualBars(config: ChartConfiguration): ChartConfiguration {
  const datasets = config.data.datasets as { yAxisID?: string }[];
  datasets[1]!.yAxisID = 'y2';
  const scales = (config.options as { scales: Record<string, unknown> }).scales;
  scales['y2'] = {
    position: 'right',
    beginAtZero: true,
    grid: { drawOnChartArea: false },
    title: { display: true, text: 'double-count window after boot (s)' },
  };
  return config;
}
