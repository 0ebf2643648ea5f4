/**
 * The SLO table: per scenario, engine and mode, the correctness SLI (WHO requests answered with a
 * correct number / asked) against the 99.95% objective with the error budget it used, availability
 * beside it, and the latency p99 against the 50 ms objective. A wrong answer is a bad event: a
 * mode that answers everything but answers wrong misses the objective here. The objectives mirror
 * the defaults of `headcount slo rules` (`impl/observability/slo-options.ts`); reports import
 * only result types, so they are restated here rather than imported.
 */
import type { Engine, RunResult } from '../experiment/result.ts';
import {
  availability,
  budgetUsed,
  correctShare,
  perSeed,
  type Spread,
  spreadOf,
  type Verdict,
  verdictOf,
  wrongShare,
} from './quantities.ts';
import { groupBy, type ReportData, runsOf } from './report-data.ts';

/** The availability objective of the design: 99.95% of WHO requests answered correctly. */
export const availabilityObjective = 0.9995;
/** The latency objective: 99% of commands within 50 ms, i.e. p99 <= 50 ms. */
export const latencyObjectiveMs = 50;

export interface SloRow {
  scenario: string;
  engine: Engine;
  mode: string;
  runs: RunResult[];
  asked: number;
  availability: number;
  /** The SLI: correct answers / asked. */
  correct: number;
  /** Of the SLI's budget. */
  budgetUsed: number;
  spread: Spread;
  verdict: Verdict;
  wrongShare: number;
  latencyMsP99: number;
  latencyMet: boolean;
}

/** Every scenario but capacity (which ramps load until it breaks the SLO on purpose). */
export function sloRows(data: ReportData): SloRow[] {
  const runs = data.runs.filter((r) => r.scenario !== 'capacity' && r.who.asked > 0);
  const groups = groupBy(runs, (r) => `${r.scenario}|${r.engine}|${r.config.mode}`);
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const correct = correctShare(group);
    const spread = spreadOf(perSeed(group, correctShare));
    const latencyMsP99 = Math.max(...group.map((r) => r.who.latencyMs.p99));
    return {
      scenario: first.scenario,
      engine: first.engine,
      mode: first.config.mode,
      runs: group,
      asked: group.reduce((n, r) => n + r.who.asked, 0),
      availability: availability(group),
      correct,
      budgetUsed: budgetUsed(correct, availabilityObjective),
      spread,
      verdict: verdictOf(spread, availabilityObjective),
      wrongShare: wrongShare(group),
      latencyMsP99,
      latencyMet: latencyMsP99 <= latencyObjectiveMs,
    };
  });
}

/** The usual objectives, strictest first. */
export const usualObjectives = [0.9999, 0.9995, 0.999, 0.995, 0.99, 0.95] as const;

/** The strictest usual objective a value meets (e.g. 0.9993 -> 0.999). */
export function realisticObjective(value: number): number | undefined {
  return usualObjectives.find((objective) => value >= objective);
}

export interface SloVerdict extends SloRow {
  /** The strictest usual objective met on EVERY seed (the spread's minimum). */
  realistic: number | undefined;
  /** Simulated fleet days behind the row. */
  days: number;
  /** One seed's length, e.g. `8 h`: the unit the spread is over. */
  periodText: string;
}

/** The slo scenario's rows (simulator), with the objective each mode can commit to. */
export function sloVerdicts(data: ReportData): SloVerdict[] {
  const ran = runsOf(data, { scenario: 'slo' }).length > 0;
  if (!ran) return [];
  return sloRows(data)
    .filter((r) => r.scenario === 'slo' && r.engine === 'sim')
    .map((r) => ({
      ...r,
      realistic: realisticObjective(r.spread.min),
      days: r.runs.reduce((d, run) => d + run.durationMs, 0) / 86_400_000,
      periodText: `${Math.round(r.runs[0]!.durationMs / 360_000) / 10} h`,
    }));
}
