/**
 * The decision table: one row per product question, each with the recommendation, the number
 * behind it (with its unit and as a share of the truth), its spread over seeds, its source (SIM or
 * REAL) and what would change the answer. The page opens with it; every number in it is tagged
 * with the quantity it is (`tag`), and the same tag appears wherever the page repeats it, so a
 * test can check that a quantity reads the same everywhere.
 */
import type { RunResult } from '../experiment/result.ts';
import { type Reproduce, reproduceRun } from './chart-spec.ts';
import { faultPoints } from './charts/availability-error-chart.ts';
import { capacityRun } from './charts/capacity-chart.ts';
import { idPoints } from './charts/id-chart.ts';
import { ageLabel, imbalancePoints } from './charts/imbalance-chart.ts';
import { crossCheckRows } from './cross-check.ts';
import { failoverDecision } from './failover.ts';
import { topologyDecision } from './discovery-topology.ts';
import { formatCount, formatPercent, formatSeconds, trimNumber } from './format.ts';
import {
  availability,
  correctShare,
  distinguishable,
  formatBudget,
  perSeed,
  type Spread,
  spreadOf,
  staleWindowMs,
  tag,
  truthMean,
} from './quantities.ts';
import { type QuestionId, questions } from './questions.ts';
import { type ReportData, runsOf, sourceLabel } from './report-data.ts';
import { sharedIdRows, sharedIdText } from './shared-id.ts';
import { availabilityObjective, latencyObjectiveMs, sloVerdicts } from './slo-table.ts';
import {
  heartbeatRatioRecommendedMax,
  overcountShareMax,
  productionCrashesPerServerDay,
  recommendedTtlPoint,
  staleWindowMsBound,
  ttlPoints,
} from './ttl-sweep-points.ts';
import { stormDecisionRow } from './reconnect-storm.ts';
import { zonesDecisionRow } from './zone-outage.ts';

export interface DecisionRow {
  id: QuestionId;
  question: string;
  recommendation: string;
  /** The number with its unit. */
  figure: string;
  /** The number as a share of the truth (or of what it is measured against). */
  share: string;
  /** min–max over seeds (or over crashes / steps, said so). */
  spread: string;
  /** SIM, REAL or both, with what each contributed. */
  source: string;
  /** What would change the answer. */
  changes: string;
  reproduce?: Reproduce;
}

const open = (id: QuestionId, note: string): DecisionRow => ({
  id,
  question: questions[id],
  recommendation: `Not answered: ${note}`,
  figure: '–',
  share: '–',
  spread: '–',
  source: 'none',
  changes: '–',
});

export function spreadText(spread: Spread, format: (v: number) => string, over = 'seeds'): string {
  if (spread.seeds === 0) return '–';
  if (spread.seeds === 1) return `one ${over.replace(/s$/, '')}: ${format(spread.min)} (no spread measured)`;
  return `${format(spread.min)} – ${format(spread.max)} over ${spread.seeds} ${over}`;
}

export function ttlDecision(data: ReportData): DecisionRow {
  const points = ttlPoints(data);
  const best = recommendedTtlPoint(points);
  if (best === undefined)
    return open('ttl', points.length === 0 ? 'no ttl-sweep run' : 'no swept setting meets the criterion');
  const seeds = spreadOf(perSeed(best.runs, (runs) => Math.max(...runs.map(staleWindowMs))));
  const cross = crossCheckRows(data);
  const mine = cross.find((r) => r.ttlMs === best.ttlMs);
  const real =
    mine === undefined
      ? 'REAL: not checked at this TTL'
      : `${sourceLabel(data, mine.real.runs[0]!)} check at TTL ${formatSeconds(mine.ttlMs)} (heartbeat ${formatSeconds(mine.real.heartbeatMs)}): ${tag(`cross.real.${mine.ttlMs}`, formatSeconds(mine.real.staleWindowMsMax))} against SIM ${tag(`cross.sim.${mine.ttlMs}`, formatSeconds(mine.sim.staleWindowMsMax))} (${!mine.judged ? 'not judged: machine overloaded' : mine.agrees ? 'agrees' : 'DIFFERS'})`;
  const breakRate =
    (overcountShareMax / Math.max(1e-12, best.overcountShareProduction)) * productionCrashesPerServerDay;
  const shorter = points
    .filter(
      (p) => p.withinBound && p.heartbeatRatio <= heartbeatRatioRecommendedMax + 1e-9 && p.ttlMs < best.ttlMs,
    )
    .sort((a, b) => b.ttlMs - a.ttlMs)[0];
  return {
    id: 'ttl',
    question: questions.ttl,
    recommendation: `TTL ${tag('ttl.ttl', formatSeconds(best.ttlMs))}, heartbeat ${tag('ttl.heartbeat', formatSeconds(best.heartbeatMs))}`,
    figure: `stale window ≤ ${tag('ttl.staleWindowMax', formatSeconds(best.staleWindowMsMax))} (criterion ${formatSeconds(staleWindowMsBound)})`,
    share: `overcount ${tag('ttl.overcountProduction', formatPercent(best.overcountShareProduction, 3))} of the true count, time-averaged at ${productionCrashesPerServerDay} crash per server-day (criterion ${formatPercent(overcountShareMax, 1)})`,
    spread: `longest window ${spreadText(seeds, formatSeconds)}`,
    source: `SIM (ttl-sweep); ${real}`,
    changes: `A stale-window bound under ${formatSeconds(best.staleWindowMsMax)}${shorter ? ` → TTL ${formatSeconds(shorter.ttlMs)}` : ''}; more than ${trimNumber(breakRate, 0)} crashes per server-day would break the ${formatPercent(overcountShareMax, 1)} bound.`,
    reproduce: reproduceRun(data, best.worst),
  };
}

function crashRuns(data: ReportData, mode: 'a' | 'c'): RunResult[] {
  return runsOf(data, { scenario: 'server-crash', mode });
}

export function capDecision(data: ReportData): DecisionRow {
  const a = crashRuns(data, 'a');
  const c = crashRuns(data, 'c');
  if (a.length === 0 || c.length === 0) return open('cap', 'no server-crash runs of both modes');
  const spreadA = spreadOf(perSeed(a, correctShare));
  const spreadC = spreadOf(perSeed(c, correctShare));
  const worstA = Math.max(...a.map((r) => Math.max(r.who.overcount.max, r.who.undercount.max)));
  const truthA = Math.max(1, Math.min(...a.map(truthMean)));
  const pct = (v: number) => formatPercent(v, 2);
  const decided = distinguishable(spreadA, spreadC);
  const others = faultPoints(data).filter((p) => p.mode === 'c' && p.fault !== 'server-crash');
  const worstOther = others.sort((x, y) => x.availability - y.availability)[0];
  return {
    id: 'cap',
    question: questions.cap,
    recommendation:
      'A for a displayed “people online” figure (it always answers, sometimes wrong); C where acting on a wrong count is worse than an error (it refuses instead).' +
      (decided
        ? ''
        : ' On correct answers alone the crash runs cannot tell A from C (their spreads overlap).'),
    figure: `after a crash: A ${tag('cap.a.correct', pct(correctShare(a)))} correct (${tag('cap.a.availability', pct(availability(a)))} answered); C ${tag('cap.c.correct', pct(correctShare(c)))} correct, never wrong`,
    share: `A’s wrong answers were off by up to ${formatCount(worstA)} clients = ${formatPercent(worstA / truthA, 1)} of the true count`,
    spread: `correct answers A ${spreadText(spreadA, pct)}; C ${spreadText(spreadC, pct)}`,
    source: 'SIM (server-crash)',
    changes: worstOther
      ? `Longer faults than a crash: under ${worstOther.fault} mode C answered ${formatPercent(worstOther.availability, 2)}.`
      : 'Faults longer than a lease make C refuse for as long as they last.',
    reproduce: reproduceRun(data, c[0]!),
  };
}

function scaleOutRebalanceMs(run: RunResult): number {
  const join = run.loadBalancer?.rebalances?.find((b) => /^stop /.test(b.event));
  if (join === undefined) return Number.NaN;
  return join.rebalanceMs ?? Number.POSITIVE_INFINITY;
}

/** Rebalance within this bound after a scale-out counts as acceptable. */
export const rebalanceMsBound = 5 * 60_000;

export function lifetimeDecision(data: ReportData): DecisionRow {
  const points = imbalancePoints(data);
  if (points.length === 0) return open('lifetime', 'no connection-lifetime run');
  const minutes = (ms: number) => (Number.isFinite(ms) ? `${trimNumber(ms / 60_000, 1)} min` : 'never');
  const spreads = points.map((p) => ({
    p,
    spread: spreadOf(p.runs.map(scaleOutRebalanceMs).filter((v) => !Number.isNaN(v))),
  }));
  const unlimited = spreads[0]!;
  // The longest age limit that rebalances every seed within the bound AND is told apart from no limit.
  const pick = spreads.find(
    (s) =>
      s.p !== unlimited.p && s.spread.max <= rebalanceMsBound && distinguishable(s.spread, unlimited.spread),
  );
  if (pick === undefined)
    return {
      ...open('lifetime', 'no swept age limit rebalances within 5 min on every seed'),
      source: 'SIM (connection-lifetime)',
    };
  const clients = Math.max(1, truthMean(pick.p.runs[0]!));
  const extraPerSec = Math.max(0, pick.p.connectionsPerSec - unlimited.p.connectionsPerSec);
  return {
    id: 'lifetime',
    question: questions.lifetime,
    recommendation: `Close connections after at most ${tag('lifetime.age', ageLabel(pick.p.ageMs))}`,
    figure: `rebalanced ${tag('lifetime.rebalance', minutes(pick.spread.max))} after a scale-out (no limit: ${minutes(unlimited.spread.max)}); +${trimNumber(extraPerSec, 2)} reconnects/s`,
    share: `reconnects: ${formatPercent((extraPerSec * 60) / clients, 1)} of the clients per minute`,
    spread: `rebalance ${spreadText(pick.spread, minutes)}; no limit ${spreadText(unlimited.spread, minutes)}`,
    source: 'SIM (connection-lifetime)',
    changes: `A rebalance bound under ${minutes(pick.spread.max)} → a shorter age; a balancer that picks the least-loaded server (least-connections) needs no age limit for a scale-out.`,
    reproduce: reproduceRun(data, pick.p.runs[0]!),
  };
}

export function sloDecision(data: ReportData): DecisionRow {
  const verdicts = sloVerdicts(data);
  if (verdicts.length === 0) return open('slo', 'no slo run');
  const pct = (v: number) => formatPercent(v, 3);
  const parts = verdicts.map(
    (v) =>
      `${v.mode.toUpperCase()}: ${v.realistic === undefined ? 'no usual objective on every seed' : tag(`slo.${v.mode}.realistic`, formatPercent(v.realistic, 2))}`,
  );
  const days = verdicts[0]!.days;
  return {
    id: 'slo',
    question: questions.slo,
    recommendation: `Commit to ${parts.join('; ')} (correct answers: the strictest usual objective met on every seed of ${verdicts[0]!.periodText})`,
    figure: verdicts
      .map(
        (v) =>
          `${v.mode.toUpperCase()} ${tag(`slo.${v.mode}.correct`, pct(v.correct))} correct, ${tag(`slo.${v.mode}.budget`, formatBudget(v.budgetUsed))} of ${formatPercent(availabilityObjective, 2)}: ${v.verdict}`,
      )
      .join('; '),
    share: verdicts
      .map(
        (v) => `${v.mode.toUpperCase()} ${tag(`slo.${v.mode}.availability`, pct(v.availability))} answered`,
      )
      .join('; '),
    spread: verdicts
      .map((v) => `${v.mode.toUpperCase()} ${spreadText(v.spread, pct, `seeds of ${v.periodText}`)}`)
      .join('; '),
    source: `SIM (slo, ${trimNumber(days, 1)} simulated days per mode)`,
    changes:
      'Other fault rates (stated in the assumptions); mode C below the objective is a lease-length and discovery question: a shorter lease shortens every refusal.',
    reproduce: reproduceRun(data, verdicts[0]!.runs[0]!),
  };
}

/** The capacity of one server from its curve: a sustained knee, or a floor when none was reached. */
export interface CapacityAnswer {
  run: RunResult;
  /** Connections held within the objective before the knee, or at the last good step. */
  heldConnections: number;
  /** The first step of the sustained break, when there was one. */
  kneeConnections?: number;
  limitReached: boolean;
  p99Spread: Spread;
  rssBytesPerConnection: number;
  /** Whose memory that is: the server's process alone, or the lab's (both ends of each connection). */
  memoryOf: 'server' | 'lab';
  brokenSteps: number;
}

/** How the memory figure was measured, in words, for the table and the answer. */
export function memoryOfText(answer: CapacityAnswer): string {
  return answer.memoryOf === 'server'
    ? 'RSS growth of the server’s own process over the ramp ÷ connections held, garbage included (an upper bound: `npm run bench -- capacity` measures idle connections after a GC)'
    : 'RSS growth of the lab’s process, which held both ends of each connection (an overstatement: `npm run bench -- capacity` measures a server alone)';
}

/** The fleet's other limits, measured on the simulator's baseline (SIM). */
export interface FleetLimits {
  /** Mode A: Redis operations per second per server. */
  redisOpsPerServerPerSec?: number;
  /** Mode C: count requests each server answers per second (one per discovery fan-out). */
  countRequestsPerServerPerSec?: number;
  /** Mode C: discovery fan-outs per WHO asked (below 1 where WHO answers are cached). */
  fanoutsPerWho?: number;
  /** Mode C: servers each fan-out asks. */
  fanoutServers?: number;
}

export function fleetLimits(data: ReportData): FleetLimits {
  const a = runsOf(data, { scenario: 'baseline', mode: 'a' });
  const c = runsOf(data, { scenario: 'baseline', mode: 'c' });
  const mean = (runs: readonly RunResult[], pick: (r: RunResult) => number) =>
    runs.length === 0 ? undefined : runs.reduce((n, r) => n + pick(r), 0) / runs.length;
  const whoRate = (r: RunResult) => Number(r.config['whoRatePerSec'] ?? 0);
  const fanoutsPerWho = mean(c, (r) => (whoRate(r) === 0 ? 0 : r.broadcastsPerSec / whoRate(r)));
  const redisOpsPerServerPerSec = mean(a, (r) => r.redisOpsPerSec / r.config.servers);
  const countRequestsPerServerPerSec = mean(c, (r) => r.broadcastsPerSec);
  return {
    ...(redisOpsPerServerPerSec === undefined ? {} : { redisOpsPerServerPerSec }),
    ...(countRequestsPerServerPerSec === undefined ? {} : { countRequestsPerServerPerSec }),
    ...(fanoutsPerWho === undefined ? {} : { fanoutsPerWho }),
    ...(c[0] === undefined ? {} : { fanoutServers: c[0].config.servers }),
  };
}

/** The fleet limits in one sentence (SIM). */
export function fleetLimitsText(limits: FleetLimits): string {
  const a =
    limits.redisOpsPerServerPerSec === undefined
      ? 'mode A: every server writes to one Redis (no baseline A run to measure its rate)'
      : `mode A: every server writes to one Redis, ${trimNumber(limits.redisOpsPerServerPerSec, 1)} Redis operations/s per server`;
  const c =
    limits.countRequestsPerServerPerSec === undefined
      ? 'mode C: every WHO asks every server (no baseline C run to measure its rate)'
      : `mode C: each server answers ${trimNumber(limits.countRequestsPerServerPerSec, 1)} count requests/s (${trimNumber(limits.fanoutsPerWho ?? 0, 2)} discovery fan-outs per WHO, each asking all ${limits.fanoutServers} servers, so discovery’s work per WHO grows with the fleet)`;
  return `${a}; ${c} (SIM, baseline)`;
}

/** A knee is at least this many consecutive breaking steps at the end of the ramp; fewer is noise. */
export const kneeStepsMin = 2;

export function capacityAnswer(data: ReportData): CapacityAnswer | undefined {
  const run = capacityRun(data);
  if (run === undefined) return undefined;
  const steps = run.capacity!;
  const breaks = steps.map((s) => !(s.latencyMsP99 <= latencyObjectiveMs && s.errors === 0));
  let kneeIndex = steps.length;
  while (kneeIndex > 0 && breaks[kneeIndex - 1]) kneeIndex -= 1;
  const sustained = steps.length - kneeIndex >= kneeStepsMin;
  const held = steps
    .slice(0, kneeIndex)
    .filter((_, index) => !breaks[index])
    .at(-1);
  return {
    run,
    heldConnections: held?.connections ?? 0,
    ...(sustained ? { kneeConnections: steps[kneeIndex]!.connections } : {}),
    limitReached: sustained,
    p99Spread: spreadOf(steps.map((s) => s.latencyMsP99)),
    rssBytesPerConnection: (held ?? steps[0]!).rssBytesPerConnection,
    memoryOf: String(run.config['memoryOf'] ?? '').startsWith('server') ? 'server' : 'lab',
    brokenSteps: breaks.filter(Boolean).length,
  };
}

export function capacityDecision(data: ReportData): DecisionRow {
  const answer = capacityAnswer(data);
  if (answer === undefined) return open('capacity', 'no real-engine capacity run');
  // The fleet of the simulated scenarios (the largest one swept), so the fleet figure matches them.
  const servers = Math.max(1, ...data.runs.filter((r) => r.engine === 'sim').map((r) => r.config.servers));
  const held = answer.heldConnections;
  const per = answer.limitReached
    ? `${tag('capacity.perServer', formatCount(answer.kneeConnections!))} connections per server (knee)`
    : `at least ${tag('capacity.perServer', formatCount(held))} connections per server (limit not reached)`;
  return {
    id: 'capacity',
    question: questions.capacity,
    recommendation: `Plan for ${per}; a fleet of ${servers} servers holds ${answer.limitReached ? '' : 'at least '}${tag('capacity.fleet', formatCount(servers * (answer.kneeConnections ?? held)))}`,
    figure: `${per}, WHO p99 ≤ ${latencyObjectiveMs} ms and no errors; ${tag('capacity.memory', `${formatCount(answer.rssBytesPerConnection / 1024)} KiB`)} of memory per connection (${answer.memoryOf === 'server' ? 'the server process alone' : 'lab process, both ends of each connection'})`,
    share: `other fleet limits: ${fleetLimitsText(fleetLimits(data))}`,
    spread: `one run; WHO p99 ${spreadText(answer.p99Spread, (v) => `${trimNumber(v, 1)} ms`, 'steps')}, ${answer.brokenSteps} of ${answer.run.capacity!.length} steps above the objective`,
    source: `${sourceLabel(data, answer.run)}: capacity probe; SIM: Redis ops, fan-out`,
    changes: answer.limitReached
      ? 'A faster machine or a less loaded one moves the knee; measure on the production hardware.'
      : `A longer ramp (the full scenarios/capacity.yaml) would find the limit; this ${formatSeconds(answer.run.durationMs)} probe only gives a floor.`,
    reproduce: reproduceRun(data, answer.run),
  };
}

export function idsDecision(data: ReportData): DecisionRow {
  const points = idPoints(data);
  if (points.length === 0) return open('ids', 'no restart-and-ids run');
  const changing = points.filter((p) => p.doubleCountMax > 0);
  const steady = points.filter((p) => p.doubleCountMax === 0);
  const worst = changing.sort((a, b) => b.doubleCountMax - a.doubleCountMax)[0];
  const truth = Math.max(1, truthMean(points[0]!.runs[0]!));
  if (worst === undefined) {
    return {
      id: 'ids',
      question: questions.ids,
      recommendation: 'Any strategy: none double counted',
      figure: '0 clients',
      share: '0% of the fleet',
      spread: `${points[0]!.runs.length} seeds`,
      source: 'SIM (restart-and-ids)',
      changes: sharedIdText(sharedIdRows(data)),
    };
  }
  const seeds = spreadOf(
    perSeed(worst.runs, (runs) => Math.max(...runs.map((r) => r.ids?.doubleCountMax ?? 0))),
  );
  return {
    id: 'ids',
    question: questions.ids,
    recommendation:
      steady.length > 0
        ? `Keep a stable id per server slot (${steady.map((p) => p.strategy).join(', ')}), never shared by two live processes; a changing id (${changing.map((p) => p.strategy).join(', ')}) is acceptable only where a one-TTL double count after each crash is`
        : 'Every strategy double counts for one TTL after a crash: accept it or shorten the TTL',
    figure: `changing ids double count up to ${tag('ids.doubleCount', `${formatCount(worst.doubleCountMax)} clients`)} for up to ${tag('ids.window', formatSeconds(worst.doubleCountWindowMsMax))} after each crash`,
    share: `${tag('ids.doubleCountShare', formatPercent(worst.doubleCountMax / truth, 1))} of the fleet’s clients`,
    spread: `double count ${spreadText(seeds, (v) => `${formatCount(v)} clients`)} (${worst.strategy})`,
    source: 'SIM (restart-and-ids)',
    changes: sharedIdText(sharedIdRows(data)),
    reproduce: reproduceRun(data, worst.runs[0]!),
  };
}

export function decisionRows(data: ReportData): DecisionRow[] {
  return [
    idsDecision,
    capDecision,
    ttlDecision,
    lifetimeDecision,
    sloDecision,
    capacityDecision,
    failoverDecision,
    zonesDecisionRow,
    topologyDecision,
    stormDecisionRow,
  ].map((f) => f(data));
}
