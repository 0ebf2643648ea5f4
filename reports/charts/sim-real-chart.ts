/**
 * The simulator earns trust only by agreeing with the real thing: where a scenario ran on both
 * engines, its median stale window (mode A) and refusal window (mode C) side by side.
 */
import type { RunResult } from '../../experiment/result.ts';
import { barConfig, type ChartOutcome, palette, reproduceRun } from '../chart-spec.ts';
import { crossCheckCaption } from '../captions.ts';
import { crossCheckRows } from '../cross-check.ts';
import { groupBy, type ReportData } from '../report-data.ts';

export interface SimRealRow {
  label: string;
  scenario: string;
  mode: string;
  metric: string;
  simMs: number;
  realMs: number;
  simAvailability: number;
  realAvailability: number;
  realRun: RunResult;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function windowMs(run: RunResult): number {
  return run.config.mode === 'c' ? run.refusalWindowMs.p50 : run.staleWindowMs.p50;
}

function availability(runs: RunResult[]): number {
  const asked = runs.reduce((n, r) => n + r.who.asked, 0);
  return asked === 0 ? 1 : runs.reduce((n, r) => n + r.who.answered, 0) / asked;
}

export function simRealRows(data: ReportData): SimRealRow[] {
  const groups = groupBy(data.runs, (r) => `${r.scenario}|${r.config.mode}`);
  const rows: SimRealRow[] = [];
  for (const group of groups.values()) {
    const sim = group.filter((r) => r.engine === 'sim');
    const real = group.filter((r) => r.engine === 'real');
    if (sim.length === 0 || real.length === 0) continue;
    const mode = group[0]!.config.mode;
    const metric = mode === 'c' ? 'refusal window p50' : 'stale window p50';
    rows.push({
      label: `${group[0]!.scenario} ${mode.toUpperCase()}: ${metric}`,
      scenario: group[0]!.scenario,
      mode,
      metric,
      simMs: median(sim.map(windowMs)),
      realMs: median(real.map(windowMs)),
      simAvailability: availability(sim),
      realAvailability: availability(real),
      realRun: [...real].sort((a, b) => a.seed - b.seed)[0]!,
    });
  }
  return rows;
}

export function simRealChart(data: ReportData): ChartOutcome {
  const title = 'Simulator against real engine, same scenario (SIM and REAL)';
  const rows = simRealRows(data);
  const first = rows[0];
  if (first === undefined) {
    return {
      section: 'sim-vs-real',
      title,
      note: 'no scenario ran on both engines in these results: run `headcount scenario scenarios/server-crash.yaml --engine real` and report both folders together',
    };
  }
  const reproduce = reproduceRun(data, first.realRun);
  return {
    id: 'sim-vs-real',
    section: 'sim-vs-real',
    title,
    caption: `Median stale (mode A) or refusal (mode C) window per scenario that ran on both engines; bars of equal height mean the simulator reproduces the real engine. ${crossCheckCaption(crossCheckRows(data))}`,
    reproduce,
    plugins: ['whiteBackground'],
    config: barConfig(
      title,
      reproduce,
      { xTitle: 'scenario, mode and measure', yTitle: 'median window (s)' },
      rows.map((r) => r.label),
      [
        { label: 'simulator', colour: palette[0]!, values: rows.map((r) => r.simMs / 1000) },
        { label: 'real engine', colour: palette[1]!, values: rows.map((r) => r.realMs / 1000) },
      ],
    ),
  };
}
