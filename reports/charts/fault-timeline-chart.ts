/**
 * A timeline per scenario and mode for every simulated scenario with faults that no other
 * timeline shows (the crash timelines cover server-crash, the imbalance chart
 * connection-lifetime): the WHO answer's error against the true count, one line per sweep point
 * (its lowest seed), with every fault interval shaded (`fault-bands.ts`). Which scenarios get one
 * is read from the results, never from a list of fault kinds, so a new kind (a zone outage, a
 * Redis failover) appears shaded with no change here. A scenario with more than
 * `sweepPointsMax` points per mode (ttl-sweep) has its own sweep charts instead.
 */
import type { ModeName, RunResult } from '../../experiment/result.ts';
import {
  type ChartOutcome,
  type LineDataset,
  lineConfig,
  palette,
  reproduceRun,
  type SectionId,
} from '../chart-spec.ts';
import { faultBands, mergeBands } from '../fault-bands.ts';
import { trimNumber } from '../format.ts';
import { groupBy, type ReportData } from '../report-data.ts';

/** Scenarios drawn on a timeline of their own elsewhere in the page. */
const timelinesElsewhere = new Set(['server-crash', 'connection-lifetime']);
const crossCheckPrefix = 'ttl-cross-check-';
export const sweepPointsMax = 6;
/** Points per line at most: a day-long run is thinned to this many buckets. */
export const timelinePointsMax = 400;

/** The sweep point of a run (`fault=redis-outage`), from its run id; the mode and seed are not one. */
function pointLabel(run: RunResult): string {
  const parts = run.runId
    .split(/[/]|__/)
    .filter((p) => p.includes('=') && !p.startsWith('seed') && !p.startsWith('mode'));
  return parts.length > 0 ? parts.join(', ') : 'WHO';
}

/** The x unit of a run's timeline: seconds, minutes for runs over 20 min, hours over 2 h. */
export function timeUnit(durationMs: number): { unitMs: number; name: string } {
  if (durationMs > 2 * 3_600_000) return { unitMs: 3_600_000, name: 'h' };
  if (durationMs > 20 * 60_000) return { unitMs: 60_000, name: 'min' };
  return { unitMs: 1000, name: 's' };
}

function errorPoints(
  run: RunResult,
  fromMs: number,
  toMs: number,
  unitMs: number,
): { x: number; y: number }[] {
  const { tMs, whoMean, truth } = run.series;
  const inside = tMs.map((t, k) => ({ t, k })).filter(({ t }) => t >= fromMs && t <= toMs);
  const step = Math.max(1, Math.ceil(inside.length / timelinePointsMax));
  return inside
    .filter((_, index) => index % step === 0)
    .map(({ t, k }) => ({
      x: t / unitMs,
      y:
        whoMean[k] === null || whoMean[k] === undefined
          ? (null as unknown as number)
          : whoMean[k]! - truth[k]!,
    }));
}

function refusalPoints(
  run: RunResult,
  fromMs: number,
  toMs: number,
  unitMs: number,
): { x: number; y: number }[] {
  const { tMs, unavailable } = run.series;
  const inside = tMs.map((t, k) => ({ t, k })).filter(({ t }) => t >= fromMs && t <= toMs);
  const step = Math.max(1, Math.ceil(inside.length / timelinePointsMax));
  return inside
    .filter((_, index) => index % step === 0)
    .map(({ t, k }) => ({ x: t / unitMs, y: unavailable[k]! }));
}

/** The scenarios (simulated) that get a fault timeline here, with their runs. */
export function faultTimelineScenarios(data: ReportData): Map<string, RunResult[]> {
  const sim = data.runs.filter(
    (r) =>
      r.engine === 'sim' &&
      !timelinesElsewhere.has(r.scenario) &&
      !r.scenario.startsWith(crossCheckPrefix) &&
      r.events.some((e) => e.kind !== 'heal'),
  );
  const groups = groupBy(sim, (r) => r.scenario);
  for (const [scenario, runs] of groups) {
    const pointsPerMode = Math.max(
      ...[...groupBy(runs, (r) => r.config.mode).values()].map(
        (modeRuns) => new Set(modeRuns.map(pointLabel)).size,
      ),
    );
    if (pointsPerMode > sweepPointsMax) groups.delete(scenario);
  }
  return groups;
}

function timelineChart(data: ReportData, scenario: string, mode: ModeName, runs: RunResult[]): ChartOutcome {
  const title = `${scenario}, mode ${mode.toUpperCase()}: WHO answer minus true count, faults shaded (SIM)`;
  const points = [...groupBy(runs, pointLabel).values()].map(
    (g) => [...g].sort((a, b) => a.seed - b.seed)[0]!,
  );
  const first = points[0]!;
  const fromMs = 0;
  const toMs = Math.max(...points.map((r) => r.durationMs));
  const unit = timeUnit(toMs);
  const at = (x: number) => `${trimNumber(x, 2)} ${unit.name}`;
  const datasets: LineDataset[] = points.map((run, index) => ({
    label: `${pointLabel(run)}: error`,
    colour: palette[index % palette.length]!,
    pointRadius: 0,
    points: errorPoints(run, fromMs, toMs, unit.unitMs),
  }));
  const refusals = points.map((run) => ({ run, points: refusalPoints(run, fromMs, toMs, unit.unitMs) }));
  for (const [index, r] of refusals.entries()) {
    if (!r.points.some((p) => p.y > 0)) continue;
    datasets.push({
      label: `${pointLabel(r.run)}: ERR unavailable`,
      colour: palette[index % palette.length]!,
      dash: [4, 3],
      stepped: true,
      pointRadius: 0,
      yAxisId: 'y2',
      points: r.points,
    });
  }
  const hasRefusals = datasets.some((d) => d.yAxisId === 'y2');
  const reproduce = reproduceRun(data, first);
  const config = lineConfig(
    title,
    reproduce,
    {
      xTitle: `time since the run started (${unit.name})`,
      yTitle: 'WHO answer − true count (clients)',
      ...(hasRefusals ? { y2Title: 'ERR unavailable answers (per bucket)' } : {}),
      runsPlotted: points.length,
    },
    datasets,
  );
  const bands = mergeBands(points.flatMap((run) => faultBands(run, 0, fromMs, toMs, unit.unitMs)));
  const plugins = (config.options!.plugins ?? {}) as Record<string, unknown>;
  plugins['faultBands'] = { bands };
  const section: SectionId = scenario === 'slo' ? 'slo' : 'cap';
  return {
    id: `fault-timeline-${scenario.replace(/[^a-z0-9-]/gi, '-')}-${mode}`,
    section,
    title,
    caption: `Shaded: ${bands.length} fault interval${bands.length === 1 ? '' : 's'} of these runs, from the fault to its heal (${bands
      .slice(0, 4)
      .map((b) => `${b.label} ${at(b.from)}–${at(b.to)}`)
      .join(
        '; ',
      )}${bands.length > 4 ? '; …' : ''}). A line above 0 overcounts, below 0 undercounts; gaps are buckets with no numeric answer${hasRefusals ? '; dashed lines (right axis) count ERR unavailable answers' : ''}. One line per ${points.length === 1 ? 'run' : 'sweep point'}, its lowest seed. SIM.`,
    reproduce,
    plugins: ['whiteBackground', 'faultBands'],
    config,
  };
}

export function faultTimelineCharts(data: ReportData): ChartOutcome[] {
  const charts: ChartOutcome[] = [];
  for (const [scenario, runs] of faultTimelineScenarios(data)) {
    for (const [mode, modeRuns] of groupBy(runs, (r) => r.config.mode))
      charts.push(timelineChart(data, scenario, mode, modeRuns));
  }
  return charts;
}
