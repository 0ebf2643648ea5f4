/**
 * The risk of a stable id: two live processes sharing one (the shared-id scenario, SIM). Per mode,
 * how far WHO was from the truth: the share of answers wrong and the typical miss as a share of the
 * true count. The ids answer and the decision table's "what would change it" read these rows.
 */
import type { ModeName } from '../experiment/result.ts';
import { formatCount, formatPercent } from './format.ts';
import { type Spread, spreadOf, truthMean, wrongShare } from './quantities.ts';
import { type ReportData, runsOf } from './report-data.ts';

export interface SharedIdRow {
  mode: ModeName;
  wrongShare: number;
  /** The median answer's miss (clients, negative = undercount), worst seed. */
  missClients: number;
  missShareOfTruth: number;
  wrongSpread: Spread;
}

export function sharedIdRows(data: ReportData): SharedIdRow[] {
  return (['a', 'c'] as const).flatMap((mode) => {
    const runs = runsOf(data, { scenario: 'shared-id', mode });
    if (runs.length === 0) return [];
    const miss = (r: (typeof runs)[number]) => Math.max(r.who.undercount.max, r.who.overcount.max);
    const worst = runs.reduce((w, r) => (miss(r) > miss(w) ? r : w));
    const missClients =
      worst.who.undercount.max >= worst.who.overcount.max
        ? -worst.who.undercount.max
        : worst.who.overcount.max;
    return [
      {
        mode,
        wrongShare: wrongShare(runs),
        missClients,
        missShareOfTruth: Math.abs(missClients) / Math.max(1, truthMean(worst)),
        wrongSpread: spreadOf(runs.map((r) => wrongShare([r]))),
      },
    ];
  });
}

export function sharedIdText(rows: readonly SharedIdRow[]): string {
  if (rows.length === 0)
    return 'Two live processes sharing one stable id: not measured (run `headcount scenario scenarios/shared-id.yaml`).';
  const parts = rows.map(
    (r) =>
      `mode ${r.mode.toUpperCase()} was wrong on ${formatPercent(r.wrongShare, 1)} of answers, ${r.missClients < 0 ? 'short' : 'over'} by up to ${formatCount(Math.abs(r.missClients))} clients (${formatPercent(r.missShareOfTruth, 0)} of the true count)`,
  );
  return `When two live processes share one stable id (shared-id, SIM): ${parts.join('; ')}, for as long as both live: each mode keeps one entry per id, so one process’s clients vanish from the count, and mode C’s promise never to answer wrong no longer holds.`;
}
