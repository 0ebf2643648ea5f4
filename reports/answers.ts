/**
 * One plain-language answer per product question, each with the numbers behind it and the
 * scenario and seed that reproduce it. Every number comes from the same helpers the decision
 * table uses (decisions.ts, quantities.ts) and carries the same quantity tag, so the answer and
 * the table cannot disagree; when a scenario is missing the answer says so and how to produce it.
 */

import { capacityRun } from './charts/capacity-chart.ts';
import { idPoints } from './charts/id-chart.ts';
import { ageLabel, imbalancePoints } from './charts/imbalance-chart.ts';
import { missingNote, type Reproduce, reproduceRun } from './chart-spec.ts';
import {
  capacityAnswer,
  fleetLimits,
  fleetLimitsText,
  memoryOfText,
  capDecision,
  idsDecision,
  lifetimeDecision,
  sloDecision,
  ttlDecision,
} from './decisions.ts';
import { answerFailover } from './failover.ts';
import { topologyDecision } from './discovery-topology.ts';
import { formatCount, formatPercent, formatSeconds, trimNumber } from './format.ts';
import { availability, correctShare, formatBudget, tag, truthMean, wrongShare } from './quantities.ts';
import { type QuestionId, questions } from './questions.ts';
import { type ReportData, runsOf, worstRun } from './report-data.ts';
import { sharedIdRows, sharedIdText } from './shared-id.ts';
import { availabilityObjective, latencyObjectiveMs, sloVerdicts } from './slo-table.ts';
import {
  overcountShareMax,
  productionCrashesPerServerDay,
  recommendedTtlPoint,
  staleWindowMsBound,
  type TtlPoint,
  ttlPoints,
} from './ttl-sweep-points.ts';
import { stormAnswerOf } from './reconnect-storm.ts';
import { zonesAnswerOf } from './zone-outage.ts';

export { type QuestionId, questions };

export interface Answer {
  section: QuestionId;
  question: string;
  /** The answer in plain words, numbers included (tagged, see quantities.ts). */
  text: string;
  /** The headline number. */
  figure: string;
  reproduce?: Reproduce;
  /** Set when the results cannot answer: what is missing and how to produce it. */
  missing?: string;
}

function missing(section: QuestionId, note: string): Answer {
  return {
    section,
    question: questions[section],
    text: `Not answered: ${note}.`,
    figure: 'no data',
    missing: note,
  };
}

/** The criterion in words, for the answer and the recommendation alike. */
export function ttlCriterionText(): string {
  return (
    `Criterion: a crashed server’s clients leave the count within ${formatSeconds(staleWindowMsBound)}, ` +
    `WHO overcounts by at most ${formatPercent(overcountShareMax, 1)} of the truth averaged over time at ${productionCrashesPerServerDay} crash per server-day (assumed production rate; the cost per crash is measured at the scenario’s stress rate and scaled), ` +
    'and no live server drops out of the count.'
  );
}

export function dropoutText(points: readonly TtlPoint[]): string {
  const ratioOne = points.filter((p) => p.ratioLabel === '1');
  if (ratioOne.length === 0) return '';
  const dropping = ratioOne.filter((p) => p.liveDropout);
  if (dropping.length === 0)
    return ' With heartbeat = TTL no live server dropped out of the count in these runs (jitter on the Redis link up to the scenario’s setting): measured, not assumed safe.';
  const worst = dropping.reduce((w, p) => (p.undercountAnswerShare > w.undercountAnswerShare ? p : w));
  return (
    ` Heartbeat = TTL is not safe: under network jitter a late heartbeat lets a live server’s entry expire, at ${dropping.map((p) => formatSeconds(p.ttlMs)).join(', ')} of ${ratioOne.length} swept TTLs; ` +
    `at TTL ${formatSeconds(worst.ttlMs)} a live server was missing ${formatPercent(worst.undercountAnswerShare, 2)} of the time, WHO short by up to ${formatCount(worst.undercountMax)} clients.`
  );
}

export const answerTtl = (data: ReportData): Answer => {
  const points = ttlPoints(data);
  if (points.length === 0) return missing('ttl', missingNote('ttl-sweep'));
  const best = recommendedTtlPoint(points);
  if (best === undefined) {
    return {
      ...missing('ttl', 'no swept TTL and heartbeat meet the criterion'),
      text: `No swept setting meets the criterion. ${ttlCriterionText()}${dropoutText(points)}`,
    };
  }
  const row = ttlDecision(data);
  const wrongAtStress = wrongShare(best.runs);
  return {
    section: 'ttl',
    question: questions.ttl,
    text:
      `${row.recommendation}: the cheapest swept setting that meets the criterion with a heartbeat at most half the TTL (so one late heartbeat cannot drop a live server). ` +
      `A crashed server’s clients were still counted for up to ${tag('ttl.staleWindowMax', formatSeconds(best.staleWindowMsMax))} (SIM; ${row.source.split('; ')[1] ?? ''}). ` +
      `One crash costs ${formatCount(best.overcountClientSecondsPerCrash)} client-seconds of overcount, so at ${productionCrashesPerServerDay} crash per server-day WHO overcounts by ${tag('ttl.overcountProduction', formatPercent(best.overcountShareProduction, 3))} of the truth on average over time. ` +
      `Two different measures, not to be confused: that is a time-averaged size at the assumed production rate, while at the scenario’s stress rate (${trimNumber(best.crashesPerServerHourSim, 2)} crashes per server-hour) ${formatPercent(wrongAtStress, 1)} of answers were wrong, each off by about one server’s clients. ` +
      `${ttlCriterionText()}${dropoutText(points)}`,
    figure: `TTL ${formatSeconds(best.ttlMs)}, heartbeat ${formatSeconds(best.heartbeatMs)}`,
    reproduce: reproduceRun(data, best.worst),
  };
};

export const answerCap = (data: ReportData): Answer => {
  const a = runsOf(data, { scenario: 'server-crash', mode: 'a' });
  const c = runsOf(data, { scenario: 'server-crash', mode: 'c' });
  if (a.length === 0 || c.length === 0) return missing('cap', missingNote('server-crash'));
  const row = capDecision(data);
  const worstC = worstRun(c, (r) => r.refusalWindowMs.max)!;
  const worstA = worstRun(a, (r) => Math.max(r.who.overcount.max, r.who.undercount.max))!;
  const offBy = Math.max(worstA.who.overcount.max, worstA.who.undercount.max);
  return {
    section: 'cap',
    question: questions.cap,
    text:
      `After a server crash (server-crash, SIM) mode A answered ${tag('cap.a.availability', formatPercent(availability(a), 2))} of WHO requests, but only ${tag('cap.a.correct', formatPercent(correctShare(a), 2))} correctly: ${formatPercent(wrongShare(a), 2)} of its answers were wrong, off by up to ${formatCount(offBy)} clients (${formatPercent(offBy / Math.max(1, truthMean(worstA)), 1)} of the true count) while the dead server’s entry lived. ` +
      `Mode C answered ${tag('cap.c.correct', formatPercent(correctShare(c), 2))} correctly and never wrong, refusing for up to ${formatSeconds(worstC.refusalWindowMs.max)} at a time. ${row.recommendation}`,
    figure: `A ${formatPercent(correctShare(a), 2)} / C ${formatPercent(correctShare(c), 2)} correct`,
    reproduce: reproduceRun(data, worstC),
  };
};

function rebalanceText(ms: number | null | undefined, horizonText: string): string {
  if (ms === undefined) return 'not measured';
  if (ms === null) return `not within ${horizonText}`;
  return ms >= 120_000 ? `${trimNumber(ms / 60_000, 1)} min` : formatSeconds(ms);
}

export const answerLifetime = (data: ReportData): Answer => {
  const points = imbalancePoints(data);
  if (points.length === 0) return missing('lifetime', missingNote('connection-lifetime'));
  const unlimited = points[0]!;
  const first = unlimited.runs[0]!;
  const bound = first.loadBalancer?.rebalancedImbalanceMax ?? 0.2;
  const horizon = 'the run (the next event or its end)';
  const per = points.map((p) => {
    const extra = p.connectionsPerSec - unlimited.connectionsPerSec;
    return `${ageLabel(p.ageMs)}: scale-out ${rebalanceText(p.scaleOutRebalanceMs, horizon)}, restart ${rebalanceText(p.restartRebalanceMs, horizon)}, ${trimNumber(p.connectionsPerSec, 1)} connections opened/s${p === unlimited ? '' : ` (+${trimNumber(Math.max(0, extra), 2)}/s reconnects)`}`;
  });
  const row = lifetimeDecision(data);
  return {
    section: 'lifetime',
    question: questions.lifetime,
    text:
      `${row.recommendation} (${row.source}): ${row.figure}; spread ${row.spread}. Time until the imbalance ((busiest − idlest) / mean) falls to ${formatPercent(bound, 0)} after a server joins, slowest seed, by maximum connection age: ${per.join('; ')}. ` +
      'An age limit is only recommended when its rebalance time is told apart from the no-limit runs’ (their spreads over seeds do not overlap). The idle timeout is not swept (see the scenario file).',
    figure: row.recommendation.replace(/^Close connections after at most /, ''),
    ...(row.reproduce ? { reproduce: row.reproduce } : {}),
  };
};

export const answerSlo = (data: ReportData): Answer => {
  const verdicts = sloVerdicts(data);
  if (verdicts.length === 0) return missing('slo', missingNote('slo'));
  const phrases = verdicts.map((v) => {
    const mode = v.mode.toUpperCase();
    return `mode ${mode} answered ${tag(`slo.${v.mode}.correct`, formatPercent(v.correct, 3))} of WHO requests correctly (${tag(`slo.${v.mode}.availability`, formatPercent(v.availability, 3))} answered at all; ${tag(`slo.${v.mode}.budget`, formatBudget(v.budgetUsed))} of the ${formatPercent(availabilityObjective, 2)} objective), ${formatPercent(v.spread.min, 3)}–${formatPercent(v.spread.max, 3)} over ${v.spread.seeds} seeds of ${v.periodText}: ${v.verdict === 'undecided' ? 'undecided (the spread straddles the objective)' : v.verdict}; ${v.realistic === undefined ? 'no usual objective holds on every seed' : `${tag(`slo.${v.mode}.realistic`, formatPercent(v.realistic, 2))} holds on every seed`}`;
  });
  const row = sloDecision(data);
  return {
    section: 'slo',
    question: questions.slo,
    text: `Over ${trimNumber(verdicts[0]!.days, 1)} simulated fleet days per mode with random faults at the stated rates (see the assumptions), ${phrases.join('; ')}. Correct answers are the SLI: a wrong answer counts against the objective like a refusal.`,
    figure: verdicts.map((v) => `${v.mode.toUpperCase()} ${formatPercent(v.correct, 3)}`).join(' / '),
    ...(row.reproduce ? { reproduce: row.reproduce } : {}),
  };
};

export const answerCapacity = (data: ReportData): Answer => {
  const run = capacityRun(data);
  const answer = capacityAnswer(data);
  if (run === undefined || answer === undefined) return missing('capacity', missingNote('capacity', 'real'));
  const steps = run.capacity!;
  const per = answer.limitReached
    ? `One server’s knee is at ${tag('capacity.perServer', formatCount(answer.kneeConnections!))} connections: from there on every step broke the objective (WHO p99 ≤ ${latencyObjectiveMs} ms, no errors).`
    : `One server held at least ${tag('capacity.perServer', formatCount(answer.heldConnections))} concurrent connections (REAL): the limit was not reached. ${answer.brokenSteps} of ${steps.length} steps had a WHO p99 above ${latencyObjectiveMs} ms, but not for ${2} steps running at the end, so they read as machine noise, not a knee.`;
  const row = capacityAnswerFleet(data);
  return {
    section: 'capacity',
    question: questions.capacity,
    text: `${per} Memory: ${tag('capacity.memory', `${formatCount(answer.rssBytesPerConnection / 1024)} KiB`)} per connection: ${memoryOfText(answer)}. ${row}`,
    figure: answer.limitReached
      ? `${formatCount(answer.kneeConnections!)} connections`
      : `≥ ${formatCount(answer.heldConnections)} connections`,
    reproduce: reproduceRun(data, run),
  };
};

function capacityAnswerFleet(data: ReportData): string {
  return `Fleet: capacity grows with servers × per-server capacity, until another limit binds: ${fleetLimitsText(fleetLimits(data))}.`;
}

export const answerIds = (data: ReportData): Answer => {
  const points = idPoints(data);
  if (points.length === 0) return missing('ids', missingNote('restart-and-ids'));
  const row = idsDecision(data);
  const collisions = points.reduce((n, p) => n + p.collisions, 0);
  const changing = points.filter((p) => p.doubleCountMax > 0);
  const worst = [...changing].sort((x, y) => y.doubleCountMax - x.doubleCountMax)[0];
  const text =
    worst === undefined
      ? `No strategy double counted after ${formatCount(points[0]!.restarts)} restarts.`
      : `With ${changing.map((p) => p.strategy).join(', ')} ids a server that crashes and comes back is counted twice (its old entry beside its new one), by up to ${tag('ids.doubleCount', `${formatCount(worst.doubleCountMax)} clients`)} (${tag('ids.doubleCountShare', formatPercent(worst.doubleCountMax / Math.max(1, truthMean(worst.runs[0]!)), 1))} of the fleet’s clients) for up to ${tag('ids.window', formatSeconds(worst.doubleCountWindowMsMax))} after it boots, until the old entry expires.`;
  return {
    section: 'ids',
    question: questions.ids,
    text:
      `${row.recommendation}. ${text} Ids collided ${formatCount(collisions)} times. ${sharedIdText(sharedIdRows(data))} ` +
      'Measured from each boot after a crash or restart; the overcount between the crash and the boot is the crash’s stale window, the same for every id strategy, and is answered under the TTL question. A graceful restart deregisters first and double counts with no strategy. Snowflake ids here embed the boot time, so they change on restart like uuids.',
    figure:
      worst === undefined
        ? '0 clients'
        : `${formatCount(worst.doubleCountMax)} clients, ${formatSeconds(worst.doubleCountWindowMsMax)}`,
    ...(row.reproduce ? { reproduce: row.reproduce } : {}),
  };
};

export const answerTopology = (data: ReportData): Answer => {
  const row = topologyDecision(data);
  if (row.source === 'none') return missing('topology', missingNote('discovery-topology'));
  return {
    section: 'topology',
    question: questions.topology,
    text: `${row.recommendation}. ${row.figure}. Each instance keeps its own membership table, so an instance can only count the servers that registered with it: a load balancer in front of the instances sends a server’s registrations to one instance and a count to any one, and that instance’s sum misses everyone registered with the other. Registering with every instance makes every table complete; a count then either asks every live member or is refused. ${row.changes}`,
    figure: row.figure,
    ...(row.reproduce ? { reproduce: row.reproduce } : {}),
  };
};

export function answers(data: ReportData): Answer[] {
  return [
    answerIds,
    answerCap,
    answerTtl,
    answerLifetime,
    answerSlo,
    answerCapacity,
    answerFailover,
    zonesAnswerOf,
    answerTopology,
    stormAnswerOf,
  ].map((answer) => answer(data));
}
