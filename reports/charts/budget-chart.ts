/**
 * Error-budget burn-down over the slo scenario's simulated time: its seeds laid end to end (one
 * line per mode), the budget remaining after each bucket. A bad event is a refusal, a hang or a
 * wrong answer (quantities.ts); the total per run is exact (asked − correct answers), and it is
 * placed in time by where the run's refusals (its series) and wrong answers (its stale windows)
 * fell, so the line ends exactly at the budget the SLO table states.
 */
import type { RunResult } from '../../experiment/result.ts';
import { burnDownCaption } from '../captions.ts';
import {
  type ChartOutcome,
  type LineDataset,
  lineConfig,
  missingNote,
  modeColour,
  reproduceRun,
} from '../chart-spec.ts';
import { type FaultBand, faultBands } from '../fault-bands.ts';
import { budgetUsed, correctShare } from '../quantities.ts';
import { type ReportData, runsOf } from '../report-data.ts';
import { availabilityObjective } from '../slo-table.ts';

/** Points per run: enough to show when a fault burned budget, few enough for the page. */
const pointsPerRunMax = 60;

/** Bad events per series bucket of one run, summing exactly to asked − correct answers. */
export function badEventsPerBucket(run: RunResult): number[] {
  const { tMs, unavailable, resolutionMs } = run.series;
  const weights = tMs.map((t, k) => {
    const overlapMs = run.staleWindows.reduce(
      (sum, w) => sum + Math.max(0, Math.min(w.endMs, t + resolutionMs) - Math.max(w.startMs, t)),
      0,
    );
    return (unavailable[k] ?? 0) + (overlapMs / 1000) * Number(run.config['whoRatePerSec'] ?? 0);
  });
  const total = run.who.asked - (run.who.answered - run.who.wrong);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  if (tMs.length === 0) return [];
  return weightSum === 0
    ? weights.map(() => total / tMs.length)
    : weights.map((w) => (w / weightSum) * total);
}

export function burnDown(runs: readonly RunResult[]): { x: number; y: number }[] {
  const ordered = [...runs].sort((a, b) => (a.runId < b.runId ? -1 : 1));
  const allowed = (1 - availabilityObjective) * ordered.reduce((n, r) => n + r.who.asked, 0);
  const points = [{ x: 0, y: 100 }];
  let offsetMs = 0;
  let bad = 0;
  for (const run of ordered) {
    const perBucket = badEventsPerBucket(run);
    const stride = Math.max(1, Math.ceil(perBucket.length / pointsPerRunMax));
    perBucket.forEach((b, k) => {
      bad += b;
      if ((k + 1) % stride === 0 || k === perBucket.length - 1) {
        const atMs = offsetMs + run.series.tMs[k]! + run.series.resolutionMs;
        points.push({
          x: Math.min(offsetMs + run.durationMs, atMs) / 3_600_000,
          y: 100 * (1 - bad / Math.max(1e-9, allowed)),
        });
      }
    });
    offsetMs += run.durationMs;
  }
  return points;
}

/**
 * The faults of the runs laid end to end as `burnDown` lays them (x in hours), labelled with the
 * mode when both modes are plotted (their nemeses draw different faults).
 */
export function budgetFaultBands(
  modes: readonly { mode: string; runs: readonly RunResult[] }[],
): FaultBand[] {
  return modes.flatMap(({ mode, runs }) => {
    const ordered = [...runs].sort((a, b) => (a.runId < b.runId ? -1 : 1));
    let offsetMs = 0;
    return ordered.flatMap((run) => {
      const bands = faultBands(run, -offsetMs, 0, run.durationMs, 3_600_000).map((band) => ({
        ...band,
        label: modes.length > 1 ? `${mode.toUpperCase()}: ${band.label}` : band.label,
      }));
      offsetMs += run.durationMs;
      return bands;
    });
  });
}

export function budgetChart(data: ReportData): ChartOutcome {
  const title = 'Error budget remaining over the simulated days (slo, SIM)';
  const modes = (['a', 'c'] as const).map((mode) => ({
    mode,
    runs: runsOf(data, { scenario: 'slo', mode }),
  }));
  const present = modes.filter((m) => m.runs.length > 0);
  if (present.length === 0) return { section: 'slo', title, note: missingNote('slo') };
  const datasets: LineDataset[] = present.map((m) => ({
    label: `mode ${m.mode.toUpperCase()}`,
    colour: modeColour[m.mode],
    pointRadius: 0,
    points: burnDown(m.runs),
  }));
  const hours = Math.max(...present.map((m) => m.runs.reduce((h, r) => h + r.durationMs / 3_600_000, 0)));
  datasets.push({
    label: 'budget exhausted (0%)',
    colour: '#777777',
    dash: [6, 4],
    pointRadius: 0,
    points: [
      { x: 0, y: 0 },
      { x: hours, y: 0 },
    ],
  });
  const first = present[0]!.runs[0]!;
  const reproduce = reproduceRun(data, first);
  const config = lineConfig(
    title,
    reproduce,
    {
      xTitle: 'simulated time, seeds end to end (h)',
      yTitle: 'error budget remaining (% of budget)',
      runsPlotted: present.reduce((n, m) => n + m.runs.length, 0),
    },
    datasets,
  );
  const plugins = (config.options as { plugins: Record<string, unknown> }).plugins;
  plugins['faultBands'] = { bands: budgetFaultBands(present) };
  return {
    id: 'error-budget-burn-down',
    section: 'slo',
    title,
    caption: burnDownCaption(
      present.map((m) => ({
        mode: m.mode,
        budgetUsed: budgetUsed(correctShare(m.runs), availabilityObjective),
        days: m.runs.reduce((d, r) => d + r.durationMs, 0) / 86_400_000,
      })),
    ),
    reproduce,
    plugins: ['whiteBackground', 'faultBands'],
    config,
  };
}
