/**
 * The SLO table: measured WHO availability per scenario, engine and mode against the 99.95%
 * objective, with the share of the error budget the run used, and the latency p99 against
 * the 50 ms latency objective. The objectives mirror the defaults of `headcount slo rules`
 * (`impl/observability/slo-options.ts`); reports import only result types, so they are
 * restated here rather than imported.
 */
import type { Engine, RunResult } from '../experiment/result.ts';
import { groupBy, type ReportData } from './report-data.ts';

/** The availability objective of the design: 99.95% of WHO requests answered. */
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
  /** (1 - availability) / (1 - objective): 1 = the whole budget; above 1 = objective missed. */
  budgetUsed: number;
  met: boolean;
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
    const asked = group.reduce((n, r) => n + r.who.asked, 0);
    const answered = group.reduce((n, r) => n + r.who.answered, 0);
    const wrong = group.reduce((n, r) => n + r.who.wrong, 0);
    const availability = answered / asked;
    const latencyMsP99 = Math.max(...group.map((r) => r.who.latencyMs.p99));
    return {
      scenario: first.scenario,
      engine: first.engine,
      mode: first.config.mode,
      runs: group,
      asked,
      availability,
      budgetUsed: (1 - availability) / (1 - availabilityObjective),
      met: availability >= availabilityObjective,
      wrongShare: answered === 0 ? 0 : wrong / answered,
      latencyMsP99,
      latencyMet: latencyMsP99 <= latencyObjectiveMs,
    };
  });
}

/** The strictest usual objective a measured availability meets (e.g. 0.9993 -> 0.999). */
export function realisticObjective(availability: number): number | undefined {
  return [0.9999, 0.9995, 0.999, 0.995, 0.99, 0.95].find((objective) => availability >= objective);
}
