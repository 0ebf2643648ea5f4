/**
 * Recommendations: the smallest TTL and heartbeat that keep the error under the stated bound
 * at the simulated crash rate, and where mode A fits and where mode C fits, each backed by the
 * figures it rests on. Like the answers, these are computed, never written by hand.
 */
import { faultPoints } from './charts/availability-error-chart.ts';
import { formatPercent, formatSeconds, trimNumber } from './format.ts';
import { type ReportData, runsOf } from './report-data.ts';
import {
  crashesPerServerHour,
  recommendedTtlPoint,
  relativeErrorP99Max,
  ttlPoints,
} from './ttl-sweep-points.ts';

export interface Recommendation {
  title: string;
  text: string;
}

function ttlRecommendation(data: ReportData): Recommendation {
  const title = 'Eviction TTL and heartbeat (mode A)';
  const points = ttlPoints(data);
  const best = recommendedTtlPoint(points);
  if (best === undefined) {
    return {
      title,
      text:
        points.length === 0
          ? 'No ttl-sweep run in these results: run `headcount scenario scenarios/ttl-sweep.yaml`.'
          : `No swept TTL keeps 99% of WHO answers within ${formatPercent(relativeErrorP99Max, 0)} of the truth; sweep shorter TTLs.`,
    };
  }
  const crashRate = crashesPerServerHour(runsOf(data, { scenario: 'ttl-sweep', mode: 'a' }));
  const dropouts = points.filter((p) => p.liveDropout);
  const sameRatio = points.filter((p) => p.ratioLabel === best.ratioLabel && p.withinBound);
  const longestMs = Math.max(...sameRatio.map((p) => p.ttlMs));
  const longestText =
    longestMs > best.ttlMs
      ? ` If Redis write load matters more than freshness, every swept TTL up to ${formatSeconds(longestMs)} at the same ratio also stays within the bound.`
      : '';
  return {
    title,
    text:
      `Use TTL ${formatSeconds(best.ttlMs)} with heartbeat ${formatSeconds(best.heartbeatMs)} (heartbeat = ttl × ${best.ratioLabel}): the smallest swept TTL that keeps 99% of WHO answers within ${formatPercent(relativeErrorP99Max, 0)} of the truth ` +
      `(measured ${formatPercent(best.relativeErrorP99, 1)}, worst seed) at ${crashRate > 0 ? `the simulated crash rate of ${trimNumber(crashRate, 3)} crashes per server-hour` : 'the crash rate the scenario file sets'}; it costs about ${trimNumber(best.redisOpsPerSec, 0)} Redis operations per second for the fleet.` +
      longestText +
      (dropouts.length > 0
        ? ` Avoid heartbeat = ttl × ${[...new Set(dropouts.map((p) => p.ratioLabel))].join(', ')}: with network jitter live servers drop out of the count (undercounts of up to ${trimNumber(Math.max(...dropouts.map((p) => p.undercountMax)), 0)} clients).`
        : ''),
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
      `Mode A fits a displayed “people online” figure: it keeps answering through every fault (lowest availability ${formatPercent(Math.min(...a.map((p) => p.availability)), 2)}), ` +
      `but is wrong for ${formatPercent(aWorst.wrongShare, 1)} of answers under ${aWorst.fault}. ` +
      `Mode C fits decisions that must not act on a wrong count (limits, billing): ${cWrongText}, but answered only ${formatPercent(cWorst.availability, 2)} under ${cWorst.fault}, and every WHO waits for the slowest server.`,
  };
}

export function recommendations(data: ReportData): Recommendation[] {
  return [ttlRecommendation(data), modeRecommendation(data)];
}
