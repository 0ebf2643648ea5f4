/**
 * The simulator earns trust only by agreeing with the real thing. Where the same run (same run
 * id, so the same scenario, sweep point, mode and seed) is in both engines' results, as
 * `headcount scenario --engine both` writes them, the runs are paired and judged by the one rule
 * of `experiment/agreement.ts` (the rule the runner prints and writes to `agreement.json`); the
 * table gives every headline metric per scenario and mode, the chart the windows.
 */
import { agree, type AgreementRow } from '../../experiment/agreement.ts';
import type { RunResult } from '../../experiment/result.ts';
import { barConfig, type ChartOutcome, palette, reproduceRun } from '../chart-spec.ts';
import { crossCheckCaption } from '../captions.ts';
import { crossCheckPrefix, crossCheckRows } from '../cross-check.ts';
import { groupBy, type ReportData } from '../report-data.ts';

export interface SimRealRow {
  scenario: string;
  mode: string;
  metric: string;
  unit: string;
  /** Medians over the paired runs. */
  sim: number;
  real: number;
  /** Paired runs whose values agree / paired runs. */
  agreeing: number;
  paired: number;
  realRun: RunResult;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Windows, the metrics the chart plots (in seconds). */
export const windowMetrics: readonly string[] = ['stale window max', 'refusal window max'];

/** One row per (scenario, mode, metric) over the runs present on both engines (the TTL cross-check has its own table). */
export function simRealRows(data: ReportData): SimRealRow[] {
  const mine = data.runs.filter((r) => !r.scenario.startsWith(crossCheckPrefix));
  const sims = mine.filter((r) => r.engine === 'sim');
  const reals = mine.filter((r) => r.engine === 'real');
  const realById = new Map(reals.map((r) => [r.runId, r]));
  const { rows } = agree(sims, reals);
  const groups = groupBy(rows, (row: AgreementRow) => `${row.scenario}|${row.mode}|${row.metric}`);
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    return {
      scenario: first.scenario,
      mode: first.mode,
      metric: first.metric,
      unit: first.unit,
      sim: median(group.map((row) => row.sim)),
      real: median(group.map((row) => row.real)),
      agreeing: group.filter((row) => row.agrees).length,
      paired: group.length,
      realRun: realById.get(first.runId)!,
    };
  });
}

export function simRealChart(data: ReportData): ChartOutcome {
  const title = 'Simulator against real engine, same runs (SIM and REAL)';
  const rows = simRealRows(data).filter((r) => windowMetrics.includes(r.metric));
  const first = rows[0];
  if (first === undefined) {
    return {
      section: 'sim-vs-real',
      title,
      note: 'no run is in both engines’ results: run `headcount scenario scenarios/server-crash.yaml --engine both --quick` and report its folder',
    };
  }
  const reproduce = reproduceRun(data, first.realRun);
  const agreeing = rows.reduce((n, r) => n + r.agreeing, 0);
  const paired = rows.reduce((n, r) => n + r.paired, 0);
  return {
    id: 'sim-vs-real',
    section: 'sim-vs-real',
    title,
    caption: `Median longest stale (mode A) or refusal (mode C) window per scenario over the runs both engines made; bars of equal height mean the simulator reproduces the real engine. ${agreeing} of ${paired} paired runs agree on it. ${crossCheckCaption(crossCheckRows(data))}`,
    reproduce,
    plugins: ['whiteBackground'],
    config: barConfig(
      title,
      reproduce,
      { xTitle: 'scenario, mode and measure', yTitle: 'median window (s)' },
      rows.map((r) => `${r.scenario} ${r.mode.toUpperCase()}: ${r.metric}`),
      [
        { label: 'simulator', colour: palette[0]!, values: rows.map((r) => r.sim / 1000) },
        { label: 'real engine', colour: palette[1]!, values: rows.map((r) => r.real / 1000) },
      ],
    ),
  };
}
