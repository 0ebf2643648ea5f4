/**
 * `buildReport`: results in, page and chart specs out. Given data it is a pure function (the
 * snapshot test relies on that); given folder paths it reads them first. Chart.js's UMD build
 * is read from node_modules once and inlined, so the page needs no network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { answers } from './answers.ts';
import { type ChartSpec, isChart } from './chart-spec.ts';
import { allCharts } from './charts/index.ts';
import { decisionRows } from './decisions.ts';
import { readResults } from './load-results.ts';
import { recommendations } from './recommendations.ts';
import { renderPage } from './render-html.ts';
import type { ReportData } from './report-data.ts';

export interface BuiltReport {
  html: string;
  /** The charts that were drawn (missing ones are notes in the page, not specs). */
  charts: ChartSpec[];
}

let chartJsSourceCache: string | undefined;

/** Chart.js's browser build (UMD: defines `window.Chart` with every chart type registered). */
export function chartJsSource(): string {
  if (chartJsSourceCache === undefined) {
    const require = createRequire(import.meta.url);
    const main = require.resolve('chart.js');
    chartJsSourceCache = readFileSync(join(dirname(main), 'chart.umd.js'), 'utf8');
  }
  return chartJsSourceCache;
}

/** The pure core: merged results -> page and chart specs. */
export function renderReport(data: ReportData, chartJs: string): BuiltReport {
  const charts = allCharts(data);
  const html = renderPage(
    {
      data,
      decisions: decisionRows(data),
      answers: answers(data),
      recommendations: recommendations(data),
      charts,
    },
    chartJs,
  );
  return { html, charts: charts.filter(isChart) };
}

export function buildReport(
  resultsDirOrData: string | readonly string[] | ReportData,
  chartJs = chartJsSource(),
): BuiltReport {
  const data =
    typeof resultsDirOrData === 'string'
      ? readResults([resultsDirOrData])
      : Array.isArray(resultsDirOrData)
        ? readResults(resultsDirOrData as readonly string[])
        : (resultsDirOrData as ReportData);
  return renderReport(data, chartJs);
}
