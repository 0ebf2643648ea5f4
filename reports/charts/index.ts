/**
 * Every chart of the report, in page order. Adding a chart: write `charts/<name>-chart.ts`
 * returning a `ChartOutcome` (a `ChartSpec`, or a `MissingChart` saying which run is missing)
 * and list it here; the page and the PNG writer pick it up from this list.
 */
import type { ChartOutcome } from '../chart-spec.ts';
import type { ReportData } from '../report-data.ts';
import { availabilityErrorChart } from './availability-error-chart.ts';
import { budgetChart } from './budget-chart.ts';
import { capacityChart } from './capacity-chart.ts';
import { crashTimelineChart } from './crash-timeline-chart.ts';
import { faultTimelineCharts } from './fault-timeline-chart.ts';
import { idChart } from './id-chart.ts';
import { imbalanceChart } from './imbalance-chart.ts';
import { latencyChart } from './latency-chart.ts';
import { refusalWindowChart } from './refusal-chart.ts';
import { simRealChart } from './sim-real-chart.ts';
import { stormAbsorbChart, stormLoadChart } from './storm-chart.ts';
import { staleErrorChart, staleWindowChart } from './ttl-charts.ts';

export function allCharts(data: ReportData): ChartOutcome[] {
  return [
    staleErrorChart(data),
    staleWindowChart(data),
    availabilityErrorChart(data),
    crashTimelineChart(data, 'a'),
    crashTimelineChart(data, 'c'),
    ...faultTimelineCharts(data),
    refusalWindowChart(data),
    imbalanceChart(data),
    budgetChart(data),
    latencyChart(data),
    capacityChart(data),
    idChart(data),
    stormAbsorbChart(data),
    stormLoadChart(data),
    simRealChart(data),
  ];
}
