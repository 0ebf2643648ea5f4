/**
 * What a user sees around a crash: the true client count and the WHO answers, second by
 * second, for one server-crash run per mode (its lowest seed). Mode A keeps answering with the
 * dead server's clients still counted; mode C stops answering (ERR unavailable, right axis).
 */
import type { ModeName, RunResult } from '../../experiment/result.ts';
import {
  type ChartOutcome,
  type LineDataset,
  lineConfig,
  missingNote,
  modeColour,
  type Point,
  reproduceRun,
  truthColour,
} from '../chart-spec.ts';
import { type FaultBand, faultBands as bandsOfRun } from '../fault-bands.ts';
import { formatSeconds } from '../format.ts';
import { type ReportData, runsOf } from '../report-data.ts';

/** Seconds shown before the crash, and after the longest of ttl + heartbeat and lease. */
const leadMs = 10_000;
const tailMs = 15_000;

function crashAtMs(run: RunResult): number | undefined {
  return run.events.find((e) => e.kind.includes('crash'))?.atMs;
}

function windowOf(run: RunResult, crashMs: number): { fromMs: number; toMs: number } {
  const settleMs = Math.max(run.config.ttlMs + run.config.heartbeatMs, run.config.leaseMs);
  return { fromMs: crashMs - leadMs, toMs: crashMs + settleMs + tailMs };
}

function seriesPoints(run: RunResult, crashMs: number, values: readonly (number | null)[]): Point[] {
  const { fromMs, toMs } = windowOf(run, crashMs);
  const points: Point[] = [];
  run.series.tMs.forEach((tMs, index) => {
    if (tMs < fromMs || tMs > toMs) return;
    points.push({ x: (tMs - crashMs) / 1000, y: values[index] ?? (null as unknown as number) });
  });
  return points;
}

/** Fault intervals on the chart's axis (s since the crash), shaded. */
export function faultBands(run: RunResult, crashMs: number): FaultBand[] {
  const { fromMs, toMs } = windowOf(run, crashMs);
  return bandsOfRun(run, crashMs, fromMs, toMs);
}

export function crashTimelineChart(data: ReportData, mode: Extract<ModeName, 'a' | 'c'>): ChartOutcome {
  const title = `Around a crash, mode ${mode.toUpperCase()}: true count and WHO answers`;
  const runs = runsOf(data, { scenario: 'server-crash', mode }).filter((r) => crashAtMs(r) !== undefined);
  const run = [...runs].sort((a, b) => a.seed - b.seed)[0];
  if (run === undefined) return { section: 'cap', title, note: missingNote('server-crash') };
  const crashMs = crashAtMs(run)!;
  const reproduce = reproduceRun(data, run);
  const refusals = seriesPoints(run, crashMs, run.series.unavailable);
  const datasets: LineDataset[] = [
    {
      label: 'true count',
      colour: truthColour,
      stepped: true,
      pointRadius: 0,
      widthPx: 5,
      order: 2,
      points: seriesPoints(run, crashMs, run.series.truth),
    },
    {
      label: 'WHO answer (mean)',
      colour: modeColour[mode],
      pointRadius: 0,
      points: seriesPoints(run, crashMs, run.series.whoMean),
    },
  ];
  // The refusal axis only earns its place when there were refusals (mode C, usually).
  if (refusals.some((p) => p.y > 0)) {
    datasets.push({
      label: 'ERR unavailable',
      colour: '#D55E00',
      stepped: true,
      dash: [4, 3],
      pointRadius: 0,
      yAxisId: 'y2',
      points: refusals,
    });
  }
  const caption =
    mode === 'a'
      ? `Mode A keeps answering after the crash at 0 s (shaded: the server is down), but counts the dead server’s clients for ${formatSeconds(run.staleWindowMs.max)} in this run (ttl ${formatSeconds(run.config.ttlMs)}, heartbeat ${formatSeconds(run.config.heartbeatMs)}): the gap between the lines is the overcount. SIM.`
      : `Mode C never reports a wrong number: after the crash at 0 s (shaded: the server is down) WHO answers ERR unavailable for ${formatSeconds(run.refusalWindowMs.max)} in this run, until the lease (${formatSeconds(run.config.leaseMs)}) runs out (dashed red line, right axis). SIM.`;
  const config = lineConfig(
    title,
    reproduce,
    {
      xTitle: 'time since crash (s)',
      yTitle: 'connected clients (count)',
      ...(datasets.length > 2 ? { y2Title: 'ERR unavailable answers (per bucket)' } : {}),
    },
    datasets,
  );
  const plugins = (config.options!.plugins ?? {}) as Record<string, unknown>;
  plugins['faultBands'] = { bands: faultBands(run, crashMs) };
  return {
    id: `crash-timeline-${mode}`,
    section: 'cap',
    title,
    caption,
    reproduce,
    plugins: ['whiteBackground', 'faultBands'],
    config,
  };
}
