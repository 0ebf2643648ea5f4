/**
 * The decision row "Which discovery topology should mode C deploy?", from the runs of
 * scenarios/discovery-topology.yaml: the share of answered WHOs that were wrong behind a balancer
 * against per-instance registration, per engine, with its spread over seeds. Kept out of
 * decisions.ts so that rows added by other questions do not touch it.
 */
import type { RunResult } from '../experiment/result.ts';
import { reproduceRun } from './chart-spec.ts';
import { type DecisionRow, spreadText } from './decisions.ts';
import { formatCount, formatPercent } from './format.ts';
import { perSeed, spreadOf, tag, wrongShare } from './quantities.ts';
import { questions } from './questions.ts';
import { type ReportData, runsOf, sourceLabel } from './report-data.ts';

/** The runs of scenarios/discovery-topology.yaml on one engine, by topology. */
export function topologyRuns(
  data: ReportData,
  engine: 'sim' | 'real',
): { perInstance: RunResult[]; behindLb: RunResult[] } {
  const runs = runsOf(data, { scenario: 'discovery-topology', mode: 'c', engine });
  const of = (topology: string) =>
    runs.filter((r) => (r.config.discoveryTopology ?? 'per-instance') === topology);
  return { perInstance: of('per-instance'), behindLb: of('behind-lb') };
}

/** "SIM: behind-lb x% wrong (spread), per-instance 0 wrong" for one engine, or undefined without runs. */
function topologyFigure(data: ReportData, engine: 'sim' | 'real'): string | undefined {
  const { perInstance, behindLb } = topologyRuns(data, engine);
  if (perInstance.length === 0 || behindLb.length === 0) return undefined;
  const pct = (v: number) => formatPercent(v, 1);
  const wrong = (runs: readonly RunResult[]) => runs.reduce((n, r) => n + r.who.wrong, 0);
  const label = sourceLabel(data, behindLb[0]!);
  return `${label}: behind a balancer ${tag(`topology.${engine}.behindLb`, pct(wrongShare(behindLb)))} of answered WHOs wrong (${formatCount(wrong(behindLb))}; ${spreadText(spreadOf(perSeed(behindLb, wrongShare)), pct)}); per-instance ${tag(`topology.${engine}.perInstance`, formatCount(wrong(perInstance)))} wrong of ${formatCount(perInstance.reduce((n, r) => n + r.who.answered, 0))}`;
}

export function topologyDecision(data: ReportData): DecisionRow {
  const sim = topologyFigure(data, 'sim');
  const real = topologyFigure(data, 'real');
  if (sim === undefined && real === undefined)
    return {
      id: 'topology',
      question: questions.topology,
      recommendation: 'Not answered: no discovery-topology run with both topologies',
      figure: '–',
      share: '–',
      spread: '–',
      source: 'none',
      changes: '–',
    };
  const runs = topologyRuns(data, sim === undefined ? 'real' : 'sim');
  const perInstanceWrong = runs.perInstance.reduce((n, r) => n + r.who.wrong, 0);
  return {
    id: 'topology',
    question: questions.topology,
    recommendation:
      perInstanceWrong === 0
        ? 'Per-instance: give every server every discovery instance’s address (--discovery URL,URL); never only a load balancer’s address in front of the instances'
        : 'Neither: per-instance registration gave wrong numbers too (see the runs)',
    figure: [sim, real].filter((text) => text !== undefined).join('; '),
    share: `behind a balancer a registration lands on one instance and a count on any one, so a sum misses the members registered elsewhere (an undercount); per-instance refuses instead`,
    spread: `wrong share per seed, behind a balancer: ${spreadText(spreadOf(perSeed(runs.behindLb, wrongShare)), (v) => formatPercent(v, 1))}`,
    source: [
      sim === undefined ? '' : 'SIM',
      real === undefined ? '' : sourceLabel(data, topologyRuns(data, 'real').behindLb[0]!),
    ]
      .filter((text) => text !== '')
      .join(' and ')
      .concat(' (discovery-topology)'),
    changes:
      'Measured without the guard: with `headcount discovery --instances N` a server given fewer addresses than N refuses the lease and never joins, so behind a balancer WHO is refused instead. Shared membership (each registration on every instance before it is acknowledged) would make one address correct; it is not built.',
    reproduce: reproduceRun(data, runs.behindLb[0]!),
  };
}
