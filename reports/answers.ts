/**
 * One plain-language answer per product question, each with the number behind it and the
 * scenario and seed that reproduce it. Every sentence is computed from the results by the same
 * helpers the charts use; when a scenario is missing the answer says so and how to produce it.
 */
import type { RunResult } from '../sim/result.ts';
import { faultPoints } from './charts/availability-error-chart.ts';
import { capacityRun } from './charts/capacity-chart.ts';
import { idPoints } from './charts/id-chart.ts';
import { ageLabel, imbalancePoints } from './charts/imbalance-chart.ts';
import { missingNote, type Reproduce, reproduceRun, type SectionId } from './chart-spec.ts';
import { formatCount, formatPercent, formatSeconds, trimNumber } from './format.ts';
import { type ReportData, worstRun } from './report-data.ts';
import { availabilityObjective, latencyObjectiveMs, realisticObjective, sloRows } from './slo-table.ts';
import { recommendedTtlPoint, relativeErrorP99Max, ttlPoints } from './ttl-sweep-points.ts';

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

export const answerTtl = (data: ReportData): Answer => {
  const points = ttlPoints(data);
  const best = recommendedTtlPoint(points);
  if (best === undefined) {
    if (points.length === 0) return missing('ttl', missingNote('ttl-sweep'));
    return missing(
      'ttl',
      `no swept TTL keeps 99% of answers within ${formatPercent(relativeErrorP99Max, 0)} of the truth`,
    );
  }
  const design = points.find((p) => p.ttlMs === 5000 && p.heartbeatMs === 5000);
  const designText =
    design === undefined
      ? ''
      : ` The design’s TTL 5 s with heartbeat 5 s ${design.liveDropout ? `drops live servers under jitter: WHO undercounts by up to ${formatCount(design.undercountMax)} clients.` : 'kept every live server counted.'}`;
  return {
    section: 'ttl',
    question: questions.ttl,
    text:
      `TTL ${formatSeconds(best.ttlMs)} with heartbeat ${formatSeconds(best.heartbeatMs)}: a crashed server’s clients are still counted for up to ${formatSeconds(best.staleWindowMsMax)}, ` +
      `WHO overcounts by up to ${formatPercent(best.relativeErrorMax, 0)} during that window, and 99% of answers are within ${formatPercent(best.relativeErrorP99, 1)} of the truth.` +
      designText,
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

/**
 * The stated imbalance bound: the busiest server within 20% of the mean keeps the fleet's
 * headroom useful (a server sized for the mean plus 20% is not the one that falls over first).
 */
export const imbalanceP99Max = 0.2;

export const answerLifetime = (data: ReportData): Answer => {
  const points = imbalancePoints(data);
  if (points.length === 0) return missing('lifetime', missingNote('connection-lifetime'));
  const longest = points.find((p) => p.p99 <= imbalanceP99Max);
  const unlimited = points[0]!;
  if (longest === undefined) {
    const best = points.reduce((b, p) => (p.p99 < b.p99 ? p : b));
    return {
      section: 'lifetime',
      question: questions.lifetime,
      text:
        `No swept connection age keeps the p99 imbalance under the ${formatPercent(imbalanceP99Max, 0)} bound; the best was ${ageLabel(best.ageMs)} at ${formatPercent(best.p99, 0)} ` +
        `(against ${formatPercent(unlimited.p99, 0)} with ${ageLabel(unlimited.ageMs)}): sweep shorter ages.`,
      figure: `${ageLabel(best.ageMs)} (over bound)`,
      reproduce: reproduce(data, best.worst),
    };
  }
  return {
    section: 'lifetime',
    question: questions.lifetime,
    text:
      `Recycle connections after at most ${ageLabel(longest.ageMs)}: load-balancer imbalance then stays under ${formatPercent(longest.p99, 0)} (p99; bound ${formatPercent(imbalanceP99Max, 0)}) through a scale-out and a restart, ` +
      `against ${formatPercent(unlimited.p99, 0)} with ${ageLabel(unlimited.ageMs)}.`,
    figure: ageLabel(longest.ageMs),
    reproduce: reproduce(data, longest.worst),
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
      : `One server held ${formatCount(held.connections)} concurrent connections with WHO p99 ${trimNumber(held.latencyMsP99, 1)} ms (objective ${latencyObjectiveMs} ms) and no errors, using about ${formatCount(held.rssBytesPerConnection / 1024)} KiB per connection.`;
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
  const text =
    changing.length === 0
      ? `Yes: no strategy double counted after ${formatCount(points[0]!.restarts)} restarts.`
      : `Only if mode A may overcount: with ${changing.map((p) => p.strategy).join(', ')} ids a restarted server is counted under its old and new id, so WHO overcounts by up to ${formatCount(doubleMax)} clients until the old key expires (ttl ${formatSeconds(worst.config.ttlMs)}).` +
        (steady.length > 0
          ? ` With ${steady.map((p) => p.strategy).join(', ')} ids it does not double count.`
          : '');
  return {
    section: 'ids',
    question: questions.ids,
    text: `${text} Ids collided ${formatCount(collisions)} times.`,
    figure: `${formatCount(doubleMax)} clients`,
    reproduce: reproduce(data, worst),
  };
};

export function answers(data: ReportData): Answer[] {
  return [answerTtl, answerCap, answerLifetime, answerSlo, answerCapacity, answerIds].map((answer) =>
    answer(data),
  );
}
