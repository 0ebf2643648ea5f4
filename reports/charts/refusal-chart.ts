/**
 * Mode C's price for never answering wrong: after a crash WHO is refused until the dead
 * server's lease runs out. One point per lease value of the server-crash scenario.
 */
import { type ChartOutcome, lineConfig, missingNote, modeColour, reproduceRun } from '../chart-spec.ts';
import { groupBy, type ReportData, runsOf, worstRun } from '../report-data.ts';

export function refusalWindowChart(data: ReportData): ChartOutcome {
  const title = 'Mode C: WHO refusal window after a crash against discovery lease';
  const runs = runsOf(data, { scenario: 'server-crash', mode: 'c' });
  const worst = worstRun(runs, (r) => r.refusalWindowMs.max);
  if (worst === undefined) return { section: 'cap', title, note: missingNote('server-crash') };
  const groups = [...groupBy(runs, (r) => r.config.leaseMs).entries()].sort((a, b) => a[0] - b[0]);
  const longest = groups.map(([leaseMs, group]) => ({
    x: leaseMs / 1000,
    y: Math.max(...group.map((r) => r.refusalWindowMs.max)) / 1000,
  }));
  const median = groups.map(([leaseMs, group]) => ({
    x: leaseMs / 1000,
    y: Math.max(...group.map((r) => r.refusalWindowMs.p50)) / 1000,
  }));
  const reproduce = reproduceRun(data, worst);
  return {
    id: 'refusal-window-vs-lease',
    section: 'cap',
    title,
    caption:
      'After a crash mode C answers ERR unavailable for about one lease: a shorter lease means a shorter outage but more lease renewals.',
    reproduce,
    plugins: ['whiteBackground'],
    config: lineConfig(
      title,
      reproduce,
      { xTitle: 'discovery lease (s)', yTitle: 'refusal window (s)', yMin: 0 },
      [
        { label: 'longest refusal window', colour: modeColour.c, points: longest },
        { label: 'median refusal window', colour: modeColour.c, dash: [8, 4], points: median },
      ],
    ),
  };
}
