/**
 * One plain-language answer per product question, each with the number behind it and the
 * scenario and seed that reproduce it. Every sentence is computed from the results by the same
 * helpers the charts use; when a scenario is missing the answer says so and how to produce it.
 */
import type { RunResult } from '../experiment/result.ts';
import { faultPoints } from './charts/availability-error-chart.ts';
import { capacityRun } from './charts/capacity-chart.ts';
import { idPoints } from './charts/id-chart.ts';
import { ageLabel, imbalancePoints } from './charts/imbalance-chart.ts';
import { missingNote, type Reproduce, reproduceRun, type SectionId } from './chart-spec.ts';
import { formatCount, formatPercent, formatSeconds, trimNumber } from './format.ts';
import { type ReportData, worstRun } from './report-data.ts';
import { availabilityObjective, latencyObjectiveMs, realisticObjective, sloRows } from './slo-table.ts';
import {
  overcountShareMax,
  productionCrashesPerServerDay,
  recommendedTtlPoint,
  staleWindowMsBound,
  type TtlPoint,
  ttlPoints,
} from './ttl-sweep-points.ts';

export type QuestionId = Exclude<SectionId, 'sim-vs-real'>;

export interface Answer {
  section: QuestionId;
  question: string;
  /** The answer in plain words, numbers included. */
  text: string;
  /** The headline number. */
  figure: string;
  reproduce?: Reproduce;
  /** Set when the results cannot answer: what is missing and how to produce it. */
  missing?: string;
}

export const questions: Record<QuestionId, string> = {
  ttl: 'What eviction TTL is acceptable?',
  cap: 'Consistency or availability: mode A or mode C?',
  lifetime: 'How long should connections stay open?',
  slo: 'Which availability SLO is realistic?',
  capacity: 'How many concurrent users does one server hold?',
  ids: 'May a server’s id change when it restarts?',
};

function missing(section: QuestionId, note: string): Answer {
  return {
    section,
    question: questions[section],
    text: `Not answered: ${note}.`,
    figure: 'no data',
    missing: note,
  };
}

function reproduce(data: ReportData, run: RunResult): Reproduce {
  return reproduceRun(data, run);
}

/** The criterion in words, for the answer and the recommendation alike. */
export function ttlCriterionText(): string {
  return (
    `Criterion: a crashed server’s clients leave the count within ${formatSeconds(staleWindowMsBound)}, ` +
    `WHO overcounts by at most ${formatPercent(overcountShareMax, 1)} of the truth averaged over time at ${productionCrashesPerServerDay} crash per server-day (assumed production rate; the cost per crash is measured at the scenario’s stress rate and scaled), ` +
    'and no live server drops out of the count. (A p99 of the error cannot decide this: whenever stale windows fill more than 1% of the time, p99 is one whole server’s clients at every TTL.)'
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
  const rateText = `the scenario’s ${trimNumber(points[0]!.crashesPerServerHourSim, 2)} crashes per server-hour`;
  if (best === undefined) {
    return {
      ...missing('ttl', 'no swept TTL and heartbeat meet the criterion'),
      text: `No swept setting meets the criterion. ${ttlCriterionText()}${dropoutText(points)}`,
    };
  }
  return {
    section: 'ttl',
    question: questions.ttl,
    text:
      `TTL ${formatSeconds(best.ttlMs)} with heartbeat ${formatSeconds(best.heartbeatMs)} is the cheapest swept setting that meets the criterion with a heartbeat at most half the TTL (so one late heartbeat cannot drop a live server): a crashed server’s clients were still counted for up to ${formatSeconds(best.staleWindowMsMax)}; ` +
      `one crash costs ${formatCount(best.overcountClientSecondsPerCrash)} client-seconds of overcount, so at ${productionCrashesPerServerDay} crash per server-day WHO overcounts by ${formatPercent(best.overcountShareProduction, 1)} of the truth on average over time ` +
      `(${formatPercent(best.overcountShareSim, 1)} at ${rateText}). ${ttlCriterionText()}${dropoutText(points)}`,
    figure: `TTL ${formatSeconds(best.ttlMs)}, heartbeat ${formatSeconds(best.heartbeatMs)}`,
    reproduce: reproduce(data, best.worst),
  };
};

export const answerCap = (data: ReportData): Answer => {
  const points = faultPoints(data);
  const a = points.filter((p) => p.mode === 'a');
  const c = points.filter((p) => p.mode === 'c');
  if (a.length === 0 || c.length === 0) return missing('cap', missingNote('server-crash'));
  const share = (ps: typeof points, pick: (r: RunResult) => number) =>
    ps.flatMap((p) => p.runs).reduce((n, r) => n + pick(r), 0);
  const availabilityA = share(a, (r) => r.who.answered) / share(a, (r) => r.who.asked);
  const wrongA = share(a, (r) => r.who.wrong) / share(a, (r) => r.who.answered);
  const availabilityC = share(c, (r) => r.who.answered) / share(c, (r) => r.who.asked);
  const wrongC = share(c, (r) => r.who.wrong);
  const worstC = worstRun(
    c.flatMap((p) => p.runs),
    (r) => r.refusalWindowMs.max,
  )!;
  const worstA = worstRun(
    a.flatMap((p) => p.runs),
    (r) => r.who.wrong / Math.max(1, r.who.answered),
  )!;
  return {
    section: 'cap',
    question: questions.cap,
    text:
      `Under the same faults mode A answered ${formatPercent(availabilityA, 2)} of WHO requests but ${formatPercent(wrongA, 2)} of its answers were wrong (worst: ${worstA.scenario}, off by up to ${formatCount(Math.max(worstA.who.overcount.max, worstA.who.undercount.max))} clients); ` +
      `mode C gave ${formatCount(wrongC)} wrong answers and answered ${formatPercent(availabilityC, 2)}, refusing for up to ${formatSeconds(worstC.refusalWindowMs.max)} at a time (${worstC.scenario}). ` +
      'Choose A where a slightly wrong count is better than none, C where a wrong count is worse than an error.',
    figure: `A ${formatPercent(availabilityA, 2)} / C ${formatPercent(availabilityC, 2)}`,
    reproduce: reproduce(data, worstC),
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
  const policy = first.loadBalancer?.policy ?? 'unknown';
  const horizon = 'the run (the next event or its end)';
  const per = points.map((p) => {
    const extra = p.connectionsPerSec - unlimited.connectionsPerSec;
    return `${ageLabel(p.ageMs)}: scale-out ${rebalanceText(p.scaleOutRebalanceMs, horizon)}, restart ${rebalanceText(p.restartRebalanceMs, horizon)}, ${trimNumber(p.connectionsPerSec, 1)} connections opened/s${p === unlimited ? '' : ` (+${trimNumber(Math.max(0, extra), 1)}/s reconnects)`}`;
  });
  // The recommendation: the longest age limit that rebalances a scale-out within 5 minutes.
  const fits = points.filter(
    (p) => typeof p.scaleOutRebalanceMs === 'number' && p.scaleOutRebalanceMs <= 5 * 60_000,
  );
  const pick = fits[0];
  const lead =
    pick === undefined
      ? 'No swept age limit rebalances a scale-out within 5 minutes; sweep shorter ages.'
      : `With a ${policy} balancer, close connections after at most ${ageLabel(pick.ageMs)}: the fleet then rebalances within ${rebalanceText(pick.scaleOutRebalanceMs, horizon)} of a scale-out (bound: 5 min), at ${trimNumber(Math.max(0, pick.connectionsPerSec - unlimited.connectionsPerSec), 1)} extra reconnects per second for the fleet.`;
  return {
    section: 'lifetime',
    question: questions.lifetime,
    text:
      `${lead} Time until the imbalance ((busiest − idlest) / mean) falls to ${formatPercent(bound, 0)} after a server joins, slowest seed, by maximum connection age: ${per.join('; ')}. ` +
      'The imbalance averaged over the run says little (it is ~0 except right after a join), so the measure is the time to rebalance; the cost is the reconnect rate (connections opened per second above the no-limit run). The idle timeout is not swept (see the scenario file).',
    figure: pick === undefined ? 'none within 5 min' : ageLabel(pick.ageMs),
    reproduce: reproduce(data, (pick ?? unlimited).runs[0]!),
  };
};

export const answerSlo = (data: ReportData): Answer => {
  const rows = sloRows(data).filter((r) => r.scenario === 'slo' && r.engine === 'sim');
  if (rows.length === 0) return missing('slo', missingNote('slo'));
  const phrases = rows.map((r) => {
    const realistic = realisticObjective(r.availability);
    return `mode ${r.mode.toUpperCase()} answered ${formatPercent(r.availability, 3)} (${formatPercent(r.budgetUsed, 0)} of the ${formatPercent(availabilityObjective, 2)} budget; ${realistic === undefined ? 'no usual objective met' : `${formatPercent(realistic, 2)} is realistic`})`;
  });
  const worst = worstRun(
    rows.flatMap((r) => r.runs),
    (r) => 1 - r.who.availability,
  )!;
  return {
    section: 'slo',
    question: questions.slo,
    text: `Over a simulated day of fleet time with random faults, ${phrases.join('; ')}.`,
    figure: rows.map((r) => `${r.mode.toUpperCase()} ${formatPercent(r.availability, 3)}`).join(' / '),
    reproduce: reproduce(data, worst),
  };
};

export const answerCapacity = (data: ReportData): Answer => {
  const run = capacityRun(data);
  if (run === undefined) return missing('capacity', missingNote('capacity', 'real'));
  const steps = run.capacity!;
  const good = steps.filter((s) => s.latencyMsP99 <= latencyObjectiveMs && s.errors === 0);
  const held = good.at(-1);
  const broke = steps.find((s) => !(s.latencyMsP99 <= latencyObjectiveMs && s.errors === 0));
  const heldText =
    held === undefined
      ? `Even the first step (${formatCount(steps[0]!.connections)} connections) broke the SLO.`
      : `One server held ${formatCount(held.connections)} concurrent connections with WHO p99 ${trimNumber(held.latencyMsP99, 1)} ms (objective ${latencyObjectiveMs} ms) and no errors, using about ${formatCount(held.rssBytesPerConnection / 1024)} KiB of the lab's memory per connection (both ends of each connection when the servers run in the lab's process; \`npm run bench -- capacity\` measures a server alone).`;
  const brokeText =
    broke === undefined
      ? ' It never broke the SLO: ramp further to find the limit.'
      : ` At ${formatCount(broke.connections)} it reached p99 ${trimNumber(broke.latencyMsP99, 1)} ms with ${formatCount(broke.errors)} errors.`;
  return {
    section: 'capacity',
    question: questions.capacity,
    text: heldText + brokeText,
    figure: held === undefined ? 'none' : `${formatCount(held.connections)} connections`,
    reproduce: reproduce(data, run),
  };
};

export const answerIds = (data: ReportData): Answer => {
  const points = idPoints(data);
  if (points.length === 0) return missing('ids', missingNote('restart-and-ids'));
  const changing = points.filter((p) => p.doubleCountMax > 0);
  const steady = points.filter((p) => p.doubleCountMax === 0);
  const collisions = points.reduce((n, p) => n + p.collisions, 0);
  const worst = worstRun(
    points.flatMap((p) => p.runs),
    (r) => r.ids?.doubleCountMax ?? 0,
  )!;
  const doubleMax = Math.max(...points.map((p) => p.doubleCountMax));
  const windowMax = Math.max(...points.map((p) => p.doubleCountWindowMsMax));
  const text =
    changing.length === 0
      ? `Yes: no strategy double counted after ${formatCount(points[0]!.restarts)} restarts.`
      : `Only if mode A may overcount for one TTL after each crash: with ${changing.map((p) => p.strategy).join(', ')} ids a server that crashes and comes back is counted twice (its old entry beside its new one), by up to ${formatCount(doubleMax)} clients for up to ${formatSeconds(windowMax)} after it boots, until the old entry expires (ttl ${formatSeconds(worst.config.ttlMs)}).` +
        (steady.length > 0
          ? ` With ${steady.map((p) => p.strategy).join(', ')} ids the server overwrites its own entry at its first publish: no double count was measured.`
          : '');
  return {
    section: 'ids',
    question: questions.ids,
    text:
      `${text} Ids collided ${formatCount(collisions)} times. ` +
      'Measured from each boot after a crash or restart; the overcount between the crash and the boot (the old entry still counting clients that already reconnected to other servers) is the crash’s stale window, the same for every id strategy, and is answered under the TTL question. A graceful restart deregisters first and double counts with no strategy. Snowflake ids here embed the boot time, so they change on restart like uuids; a snowflake whose worker id and epoch were reused would behave like a stable id.',
    figure: `${formatCount(doubleMax)} clients, ${formatSeconds(windowMax)}`,
    reproduce: reproduce(data, worst),
  };
};

export function answers(data: ReportData): Answer[] {
  return [answerTtl, answerCap, answerLifetime, answerSlo, answerCapacity, answerIds].map((answer) =>
    answer(data),
  );
}
