/**
 * The capacity curve from the real engine: p99 latency and errors as connections ramp up on
 * one server. Only a real run measures this; the simulator has no CPU or memory to run out of.
 */
import type { RunResult } from '../../experiment/result.ts';
import { type ChartOutcome, lineConfig, missingNote, palette, reproduceRun } from '../chart-spec.ts';
import { type ReportData, runsOf } from '../report-data.ts';
import { capacityAnswer, kneeStepsMin } from '../decisions.ts';
import { formatCount } from '../format.ts';
import { latencyObjectiveMs } from '../slo-table.ts';

export function capacityRun(data: ReportData): RunResult | undefined {
  return runsOf(data, { scenario: 'capacity', engine: 'real' }).find((r) => (r.capacity?.length ?? 0) > 0);
}

export function capacityChart(data: ReportData): ChartOutcome {
  const title = 'Capacity of one server: latency and errors against concurrent connections (REAL)';
  const run = capacityRun(data);
  if (run === undefined) return { section: 'capacity', title, note: missingNote('capacity', 'real') };
  const steps = run.capacity!;
  const reproduce = reproduceRun(data, run);
  return {
    id: 'capacity-curve',
    section: 'capacity',
    title,
    caption: capacityCaption(data),
    reproduce,
    plugins: ['whiteBackground'],
    config: lineConfig(
      title,
      reproduce,
      {
        xTitle: 'concurrent connections on one server',
        yTitle: 'WHO latency p99 (ms)',
        y2Title: 'errors',
        yMin: 0,
      },
      [
        {
          label: 'p99 latency',
          colour: palette[0]!,
          points: steps.map((s) => ({ x: s.connections, y: s.latencyMsP99 })),
        },
        {
          label: `latency objective (${latencyObjectiveMs} ms)`,
          colour: '#999999',
          dash: [4, 4],
          pointRadius: 0,
          points: [
            { x: steps[0]!.connections, y: latencyObjectiveMs },
            { x: steps.at(-1)!.connections, y: latencyObjectiveMs },
          ],
        },
        {
          label: 'errors',
          colour: palette[4]!,
          yAxisId: 'y2',
          points: steps.map((s) => ({ x: s.connections, y: s.errors })),
        },
      ],
    ),
  };
}

/** The knee when the objective broke for good, else the floor the ramp reached (decisions.ts decides). */
function capacityCaption(data: ReportData): string {
  const answer = capacityAnswer(data);
  if (answer === undefined) return '';
  const steps = answer.run.capacity!.length;
  const verdict = answer.limitReached
    ? `the objective broke for good from ${formatCount(answer.kneeConnections!)} connections: that is the knee`
    : `the limit was not reached: one server held at least ${formatCount(answer.heldConnections)} connections (${answer.brokenSteps} of ${steps} steps had a p99 above ${latencyObjectiveMs} ms, but not ${kneeStepsMin} in a row at the end, which reads as machine noise)`;
  return `WHO p99 per step of the ramp against the ${latencyObjectiveMs} ms objective (dashed), and errors (right axis): ${verdict}.`;
}
