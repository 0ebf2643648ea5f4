/**
 * The summary printed at the end of a run: one row per scenario and mode with the numbers the
 * product questions turn on, then every expectation with its verdict, then skipped scenarios
 * with the reason (never dropped silently). A pure function from results to text.
 *
 * "budget" is the share of the 99.95% availability error budget the runs used: WHO requests
 * refused or timed out over asked, divided by the 0.05% the objective allows.
 */
import type { RunResult } from '../../experiment/result.ts';
import type { EvaluatedExpectation } from './expect.ts';
import type { PlannedScenario } from './plan.ts';

export const availabilityObjective = 0.9995;

export interface ScenarioReport {
  planned: PlannedScenario;
  results: RunResult[];
  failedRuns: { runId: string; message: string }[];
  expectations: EvaluatedExpectation[];
}

const headers = [
  'scenario',
  'mode',
  'runs',
  'WHO asked',
  'wrong',
  'err p99',
  'stale max',
  'refused max',
  'avail min',
  'budget',
  'expect',
];

export function renderSummary(reports: readonly ScenarioReport[]): string {
  const rows: string[][] = [];
  for (const report of reports) rows.push(...rowsOf(report));
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i]!.length)));
  const format = (cells: string[]) =>
    cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const lines = [format(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format), ''];
  for (const report of reports) lines.push(...detailsOf(report));
  return `${lines.join('\n')}\n`;
}

function rowsOf(report: ScenarioReport): string[][] {
  const { planned } = report;
  const passed = report.expectations.filter((e) => e.outcome.ok).length;
  const verdict = planned.skipped ? 'skipped' : `${passed}/${report.expectations.length}`;
  if (planned.skipped || report.results.length === 0) {
    return [[planned.name, '-', String(planned.runs.length), '-', '-', '-', '-', '-', '-', '-', verdict]];
  }
  const modes = [...new Set(report.results.map((result) => result.config.mode))];
  return modes.map((mode, index) => {
    const runs = report.results.filter((result) => result.config.mode === mode);
    const asked = sum(runs.map((r) => r.who.asked));
    const bad = sum(runs.map((r) => r.who.unavailable + r.who.timedOut));
    const wrong = sum(runs.map((r) => r.who.wrong));
    const budgetUsed = asked === 0 ? 0 : bad / asked / (1 - availabilityObjective);
    return [
      index === 0 ? planned.name : '',
      mode,
      String(runs.length),
      String(asked),
      percent(asked === 0 ? 0 : wrong / asked),
      String(Math.max(...runs.map((r) => Math.abs(r.who.error.p99)))),
      seconds(Math.max(...runs.map((r) => r.staleWindowMs.max))),
      seconds(Math.max(...runs.map((r) => r.refusalWindowMs.max))),
      availabilityPercent(Math.min(...runs.map((r) => r.who.availability))),
      percent(budgetUsed),
      index === 0 ? verdict : '',
    ];
  });
}

function detailsOf(report: ScenarioReport): string[] {
  const { planned } = report;
  const lines: string[] = [];
  if (planned.skipped)
    lines.push(`${planned.name}: skipped on the ${planned.engine} engine: ${planned.skipped}`);
  for (const failure of report.failedRuns.slice(0, 5)) {
    lines.push(`${planned.name}: RUN FAILED ${failure.runId}: ${failure.message}`);
  }
  for (const { outcome, severity } of report.expectations) {
    const mark = outcome.ok ? 'ok  ' : severity === 'warn' ? 'warn' : 'FAIL';
    lines.push(`${mark} ${planned.name}: ${outcome.expression} -- ${outcome.detail}`);
  }
  return lines;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function percent(ratio: number): string {
  if (ratio === 0) return '0%';
  if (ratio >= 0.1) return `${(ratio * 100).toFixed(1)}%`;
  return `${(ratio * 100).toPrecision(2)}%`;
}

/** Availability with enough decimals that anything short of 100% never reads as 100%. */
function availabilityPercent(ratio: number): string {
  if (ratio >= 1) return '100%';
  for (let digits = 1; digits <= 6; digits += 1) {
    const text = (ratio * 100).toFixed(digits);
    if (Number(text) < 100) return `${text}%`;
  }
  return `${(Math.floor(ratio * 1e8) / 1e6).toFixed(6)}%`;
}

function seconds(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '-';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
