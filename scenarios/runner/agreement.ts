/**
 * `--engine both`'s agreement, on disk and on the terminal: reads each engine's run results and
 * prints the table that `experiment/agreement.ts` computes (the headline metrics and the rule
 * live there, once, for the runner and the report alike).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Agreement, relativeTolerance } from '../../experiment/agreement.ts';
import type { RunResult } from '../../experiment/result.ts';

/** Every run result in a results folder (`runs/*.json`). */
export function loadRuns(dir: string): RunResult[] {
  const runsDir = join(dir, 'runs');
  let names: string[];
  try {
    names = readdirSync(runsDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(runsDir, name), 'utf8')) as RunResult);
}

const formatValue = (value: number, unit: string): string => {
  if (unit === 'ms') return `${(value / 1000).toFixed(2)} s`;
  if (unit === '') return value.toFixed(4);
  return `${value.toFixed(2)}${unit === 'clients' ? '' : ` ${unit}`}`;
};

/** The agreement table, one block per run (scenario, sweep point, mode), one line per metric. */
export function renderAgreement(agreement: Agreement): string {
  const headers = ['run', 'metric', 'sim', 'real', 'tolerance', 'agree'];
  const rows: string[][] = [];
  let lastRun = '';
  for (const row of agreement.rows) {
    rows.push([
      row.runId === lastRun ? '' : row.runId,
      row.metric,
      formatValue(row.sim, row.unit),
      formatValue(row.real, row.unit),
      `±${formatValue(row.toleranceAbs, row.unit)}`,
      row.agrees ? 'yes' : 'NO',
    ]);
    lastRun = row.runId;
  }
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i]!.length)));
  const format = (cells: string[]) =>
    cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const agreeing = agreement.rows.filter((row) => row.agrees).length;
  const lines = [
    `sim vs real: |real - sim| <= max(${relativeTolerance * 100}% of sim, the metric's floor); ${agreeing}/${agreement.rows.length} agree`,
    format(headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(format),
  ];
  for (const { runId, engine } of agreement.unpaired)
    lines.push(`${runId}: only the ${engine} engine has a result (the other failed or was refused)`);
  return `${lines.join('\n')}\n`;
}
