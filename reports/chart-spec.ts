/**
 * A chart of the report as data: a Chart.js configuration (plain JSON, no callbacks, so the page
 * and the PNG renderer draw it from the same object), plus what a reader needs around it: a
 * title, a one-sentence caption saying what to read from it, and the scenario and seed that
 * reproduce it. The builders below set axis titles with units on every chart.
 */
import type { ChartConfiguration } from 'chart.js';
import type { Engine, RunResult } from '../experiment/result.ts';
import type { ChartPluginName } from './chart-plugins.ts';
import { type ReportData, type RunOrigin, runKey, scenarioFileOf } from './report-data.ts';

export type SectionId =
  | 'ttl'
  | 'cap'
  | 'lifetime'
  | 'slo'
  | 'capacity'
  | 'ids'
  | 'failover'
  | 'zones'
  | 'topology'
  | 'storms'
  | 'sim-vs-real';

export interface Reproduce {
  scenario: string;
  /** The root seed (`--seed`) of the job that ran it; the run's own seed derives from it. */
  rootSeed: number;
  seed: number;
  engine: Engine;
  runId: string;
  /** The command line that re-runs it. */
  command: string;
}

export interface ChartSpec {
  /** Unique, file-name safe: the canvas id is `chart-<id>` and the PNG `<id>.png`. */
  id: string;
  section: SectionId;
  title: string;
  caption: string;
  reproduce: Reproduce;
  config: ChartConfiguration;
  plugins: ChartPluginName[];
}

export function reproduceOf(
  run: RunResult,
  file: string,
  origin: RunOrigin = { rootSeed: run.seed, quick: false },
): Reproduce {
  const flags = `${origin.quick ? ' --quick' : ''}${run.engine === 'real' ? ' --engine real' : ''}`;
  return {
    scenario: run.scenario,
    rootSeed: origin.rootSeed,
    seed: run.seed,
    engine: run.engine,
    runId: run.runId,
    command: `headcount scenario ${file} --seed ${origin.rootSeed}${flags}`,
  };
}

/** How to reproduce a run of these results: its scenario file and its job's root seed. */
export function reproduceRun(data: ReportData, run: RunResult): Reproduce {
  return reproduceOf(run, scenarioFileOf(data, run), data.origins[runKey(run)]);
}

export function reproduceText(reproduce: Reproduce): string {
  return `scenario ${reproduce.scenario}, --seed ${reproduce.rootSeed}, run ${reproduce.runId} (seed ${reproduce.seed}), engine ${reproduce.engine}`;
}

/** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. */
export const palette = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#D55E00',
  '#56B4E9',
  '#000000',
  '#F0E442',
];
export const modeColour = { a: '#0072B2', c: '#E69F00', local: '#009E73' } as const;
export const truthColour = '#9aa0a6';

export interface Point {
  x: number;
  y: number;
  label?: string;
}

export interface LineDataset {
  label: string;
  points: Point[];
  colour: string;
  dash?: number[];
  /** Draw as a step line (for timelines) instead of straight segments. */
  stepped?: boolean;
  /** Fill down to the previous dataset (`'-1'`): with a min line then a max line, a spread band. */
  fillToPrevious?: boolean;
  /** Fill colour (with alpha) of the band; default a light tint of `colour`. */
  fillColour?: string;
  /** Hidden from the legend (a band's lower edge). */
  legendHidden?: boolean;
  /** Draw points only (dots), no line. */
  dotsOnly?: boolean;
  pointStyle?: 'circle' | 'triangle' | 'rect' | 'rectRot' | 'star' | 'crossRot';
  yAxisId?: 'y' | 'y2';
  pointRadius?: number;
  /** Line width in px; default 2. */
  widthPx?: number;
  /** Drawing order: higher is drawn first (underneath). */
  order?: number;
}

interface Axes {
  xTitle: string;
  yTitle: string;
  y2Title?: string;
  xType?: 'linear' | 'logarithmic';
  yType?: 'linear' | 'logarithmic';
  /** How many runs the chart plots (the subtitle says so beside the run that reproduces it). */
  runsPlotted?: number;
  yMin?: number;
  yMax?: number;
  xMin?: number;
  /** Room added beyond the data on both axes, e.g. '8%', so point labels stay inside. */
  grace?: string;
}

function titles(title: string, reproduce: Reproduce, runsPlotted?: number) {
  const text =
    runsPlotted === undefined || runsPlotted <= 1
      ? reproduceText(reproduce)
      : `${runsPlotted} runs plotted; reproduce the worst: ${reproduceText(reproduce)}`;
  return {
    title: { display: true, text: title, font: { size: 16 } },
    subtitle: { display: true, text, color: '#555555', padding: { bottom: 8 } },
    legend: { position: 'bottom' as const },
  };
}

function scales(axes: Axes) {
  const grace = axes.grace === undefined ? {} : { grace: axes.grace };
  const y = {
    type: axes.yType ?? ('linear' as const),
    title: { display: true, text: axes.yTitle },
    ...grace,
    ...(axes.yMin === undefined ? {} : { min: axes.yMin }),
    ...(axes.yMax === undefined ? {} : { max: axes.yMax }),
  };
  return {
    x: {
      type: axes.xType ?? ('linear' as const),
      title: { display: true, text: axes.xTitle },
      ...grace,
      ...(axes.xMin === undefined ? {} : { min: axes.xMin }),
    },
    y,
    ...(axes.y2Title === undefined
      ? {}
      : {
          y2: {
            type: 'linear' as const,
            position: 'right' as const,
            title: { display: true, text: axes.y2Title },
            grid: { drawOnChartArea: false },
            min: 0,
          },
        }),
  };
}

export function lineConfig(
  title: string,
  reproduce: Reproduce,
  axes: Axes,
  datasets: LineDataset[],
): ChartConfiguration {
  return {
    type: 'line',
    data: {
      datasets: datasets.map((d) => ({
        label: d.label,
        data: d.points.map((p) => ({ x: p.x, y: p.y })),
        borderColor: d.colour,
        backgroundColor: d.fillToPrevious ? (d.fillColour ?? `${d.colour}33`) : d.colour,
        ...(d.fillToPrevious ? { fill: '-1' } : {}),
        ...(d.dotsOnly ? { showLine: false } : {}),
        ...(d.legendHidden ? { hiddenInLegend: true } : {}),
        borderDash: d.dash ?? [],
        stepped: d.stepped ?? false,
        pointRadius: d.pointRadius ?? 3,
        ...(d.pointStyle ? { pointStyle: d.pointStyle } : {}),
        borderWidth: d.widthPx ?? 2,
        order: d.order ?? 0,
        spanGaps: false,
        yAxisID: d.yAxisId ?? 'y',
      })),
    },
    options: {
      animation: false,
      parsing: false,
      plugins: titles(title, reproduce, axes.runsPlotted),
      scales: scales(axes),
    },
  } as ChartConfiguration;
}

export interface BarDataset {
  label: string;
  values: number[];
  colour: string;
}

export function barConfig(
  title: string,
  reproduce: Reproduce,
  axes: { xTitle: string; yTitle: string; yType?: 'linear' | 'logarithmic' },
  labels: string[],
  datasets: BarDataset[],
): ChartConfiguration {
  const yType = axes.yType ?? 'linear';
  return {
    type: 'bar',
    data: {
      labels,
      datasets: datasets.map((d) => ({ label: d.label, data: d.values, backgroundColor: d.colour })),
    },
    options: {
      animation: false,
      plugins: titles(title, reproduce),
      scales: {
        x: { title: { display: true, text: axes.xTitle } },
        y: { type: yType, beginAtZero: yType === 'linear', title: { display: true, text: axes.yTitle } },
      },
    },
  } as ChartConfiguration;
}

export interface ScatterDataset {
  label: string;
  points: Point[];
  colour: string;
  pointStyle: 'circle' | 'triangle' | 'rect';
}

export function scatterConfig(
  title: string,
  reproduce: Reproduce,
  axes: Axes,
  datasets: ScatterDataset[],
): ChartConfiguration {
  return {
    type: 'scatter',
    data: {
      datasets: datasets.map((d) => ({
        label: d.label,
        data: d.points,
        borderColor: d.colour,
        backgroundColor: d.colour,
        pointStyle: d.pointStyle,
        pointRadius: 6,
        // Points on the axes (0% wrong, 100% available) are the interesting ones: draw them whole.
        clip: false,
      })),
    },
    options: { animation: false, plugins: titles(title, reproduce), scales: scales(axes) },
  } as ChartConfiguration;
}

/** A chart that could not be drawn because its scenario is not in the results: the page says so. */
export interface MissingChart {
  section: SectionId;
  title: string;
  /** Plain words on what is missing and the command that produces it. */
  note: string;
}

export type ChartOutcome = ChartSpec | MissingChart;

export function isChart(outcome: ChartOutcome): outcome is ChartSpec {
  return 'config' in outcome;
}

export function missingNote(scenario: string, engine: Engine = 'sim'): string {
  const flag = engine === 'real' ? ' --engine real' : '';
  return `no ${engine === 'real' ? 'real-engine ' : ''}${scenario} run in these results: run \`headcount scenario scenarios/${scenario}.yaml${flag}\``;
}
