/**
 * Recommendations: the smallest TTL and heartbeat that keep the error under the stated bound
 * at the simulated crash rate, and where mode A fits and where mode C fits, each backed by the
 * figures it rests on. Like the answers, these are computed, never written by hand.
 */
import { faultPoints } from './charts/availability-error-chart.ts';
import { dropoutText, ttlCriterionText } from './answers.ts';
import { formatPercent, formatSeconds, trimNumber } from './format.ts';
import type { ReportData } from './report-data.ts';
import {
  heartbeatRatioRecommendedMax,
  overcountShareMax,
  recommendedTtlPoint,
  staleWindowMsBound,
  ttlPoints,
} from './ttl-sweep-points.ts';
import { tag } from './quantities.ts';

export interface Recommendation {
  title: string;
  text: string;
}

function ttlRecommendation(data: ReportData): Recommendation {
  const title = 'Eviction TTL and heartbeat (mode A)';
  const points = ttlPoints(data);
  const best = recommendedTtlPoint(points);
  if (points.length === 0)
    return {
      title,
      text: 'No ttl-sweep run in these results: run `headcount scenario scenarios/ttl-sweep.yaml`.',
    };
  if (best === undefined)
    return { title, text: `No swept setting meets the criterion; sweep shorter TTLs. ${ttlCriterionText()}` };
  // Only settings that keep the page's own heartbeat rule (at most half the TTL) are offered.
  const within = points.filter(
    (p) => p.withinBound && p.heartbeatRatio <= heartbeatRatioRecommendedMax + 1e-9,
  );
  const shortest = within.reduce((s, p) => (p.ttlMs < s.ttlMs ? p : s));
  const shorterText =
    shortest.ttlMs < best.ttlMs
      ? ` A shorter TTL (${formatSeconds(shortest.ttlMs)} with heartbeat ${formatSeconds(shortest.heartbeatMs)}) shortens the stale window to ${formatSeconds(shortest.staleWindowMsMax)} for ${trimNumber(shortest.redisOpsPerSec / Math.max(1e-9, best.redisOpsPerSec), 1)}× the Redis operations.`
      : '';
  return {
    title,
    text:
      `Use TTL ${formatSeconds(best.ttlMs)} with heartbeat ${formatSeconds(best.heartbeatMs)} (heartbeat = ttl × ${best.ratioLabel}): the longest heartbeat at most half the TTL (one late heartbeat must not drop a live server), hence the fewest Redis writes (about ${trimNumber(best.redisOpsPerSec, 0)} operations per second for the fleet), that keeps the stale window within ${formatSeconds(staleWindowMsBound)} (measured ${tag('ttl.staleWindowMax', formatSeconds(best.staleWindowMsMax))}, SIM) ` +
      `and the time-averaged overcount at ${tag('ttl.overcountProduction', formatPercent(best.overcountShareProduction, 3))} of the truth (bound ${formatPercent(overcountShareMax, 1)}).` +
      shorterText +
      dropoutText(points),
  };
}

function modeRecommendation(data: ReportData): Recommendation {
  const title = 'Where mode A fits and where mode C fits';
  const points = faultPoints(data);
  const a = points.filter((p) => p.mode === 'a');
  const c = points.filter((p) => p.mode === 'c');
  if (a.length === 0 || c.length === 0) {
    return { title, text: 'These results lack runs of both modes under faults: run `npm run scenario`.' };
  }
  const aWorst = a.reduce((w, p) => (p.wrongShare > w.wrongShare ? p : w));
  const cWorst = c.reduce((w, p) => (p.availability < w.availability ? p : w));
  const cWrong = c.flatMap((p) => p.runs).reduce((n, r) => n + r.who.wrong, 0);
  // Mode C is meant never to answer wrong; if the runs say otherwise, the page must say so too.
  const cWrongText =
    cWrong === 0
      ? 'it never answered wrong'
      : `it is meant never to answer wrong, yet gave ${cWrong} wrong answers here (a finding to chase)`;
  return {
    title,
    text:
      `Mode A fits a displayed “people online” figure: it keeps answering through every fault (lowest availability ${formatPercent(Math.min(...a.map((p) => p.availability)), 2)}, SIM), ` +
      `but under ${aWorst.fault} ${formatPercent(aWorst.wrongShare, 1)} of its answers were wrong, and a wrong answer is a bad event for the SLO. ` +
      `Mode C fits decisions that must not act on a wrong count (limits, billing): ${cWrongText}, but answered only ${formatPercent(cWorst.availability, 2)} under ${cWorst.fault} (SIM), and every WHO waits for the slowest server.`,
  };
}

export function recommendations(data: ReportData): Recommendation[] {
  return [ttlRecommendation(data), modeRecommendation(data)];
}
