/**
 * WHO latency percentiles per scenario and mode (simulator runs, worst seed of each) as dots on a
 * log axis, with the 50 ms objective drawn: dots cannot hide a small p50 the way log-scale bars
 * do. The simulator's latencies are modelled (network delays from the scenario's model, no CPU),
 * and the title says so. Mode C fans out to every server, so its tail follows the slowest one.
 */
import type { ChartConfiguration } from 'chart.js';
import type { RunResult } from '../../experiment/result.ts';
import { latencyCaption } from '../captions.ts';
import { type ChartOutcome, palette, reproduceRun, reproduceText } from '../chart-spec.ts';
import { groupBy, type ReportData, worstRun } from '../report-data.ts';
import { latencyObjectiveMs } from '../slo-table.ts';

export interface LatencyRow {
  label: string;
  scenario: string;
  mode: string;
  worst: RunResult;
  p50: number;
  p90: number;
  p99: number;
}

export function latencyRows(data: ReportData): LatencyRow[] {
  const runs = data.runs.filter((r) => r.engine === 'sim' && r.who.answered > 0);
  return [...groupBy(runs, (r) => `${r.scenario} ${r.config.mode}`).values()].map((group) => {
    const worst = worstRun(group, (r) => r.who.latencyMs.p99)!;
    return {
      label: `${worst.scenario} ${worst.config.mode.toUpperCase()}`,
      scenario: worst.scenario,
      mode: worst.config.mode,
      worst,
      p50: worst.who.latencyMs.p50,
      p90: worst.who.latencyMs.p90,
      p99: worst.who.latencyMs.p99,
    };
  });
}

/** The log axis's floor (ms): a modelled latency is never below it. */
const latencyMsFloor = 0.01;

export function latencyChart(data: ReportData): ChartOutcome {
  const title = 'WHO latency percentiles by scenario and mode (SIM, modelled latency)';
  const rows = latencyRows(data);
  const worst = worstRun(
    rows.map((r) => r.worst),
    (r) => r.who.latencyMs.p99,
  );
  if (worst === undefined)
    return { section: 'slo', title, note: 'no simulator runs in these results: run `npm run scenario`' };
  const reproduce = reproduceRun(data, worst);
  const dots = (label: string, colour: string, style: string, pick: (r: LatencyRow) => number) => ({
    label,
    data: rows.map((r) => Math.max(latencyMsFloor, pick(r))),
    borderColor: colour,
    backgroundColor: colour,
    showLine: false,
    pointRadius: 5,
    pointStyle: style,
  });
  const config = {
    type: 'line',
    data: {
      labels: rows.map((r) => r.label),
      datasets: [
        dots('p50', palette[5]!, 'circle', (r) => r.p50),
        dots('p90', palette[0]!, 'rect', (r) => r.p90),
        dots('p99', palette[4]!, 'triangle', (r) => r.p99),
        {
          label: `objective: p99 ≤ ${latencyObjectiveMs} ms`,
          data: rows.map(() => latencyObjectiveMs),
          borderColor: '#777777',
          backgroundColor: '#777777',
          borderDash: [6, 4],
          pointRadius: 0,
        },
      ],
    },
    options: {
      animation: false,
      plugins: {
        title: { display: true, text: title, font: { size: 16 } },
        subtitle: {
          display: true,
          text: `${rows.length} rows; reproduce the slowest: ${reproduceText(reproduce)}`,
          color: '#555555',
        },
        legend: { position: 'bottom' },
      },
      scales: {
        x: { title: { display: true, text: 'scenario and mode' } },
        y: { type: 'logarithmic', title: { display: true, text: 'WHO latency (ms, log scale)' } },
      },
    },
  } as unknown as ChartConfiguration;
  return {
    id: 'latency-percentiles',
    section: 'slo',
    title,
    caption: latencyCaption(
      rows.map((r) => r.p99),
      latencyObjectiveMs,
    ),
    reproduce,
    plugins: ['whiteBackground'],
    config,
  };
}
