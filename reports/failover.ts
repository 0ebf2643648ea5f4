/**
 * What Redis high availability buys mode A (scenario `redis-failover`): a primary killed under
 * Sentinel, its replica promoted. Per sweep point (Sentinel's down-after), over seeds: how long
 * WHO answered wrong after the death, when every server wrote to the new primary, and how many
 * registry entries the promotion lost (asynchronous replication). One decision row and one
 * answer, computed by the same helpers and tagged alike.
 */
import type { RunResult } from '../experiment/result.ts';
import type { Answer } from './answers.ts';
import { missingNote, reproduceRun } from './chart-spec.ts';
import type { DecisionRow } from './decisions.ts';
import { spreadText } from './decisions.ts';
import { formatCount, formatPercent, formatSeconds } from './format.ts';
import { perSeed, type Spread, spreadOf, tag, truthMean } from './quantities.ts';
import { questions } from './questions.ts';
import { type ReportData, runsOf, sourceLabel } from './report-data.ts';

export const failoverScenario = 'redis-failover';

/** One Sentinel setting of the scenario, over its seeds. */
export interface FailoverPoint {
  downAfterMs: number;
  electionMs: number;
  replicationLagMs: number;
  reconnectMsMax: number;
  heartbeatMs: number;
  ttlMs: number;
  runs: RunResult[];
  /** Per seed, the longest span of wrong answers after a death (ms). */
  wrongSpan: Spread;
  /** Per seed, the longest time until every server wrote to the new primary (ms). */
  allWriting: Spread;
  entriesLost: number;
  entriesAtPrimary: number;
  /** The largest |error| of the wrong answers blamed on a failover (clients). */
  wrongByMax: number;
}

const numberOf = (run: RunResult, key: string): number => Number(run.config[key] ?? 0);

function failoverRuns(data: ReportData, engine: 'sim' | 'real'): RunResult[] {
  return runsOf(data, { scenario: failoverScenario, mode: 'a', engine }).filter(
    (run) => (run.failovers?.length ?? 0) > 0,
  );
}

function wrongSpanMs(run: RunResult): number {
  return Math.max(0, ...(run.failovers ?? []).map((f) => f.wrongSpanMs));
}

/** A time that may be "never" (a run that ended before every server wrote to the new primary). */
const formatWithin = (ms: number): string => (Number.isFinite(ms) ? formatSeconds(ms) : 'not within the run');

function allWritingMs(run: RunResult): number {
  return Math.max(0, ...(run.failovers ?? []).map((f) => f.allWritingMs ?? Number.POSITIVE_INFINITY));
}

export function failoverPoints(runs: readonly RunResult[]): FailoverPoint[] {
  const byPoint = new Map<number, RunResult[]>();
  for (const run of runs) {
    const key = numberOf(run, 'sentinelDownAfterMs');
    byPoint.set(key, [...(byPoint.get(key) ?? []), run]);
  }
  return [...byPoint.entries()]
    .sort(([a], [b]) => a - b)
    .map(([downAfterMs, points]) => {
      const failovers = points.flatMap((run) => run.failovers ?? []);
      const blamed = points.flatMap((run) =>
        run.staleWindows.filter((window) => window.cause.startsWith('redis-failover')),
      );
      return {
        downAfterMs,
        electionMs: numberOf(points[0]!, 'sentinelElectionMs'),
        replicationLagMs: numberOf(points[0]!, 'replicationLagMs'),
        reconnectMsMax: numberOf(points[0]!, 'redisReconnectMsMax'),
        heartbeatMs: points[0]!.config.heartbeatMs,
        ttlMs: points[0]!.config.ttlMs,
        runs: points,
        wrongSpan: spreadOf(perSeed(points, (seedRuns) => Math.max(...seedRuns.map(wrongSpanMs)))),
        allWriting: spreadOf(perSeed(points, (seedRuns) => Math.max(...seedRuns.map(allWritingMs)))),
        entriesLost: failovers.reduce((n, f) => n + f.entriesLost, 0),
        entriesAtPrimary: failovers.reduce((n, f) => n + f.entriesAtPrimary, 0),
        wrongByMax: Math.max(0, ...blamed.map((window) => window.errorAbsMax)),
      };
    });
}

/**
 * Whether every server rewrites its entry on the promoted replica before the entry expires: its
 * last replicated write is up to a heartbeat old at the death, and the rewrite comes after
 * down-after, the election and one reconnect.
 */
export const entriesOutliveFailover = (p: FailoverPoint): boolean =>
  p.downAfterMs + p.electionMs + p.reconnectMsMax + p.heartbeatMs < p.ttlMs;

const budgetText = (p: FailoverPoint): string =>
  `down-after ${formatSeconds(p.downAfterMs)} + election ${formatSeconds(p.electionMs)} + reconnect ${formatSeconds(p.reconnectMsMax)} + heartbeat ${formatSeconds(p.heartbeatMs)}`;

/** The real runs beside the simulated point of the same setting (the quick real run has one). */
function realCheck(data: ReportData, points: readonly FailoverPoint[]): string {
  const real = failoverRuns(data, 'real');
  if (real.length === 0) return 'REAL: not run (`--engine real`)';
  const settings = [...new Set(real.map((run) => numberOf(run, 'sentinelDownAfterMs')))].sort(
    (a, b) => a - b,
  );
  const parts = settings.map((downAfterMs) => {
    const mine = real.filter((run) => numberOf(run, 'sentinelDownAfterMs') === downAfterMs);
    const sim = points.find((p) => p.downAfterMs === downAfterMs);
    const realSpan = Math.max(...mine.map(wrongSpanMs));
    const against = sim === undefined ? '' : ` against SIM ${formatSeconds(sim.wrongSpan.max)}`;
    return `down-after ${formatSeconds(downAfterMs)}: wrong for ${tag(`failover.real.${downAfterMs}`, formatSeconds(realSpan))}${against}`;
  });
  return `${sourceLabel(data, real[0]!)} on real Sentinels, ${parts.join('; ')}`;
}

function open(note: string): DecisionRow {
  return {
    id: 'failover',
    question: questions.failover,
    recommendation: `Not answered: ${note}`,
    figure: '–',
    share: '–',
    spread: '–',
    source: 'none',
    changes: '–',
  };
}

export function failoverDecision(data: ReportData): DecisionRow {
  const points = failoverPoints(failoverRuns(data, 'sim'));
  const best = points.find(entriesOutliveFailover) ?? points[0];
  if (best === undefined) return open(`no ${failoverScenario} run`);
  const expiring = points.filter((p) => !entriesOutliveFailover(p));
  const truth = Math.max(1, truthMean(best.runs[0]!));
  const expiringText =
    expiring.length === 0
      ? ''
      : ` Without that margin (${expiring.map((p) => `down-after ${formatSeconds(p.downAfterMs)}`).join(', ')}) entries expire before their servers rewrite them and WHO undercounts by up to ${tag('failover.expiring.wrongBy', `${formatCount(Math.max(...expiring.map((p) => p.wrongByMax)))} clients`)}.`;
  return {
    id: 'failover',
    question: questions.failover,
    recommendation:
      (entriesOutliveFailover(best)
        ? `Sentinel buys recovery with no operator and almost no data loss, not correct answers through the failover; keep ${budgetText(best)} < TTL ${formatSeconds(best.ttlMs)}.`
        : `Sentinel buys recovery with no operator, not correct answers through the failover; no swept setting keeps down-after + election + reconnect + heartbeat under the TTL ${formatSeconds(best.ttlMs)}: shorten the down-after.`) +
      expiringText,
    figure: `WHO wrong for up to ${tag('failover.wrongSpan', formatSeconds(best.wrongSpan.max))} after the primary dies; every server on the new primary after ${tag('failover.allWriting', formatWithin(best.allWriting.max))}`,
    share: `${tag('failover.entriesLost', `${formatCount(best.entriesLost)} of ${formatCount(best.entriesAtPrimary)}`)} registry entries lost at promotion (the last ${formatSeconds(best.replicationLagMs)} of writes); answers off by up to ${tag('failover.wrongBy', `${formatCount(best.wrongByMax)} clients`)} = ${formatPercent(best.wrongByMax / truth, 1)} of the true count`,
    spread: `wrong span ${spreadText(best.wrongSpan, formatSeconds)} (down-after ${formatSeconds(best.downAfterMs)})`,
    source: `SIM (${failoverScenario}); ${realCheck(data, points)}`,
    changes:
      'A longer replication lag loses more of the last writes (each server rewrites its entry at its next heartbeat, so the loss heals within one); a down-after that leaves less than the TTL lets entries expire before the promotion; a shorter down-after shortens every window but fails a slow primary over.',
    reproduce: reproduceRun(data, best.runs[0]!),
  };
}

export function answerFailover(data: ReportData): Answer {
  const points = failoverPoints(failoverRuns(data, 'sim'));
  if (points.length === 0)
    return {
      section: 'failover',
      question: questions.failover,
      text: `Not answered: ${missingNote(failoverScenario)}.`,
      figure: 'no data',
      missing: missingNote(failoverScenario),
    };
  const row = failoverDecision(data);
  const best = points.find(entriesOutliveFailover) ?? points[0]!;
  const per = points.map(
    (p) =>
      `down-after ${formatSeconds(p.downAfterMs)}: wrong span ${spreadText(p.wrongSpan, formatSeconds)}, every server on the new primary after ${spreadText(p.allWriting, formatWithin)}, ${formatCount(p.entriesLost)} of ${formatCount(p.entriesAtPrimary)} entries lost, off by up to ${formatCount(p.wrongByMax)} clients`,
  );
  return {
    section: 'failover',
    question: questions.failover,
    text:
      `${row.recommendation} When the primary dies, every server's Redis calls fail at once and WHO answers the last total it read, which is wrong as soon as anyone connects or leaves: WHO was wrong for up to ${tag('failover.wrongSpan', formatSeconds(best.wrongSpan.max))} (SIM, down-after ${formatSeconds(best.downAfterMs)}), about Sentinel's down-after plus the election plus one reconnect, off by up to ${tag('failover.wrongBy', `${formatCount(best.wrongByMax)} clients`)}, and every server wrote to the promoted replica after ${tag('failover.allWriting', formatWithin(best.allWriting.max))}. ` +
      `Asynchronous replication lost ${tag('failover.entriesLost', `${formatCount(best.entriesLost)} of ${formatCount(best.entriesAtPrimary)}`)} entries at promotion (an entry whose last write was in the final ${formatSeconds(best.replicationLagMs)}); that costs little, because every server rewrites its whole count at its next heartbeat. ` +
      `Without a replica the same death is an outage until someone restarts Redis, and it comes back empty. Per setting, over seeds: ${per.join('; ')}. ${row.source}.`,
    figure: `wrong ≤ ${formatSeconds(best.wrongSpan.max)}`,
    ...(row.reproduce ? { reproduce: row.reproduce } : {}),
  };
}
