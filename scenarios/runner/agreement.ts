/**
 * Sim vs real, measured: `headcount scenario FILES --engine both` runs the same plan (same root
 * seed, so the same run ids and run seeds) on both engines into `<out>/sim` and `<out>/real`, then
 * this module pairs the runs by run id and compares each engine's headline metrics. A pure
 * function from two sets of results to rows and text.
 *
 * Agreement of one metric: |real - sim| <= max(relativeTolerance x |sim|, the metric's floor).
 * The floors are absolute, in the metric's unit, and say how precisely one quick run can measure
 * it at all (production units; the real engine's timers slip a few real ms, multiplied by
 * 1 / timeScale):
 *
 *   stale window max, refusal window max   1000 ms  (a heartbeat; 100 real ms at scale 0.1)
 *   double count max                          5 clients
 *   unavailability (1 - availability)     0.005    (half a percentage point)
 *   wrong-answer rate (wrong / asked)     0.02     (two standard errors of the difference of two
 *                                                   rates near 5% over ~1000 answers each)
 *   imbalance mean                        0.05
 *   connections opened / s                0.5 /s
 *   Redis writes / s                      1 /s
 *   failover: promotion, all servers writing to the new primary, wrong-answer span
 *                                         1000 ms  (windows, as above)
 *   failover: registry entries lost       1 entry  (one heartbeat more or less in the lag window)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../../experiment/result.ts';

/** Two values within this share of the simulator's value agree (above the floor). */
export const relativeTolerance = 0.1;

export interface HeadlineMetric {
  name: string;
  unit: string;
  /** Absolute floor of the tolerance, in `unit`. */
  floor: number;
  /** The value, or undefined when the metric does not apply to the run (e.g. refusals in mode A). */
  of(result: RunResult): number | undefined;
}

const perSecond = (count: number, result: RunResult) => count / Math.max(1e-9, result.durationMs / 1000);

export const headlineMetrics: readonly HeadlineMetric[] = [
  {
    name: 'stale window max',
    unit: 'ms',
    floor: 1_000,
    of: (r) => (r.config.mode === 'c' ? undefined : r.staleWindowMs.max),
  },
  {
    name: 'refusal window max',
    unit: 'ms',
    floor: 1_000,
    of: (r) => (r.config.mode === 'c' ? r.refusalWindowMs.max : undefined),
  },
  {
    name: 'double count max',
    unit: 'clients',
    floor: 5,
    of: (r) => (r.config.mode === 'a' && r.ids !== undefined ? r.ids.doubleCountMax : undefined),
  },
  // Unavailability, not availability: 10% of 0.97 would hide a doubling of the refusals.
  { name: 'unavailability', unit: '', floor: 0.005, of: (r) => 1 - r.who.availability },
  {
    name: 'wrong-answer rate',
    unit: '',
    floor: 0.02,
    of: (r) => (r.who.asked === 0 ? 0 : r.who.wrong / r.who.asked),
  },
  { name: 'imbalance mean', unit: '', floor: 0.05, of: (r) => r.loadBalancer?.imbalance.mean },
  {
    name: 'connections opened/s',
    unit: '/s',
    floor: 0.5,
    of: (r) =>
      r.loadBalancer?.connectionsOpened === undefined
        ? undefined
        : perSecond(r.loadBalancer.connectionsOpened, r),
  },
  {
    name: 'Redis writes/s',
    unit: '/s',
    floor: 1,
    of: (r) => (r.config.mode === 'a' ? r.redisWritesPerSec : undefined),
  },
  ...failoverMetrics(),
];

/** Redis failover figures (fault `redis-failover`): the run's first failover, when it has one. */
function failoverMetrics(): HeadlineMetric[] {
  const first = (r: RunResult) => r.failovers?.[0];
  const window = (name: string, pick: (f: NonNullable<RunResult['failovers']>[number]) => number | null) => ({
    name,
    unit: 'ms',
    floor: 1_000,
    of: (r: RunResult) => {
      const failover = first(r);
      return failover === undefined ? undefined : (pick(failover) ?? undefined);
    },
  });
  return [
    window('failover promotion', (f) => f.promotionMs),
    window('failover all writing', (f) => f.allWritingMs),
    window('failover wrong span', (f) => f.wrongSpanMs),
    { name: 'failover entries lost', unit: 'entries', floor: 1, of: (r) => first(r)?.entriesLost },
  ];
}

export interface AgreementRow {
  runId: string;
  scenario: string;
  mode: string;
  metric: string;
  unit: string;
  sim: number;
  real: number;
  toleranceAbs: number;
  agrees: boolean;
}

export interface Agreement {
  rows: AgreementRow[];
  /** Run ids present on one engine only (a run that failed or was refused). */
  unpaired: { runId: string; engine: 'sim' | 'real' }[];
}

export function agree(sims: readonly RunResult[], reals: readonly RunResult[]): Agreement {
  const realById = new Map(reals.map((result) => [result.runId, result]));
  const simIds = new Set(sims.map((result) => result.runId));
  const rows: AgreementRow[] = [];
  const unpaired: Agreement['unpaired'] = [];
  for (const sim of [...sims].sort((x, y) => x.runId.localeCompare(y.runId))) {
    const real = realById.get(sim.runId);
    if (real === undefined) {
      unpaired.push({ runId: sim.runId, engine: 'sim' });
      continue;
    }
    for (const metric of headlineMetrics) {
      const simValue = metric.of(sim);
      const realValue = metric.of(real);
      if (simValue === undefined || realValue === undefined) continue;
      const toleranceAbs = Math.max(relativeTolerance * Math.abs(simValue), metric.floor);
      rows.push({
        runId: sim.runId,
        scenario: sim.scenario,
        mode: sim.config.mode,
        metric: metric.name,
        unit: metric.unit,
        sim: simValue,
        real: realValue,
        toleranceAbs,
        agrees: Math.abs(realValue - simValue) <= toleranceAbs,
      });
    }
  }
  for (const real of reals) if (!simIds.has(real.runId)) unpaired.push({ runId: real.runId, engine: 'real' });
  return { rows, unpaired };
}

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
