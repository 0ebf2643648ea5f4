/**
 * Mode C's price for never answering wrong: after a crash WHO is refused until the dead server's
 * lease runs out. From the lease-sweep scenario (five leases, five seeds each): the longest
 * refusal per lease with its band over seeds, the expected bound, and the design's 3 s lease
 * marked. Falls back to server-crash (one lease) when lease-sweep did not run.
 */
import { refusalCaption } from '../captions.ts';
import {
  type ChartOutcome,
  type LineDataset,
  lineConfig,
  missingNote,
  modeColour,
  reproduceRun,
} from '../chart-spec.ts';
import { perSeed, spreadOf } from '../quantities.ts';
import { groupBy, type ReportData, runsOf, worstRun } from '../report-data.ts';

/** The design's lease, marked on the chart. */
export const designLeaseMs = 3_000;

export function refusalWindowChart(data: ReportData): ChartOutcome {
  const title = 'Mode C: WHO refusal window after a crash against discovery lease (SIM)';
  const swept = runsOf(data, { scenario: 'lease-sweep', mode: 'c' });
  const runs = swept.length > 0 ? swept : runsOf(data, { scenario: 'server-crash', mode: 'c' });
  const worst = worstRun(runs, (r) => r.refusalWindowMs.max);
  if (worst === undefined) return { section: 'cap', title, note: missingNote('lease-sweep') };
  const groups = [...groupBy(runs, (r) => r.config.leaseMs).entries()].sort((a, b) => a[0] - b[0]);
  const spreads = groups.map(([leaseMs, group]) => ({
    leaseMs,
    group,
    s: spreadOf(perSeed(group, (rs) => Math.max(...rs.map((r) => r.refusalWindowMs.max)))),
  }));
  const datasets: LineDataset[] = [
    {
      label: 'lowest seed',
      colour: modeColour.c,
      pointRadius: 0,
      widthPx: 0,
      legendHidden: true,
      points: spreads.map((p) => ({ x: p.leaseMs / 1000, y: p.s.min / 1000 })),
    },
    {
      label: 'longest refusal window (band: min–max over seeds)',
      colour: modeColour.c,
      fillToPrevious: true,
      points: spreads.map((p) => ({ x: p.leaseMs / 1000, y: p.s.max / 1000 })),
    },
    {
      label: 'expected bound: lease + heartbeat + fan-out timeout + 1 s',
      colour: '#777777',
      dash: [6, 4],
      pointRadius: 0,
      points: spreads.map((p) => {
        const c = p.group[0]!.config;
        return { x: p.leaseMs / 1000, y: (p.leaseMs + c.heartbeatMs + c.fanoutTimeoutMs + 1000) / 1000 };
      }),
    },
  ];
  const design = spreads.find((p) => p.leaseMs === designLeaseMs);
  if (design)
    datasets.push({
      label: 'the design’s 3 s lease',
      colour: '#000000',
      pointStyle: 'rectRot',
      pointRadius: 9,
      dotsOnly: true,
      points: [{ x: design.leaseMs / 1000, y: design.s.max / 1000 }],
    });
  const reproduce = reproduceRun(data, worst);
  return {
    id: 'refusal-window-vs-lease',
    section: 'cap',
    title,
    caption: refusalCaption(
      runs.map((r) => ({ leaseMs: r.config.leaseMs, windowMs: r.refusalWindowMs.max })),
    ),
    reproduce,
    plugins: ['whiteBackground'],
    config: lineConfig(
      title,
      reproduce,
      { xTitle: 'discovery lease (s)', yTitle: 'refusal window (s)', yMin: 0, runsPlotted: runs.length },
      datasets,
    ),
  };
}
