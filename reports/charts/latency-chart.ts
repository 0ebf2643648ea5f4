/**
 * WHO latency percentiles per scenario and mode (simulator runs), worst seed of each. Mode C
 * fans out to every server, so its tail follows the slowest server; mode A reads Redis once.
 */
import type { RunResult } from '../../experiment/result.ts';
import { barConfig, type ChartOutcome, palette, reproduceRun } from '../chart-spec.ts';
import { groupBy, type ReportData, worstRun } from '../report-data.ts';

export interface LatencyRow {
  label: string;
  scenario: string;
  mode: string;
  worst: RunResult;
  p50: number;
  p90: number;
  p99: number;
}

export function latencyRows(data: ReportData): LatencyRow[] {
  const runs = data.runs.filter((r) => r.engine === 'sim' && r.who.answered > 0);
  return [...groupBy(runs, (r) => `${r.scenario} ${r.config.mode}`).values()].map((group) => {
    const worst = worstRun(group, (r) => r.who.latencyMs.p99)!;
    return {
      label: `${worst.scenario} ${worst.config.mode.toUpperCase()}`,
      scenario: worst.scenario,
      mode: worst.config.mode,
      worst,
      p50: worst.who.latencyMs.p50,
      p90: worst.who.latencyMs.p90,
      p99: worst.who.latencyMs.p99,
    };
  });
}

export function latencyChart(data: ReportData): ChartOutcome {
  const title = 'WHO latency percentiles by scenario and mode';
  const rows = latencyRows(data);
  const worst = worstRun(
    rows.map((r) => r.worst),
    (r) => r.who.latencyMs.p99,
  );
  if (worst === undefined)
    return { section: 'slo', title, note: 'no simulator runs in these results: run `npm run scenario`' };
  const reproduce = reproduceRun(data, worst);
  return {
    id: 'latency-percentiles',
    section: 'slo',
    title,
    caption:
      'Compare each p99 bar with the 50 ms latency objective: mode C waits for its slowest server, so a slow server shows up in its tail first.',
    reproduce,
    plugins: ['whiteBackground'],
    config: barConfig(
      title,
      reproduce,
      { xTitle: 'scenario and mode', yTitle: 'WHO latency (ms, log scale)', yType: 'logarithmic' },
      rows.map((r) => r.label),
      [
        { label: 'p50', colour: palette[5]!, values: rows.map((r) => r.p50) },
        { label: 'p90', colour: palette[0]!, values: rows.map((r) => r.p90) },
        { label: 'p99', colour: palette[4]!, values: rows.map((r) => r.p99) },
      ],
    ),
  };
}
