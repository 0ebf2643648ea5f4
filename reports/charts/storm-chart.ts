/**
 * Reconnect storms (scenarios/reconnect-storm.yaml), per client reconnect policy: the absorb
 * time, and what the storm cost the shared component (mode A's Redis writes/s, mode C's discovery
 * broadcasts/s) against the quiet before the crash. Bars are the highest seed per policy, engine
 * and mode (the source is in each label); the caption gives the spread over seeds. The figures are
 * the checker's (`RunResult.storms`), grouped by reports/reconnect-storm.ts.
 */
import {
  type BarDataset,
  barConfig,
  type ChartOutcome,
  missingNote,
  palette,
  reproduceRun,
} from '../chart-spec.ts';
import { trimNumber } from '../format.ts';
import { type StormPoint, reconnectStormScenario, stormPoints } from '../reconnect-storm.ts';
import type { ReportData } from '../report-data.ts';

const what = { a: 'Redis writes', c: 'discovery broadcasts' } as const;

/** Every policy on either engine, in the order first met (the scenario's sweep order). */
function policiesOf(points: readonly StormPoint[]): string[] {
  return [...new Set(points.map((p) => p.policy))];
}

/** "SIM A 3.9–4 s over 5 seeds" for each point with seeds. */
function spreadWords(
  points: readonly StormPoint[],
  pick: (p: StormPoint) => { min: number; max: number; seeds: number },
  unit: (v: number) => string,
): string {
  return points
    .filter((p) => pick(p).seeds > 0)
    .map(
      (p) =>
        `${p.engine.toUpperCase()} ${p.mode.toUpperCase()} ${p.policy} ${unit(pick(p).min)}–${unit(pick(p).max)} over ${pick(p).seeds} runs`,
    )
    .join('; ');
}

export function stormAbsorbChart(data: ReportData): ChartOutcome {
  const title = 'Reconnect storm: absorb time per reconnect policy (SIM and REAL)';
  const points = [...stormPoints(data, 'sim'), ...stormPoints(data, 'real')];
  if (points.length === 0) return { section: 'storms', title, note: missingNote(reconnectStormScenario) };
  const policies = policiesOf(points);
  const series = [...new Set(points.map((p) => `${p.engine}|${p.mode}`))];
  const datasets: BarDataset[] = series.map((key, index) => {
    const [engine, mode] = key.split('|');
    return {
      label: `${engine!.toUpperCase()} mode ${mode!.toUpperCase()} (highest seed)`,
      colour: palette[index % palette.length]!,
      values: policies.map((policy) => {
        const point = points.find((p) => `${p.engine}|${p.mode}` === key && p.policy === policy);
        // No run of this policy on this engine, or not absorbed within the run: no bar (a gap, not 0).
        return point === undefined || !Number.isFinite(point.absorbMs.max)
          ? Number.NaN
          : point.absorbMs.max / 1000;
      }),
    };
  });
  const worst = [...points].sort((x, y) => y.absorbMs.max - x.absorbMs.max)[0]!;
  const reproduce = reproduceRun(data, worst.runs[0]!);
  const seconds = (ms: number) =>
    Number.isFinite(ms) ? `${trimNumber(ms / 1000, 2)} s` : 'not within the run';
  return {
    id: 'reconnect-storm-absorb',
    section: 'storms',
    title,
    caption: `From the crash until the crashed server’s clients were connected elsewhere; the simulator models no CPU, so its at-once wave is absorbed in the network’s time. Spread over seeds: ${spreadWords(points, (p) => p.absorbMs, seconds)}.`,
    reproduce,
    plugins: ['whiteBackground'],
    config: barConfig(
      title,
      reproduce,
      { xTitle: 'client reconnect policy', yTitle: 'absorb time (s)' },
      policies,
      datasets,
    ),
  };
}

export function stormLoadChart(data: ReportData): ChartOutcome {
  const title = 'Reconnect storm: the shared component’s rate, storm against quiet, per policy';
  const sim = stormPoints(data, 'sim');
  const points = (sim.length > 0 ? sim : stormPoints(data, 'real')).filter(
    (p) => p.loadStormPerSec.seeds > 0,
  );
  if (points.length === 0) return { section: 'storms', title, note: missingNote(reconnectStormScenario) };
  const policies = policiesOf(points);
  const modes = [...new Set(points.map((p) => p.mode))];
  const source = points[0]!.engine.toUpperCase();
  const loadAt = (mode: string, policy: string, pick: (p: StormPoint) => number) => {
    const point = points.find((p) => p.mode === mode && p.policy === policy);
    return point === undefined ? Number.NaN : pick(point);
  };
  const datasets: BarDataset[] = modes.flatMap((mode, index) => [
    {
      label: `${source} mode ${mode.toUpperCase()} ${what[mode]}/s, quiet (highest seed)`,
      colour: palette[(2 * index + 5) % palette.length]!,
      values: policies.map((policy) => loadAt(mode, policy, (p) => p.loadQuietPerSec.max)),
    },
    {
      label: `${source} mode ${mode.toUpperCase()} ${what[mode]}/s, storm (highest seed)`,
      colour: palette[(2 * index) % palette.length]!,
      values: policies.map((policy) => loadAt(mode, policy, (p) => p.loadStormPerSec.max)),
    },
  ]);
  const worst = [...points].sort((x, y) => y.loadStormPerSec.max - x.loadStormPerSec.max)[0]!;
  const reproduce = reproduceRun(data, worst.runs[0]!);
  const perSec = (value: number) => `${trimNumber(value, 1)}/s`;
  return {
    id: 'reconnect-storm-load',
    section: 'storms',
    title,
    caption: `Mode A’s Redis writes/s and mode C’s discovery broadcasts/s in the storm window against the quiet before the crash (${source}). Storm spread over seeds: ${spreadWords(points, (p) => p.loadStormPerSec, perSec)}.`,
    reproduce,
    plugins: ['whiteBackground'],
    config: barConfig(
      title,
      reproduce,
      { xTitle: 'client reconnect policy', yTitle: 'rate (/s)' },
      policies,
      datasets,
    ),
  };
}
